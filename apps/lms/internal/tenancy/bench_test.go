package tenancy

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/pkg/directory"
	"bellwork.dev/bellwork/pkg/flags"
)

// BenchmarkFlagChangeReachesEveryReplica measures the LMS side of a
// platform-wide flag flip with 1,000 tenants and three simulated replicas.
// Each replica is what WatchSecrets runs: an informer's store of the
// directory Secrets, a coalescing change signal and the same resync
// (replaceFromSecrets: decode every entry, Registry.Replace). The
// operator's part is played by delivering all 1,000 updated Secrets, one
// event at a time, to every replica's store; the clock stops when every
// replica serves the new flag for every tenant. Not measured: the
// operator's reconcile and writes, the API server and the network (a
// watch event's trip). The baseline, in the same run, is one replica
// decoding the 1,000 entries once: the least any replica must do to learn
// the new flags; the ratio is what the event-by-event path costs beyond it.
func BenchmarkFlagChangeReachesEveryReplica(b *testing.B) {
	const tenants, replicas = 1000, 3
	before, after := make([]*corev1.Secret, tenants), make([]*corev1.Secret, tenants)
	for i := range tenants {
		before[i], after[i] = benchSecret(i, false), benchSecret(i, true)
	}
	for range b.N {
		start := time.Now()
		for _, s := range after {
			if _, err := directory.Unmarshal(s.Data[directory.EntryKey]); err != nil {
				b.Fatal(err)
			}
		}
		decodeOnce := time.Since(start)

		reach := flipAcrossReplicas(b, before, after, replicas)
		b.ReportMetric(float64(reach.Milliseconds()), "ms-to-every-replica")
		b.ReportMetric(float64(decodeOnce.Milliseconds()), "ms-decode-once")
		b.ReportMetric(float64(reach)/float64(decodeOnce), "ratio")
		b.Logf("a flag change reached %d replicas of %d tenants in %v (decoding the %d entries once: %v, ratio %.1f)",
			replicas, tenants, reach.Round(time.Millisecond), tenants, decodeOnce.Round(time.Millisecond), float64(reach)/float64(decodeOnce))
	}
}

// replica is one simulated LMS process: the informer store and the loop
// WatchSecrets runs on each change signal.
type replica struct {
	reg     *Registry
	mu      sync.Mutex
	store   map[string]*corev1.Secret
	changed chan struct{}
}

func (p *replica) deliver(s *corev1.Secret) {
	p.mu.Lock()
	p.store[s.Name] = s
	p.mu.Unlock()
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

func (p *replica) run(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-p.changed:
		}
		p.mu.Lock()
		list := make([]*corev1.Secret, 0, len(p.store))
		for _, s := range p.store {
			list = append(list, s)
		}
		p.mu.Unlock()
		p.reg.replaceFromSecrets(list)
	}
}

func (p *replica) serves(tenants int) bool {
	ts := p.reg.Tenants()
	if len(ts) != tenants {
		return false
	}
	for _, t := range ts {
		if t.Entry.Features["roster-export"].DefaultVariant != "on" {
			return false
		}
	}
	return true
}

func flipAcrossReplicas(b *testing.B, before, after []*corev1.Secret, replicas int) time.Duration {
	b.Helper()
	stop := make(chan struct{})
	defer close(stop)
	var ps []*replica
	for range replicas {
		p := &replica{reg: NewRegistry(db.NewPools(time.Minute, 1), slog.New(slog.NewTextHandler(io.Discard, nil))),
			store: map[string]*corev1.Secret{}, changed: make(chan struct{}, 1)}
		for _, s := range before {
			p.store[s.Name] = s
		}
		p.reg.replaceFromSecrets(before)
		go p.run(stop)
		ps = append(ps, p)
	}
	start := time.Now()
	for _, s := range after {
		for _, p := range ps {
			p.deliver(s)
		}
	}
	for deadline := start.Add(5 * time.Minute); ; time.Sleep(time.Millisecond) {
		all := true
		for _, p := range ps {
			all = all && p.serves(len(after))
		}
		if all {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			b.Fatal("the flag change did not reach every replica within 5 minutes")
		}
	}
}

const benchNS = "bellwork-system"

// benchSecret is a tenant's directory Secret with roster-export off or on.
func benchSecret(i int, on bool) *corev1.Secret {
	name := fmt.Sprintf("district-%04d", i)
	v := "off"
	if on {
		v = "on"
	}
	e := &directory.Entry{Tenant: name, DisplayName: name, Hosts: []string{name + ".example"}, TimeZone: "UTC",
		Database: directory.Database{Name: "bw_" + name, Host: "db", Port: 5432, DirectHost: "db", DirectPort: 5432,
			App: directory.Credentials{User: "a"}, System: directory.Credentials{User: "s"}, Owner: directory.Credentials{User: "o"}},
		Schools: []directory.School{{Code: "S1", Name: "School", TimeZone: "UTC"}},
		Features: flags.Set{"roster-export": {Variants: map[string]json.RawMessage{"on": json.RawMessage("true"), "off": json.RawMessage("false")},
			DefaultVariant: v}}}
	data, err := directory.Marshal(e)
	if err != nil {
		panic(err)
	}
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: directory.SecretName(name), Namespace: benchNS,
		Labels: map[string]string{directory.LabelKey: directory.LabelValue}}, Data: map[string][]byte{directory.EntryKey: data}}
}
