//go:build e2e

package rollouttest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
)

var tenantsOnce sync.Once

// tenants makes two districts on the test's Postgres, published in the
// directory, once per run.
func tenants(t testing.TB) []string {
	t.Helper()
	names := []string{"alpha", "beta"}
	tenantsOnce.Do(func() {
		for _, n := range names {
			tn := &platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: n, Labels: map[string]string{"fleet": "test"}},
				Spec: platformv1.TenantSpec{DisplayName: "District " + n, Hosts: []string{n + ".localhost"}, TimeZone: "America/Chicago",
					Admins: []string{"admin@" + n + ".org"},
					Database: platformv1.TenantDatabase{External: &platformv1.ExternalDatabase{Host: pg.Host, Port: int32(pg.Port),
						AdminSecret: adminSecret, AdminSecretNamespace: lmsNamespace, SSLMode: "disable"}}}}
			if err := env.Client.Create(context.Background(), tn); err != nil {
				t.Fatal(err)
			}
		}
	})
	for _, n := range names {
		eventually(t, 2*time.Minute, func() (bool, string) {
			var s corev1.Secret
			err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: lmsNamespace, Name: "bellwork-tenant-" + n}, &s)
			return err == nil, fmt.Sprintf("directory entry of %s: %v", n, err)
		})
	}
	return names
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// fleet is an lmsdeploy under test with its local ports.
type fleet struct {
	t               testing.TB
	name            string
	active, preview string // base URLs through the local proxy
	host            string // a district the fleet serves, sent as Host
}

// The images rolled out: each runs the same real lms binary (the local
// kubelet maps every lms image to it), so a new image is a new revision
// with no new migration to apply.
const (
	lmsV1 = "registry.example/bellwork/lms:1"
	lmsV2 = "registry.example/bellwork/lms:2"
	lmsV3 = "registry.example/bellwork/lms:3"
)

// newFleet creates an lmsdeploy of image serving the test tenants, fast
// settings, no windows; mutate adjusts the spec. The lmsdeploy is deleted
// when the test ends so that its lms processes do not pile up.
func newFleet(t testing.TB, name, image string, mutate func(*platformv1.DeploymentSpec)) *fleet {
	t.Helper()
	tenants(t)
	f := &fleet{t: t, name: name, host: "alpha.localhost"}
	ap, pp := freePort(t), freePort(t)
	f.active, f.preview = "http://127.0.0.1:"+strconv.Itoa(ap), "http://127.0.0.1:"+strconv.Itoa(pp)
	d := &platformv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: lmsNamespace, Annotations: map[string]string{
			builders.LocalActivePortAnnotation: strconv.Itoa(ap), builders.LocalPreviewPortAnnotation: strconv.Itoa(pp)}},
		Spec: platformv1.DeploymentSpec{Image: image, Replicas: 2, PreviewReplicas: 1, AutoPromote: true,
			TenantSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"fleet": "test"}},
			ScaleDownDelay: metav1.Duration{Duration: 2 * time.Second},
			Probes:         platformv1.LMSProbes{Readiness: platformv1.ProbeTiming{PeriodSeconds: 1, FailureThreshold: 1, TimeoutSeconds: 1}}},
	}
	if mutate != nil {
		mutate(&d.Spec)
	}
	if err := env.Client.Create(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = env.Client.Delete(context.Background(), d, client.PropagationPolicy(metav1.DeletePropagationBackground))
	})
	return f
}

// newFleetB is a fleet with nothing to analyse, for benchmarks.
func newFleetB(b *testing.B, name string) *fleet {
	return newFleet(b, name, lmsV1, nil)
}

// servingB is serving, for benchmarks.
func (f *fleet) servingB(_ *testing.B, image string) { f.serving(image) }

// update changes the lmsdeploy's spec, retrying on conflicts.
func (f *fleet) update(change func(*platformv1.DeploymentSpec)) {
	f.t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		d := f.get()
		change(&d.Spec)
		return env.Client.Update(context.Background(), d)
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// rollTo changes the image.
func (f *fleet) rollTo(image string) {
	f.update(func(s *platformv1.DeploymentSpec) { s.Image = image })
}

func (f *fleet) get() *platformv1.Deployment {
	f.t.Helper()
	d := &platformv1.Deployment{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: lmsNamespace, Name: f.name}, d); err != nil {
		f.t.Fatal(err)
	}
	return d
}

// waitFor waits until the lmsdeploy's status satisfies ok.
func (f *fleet) waitFor(what string, timeout time.Duration, ok func(*platformv1.Deployment) bool) *platformv1.Deployment {
	f.t.Helper()
	var d *platformv1.Deployment
	eventually(f.t, timeout, func() (bool, string) {
		d = f.get()
		return ok(d), fmt.Sprintf("%s: phase %s, step %s, message %q", what, d.Status.Phase, step(d), d.Status.Message)
	})
	return d
}

func step(d *platformv1.Deployment) platformv1.RolloutStep {
	if d.Status.Rollout == nil {
		return ""
	}
	return d.Status.Rollout.Step
}

// serving waits until the fleet is Healthy on image with no rollout under
// way (the last one completed, or was rolled back to it), and the active
// Service answers from it.
func (f *fleet) serving(image string) *platformv1.Deployment {
	f.t.Helper()
	d := f.waitFor("Healthy on "+image, 3*time.Minute, func(d *platformv1.Deployment) bool {
		r := d.Status.Rollout
		ended := r != nil && (r.Step == platformv1.StepCompleted || r.Step == platformv1.StepRolledBack || r.Step == platformv1.StepAborted)
		return d.Status.Phase == platformv1.DeploymentHealthy && d.Status.Active != nil && d.Status.Active.Image == image && ended && !r.Draining
	})
	eventually(f.t, 30*time.Second, func() (bool, string) {
		a, err := f.answer(f.active)
		return err == nil && a.image == image, fmt.Sprintf("%s's sign-in page through the active Service: %+v, %v", f.host, a, err)
	})
	return d
}

func (f *fleet) ready() bool {
	c := meta.FindStatusCondition(f.get().Status.Conditions, platformv1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue
}

func get(url string) (string, error) {
	c := http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", res.StatusCode)
	}
	return string(b), err
}

// getHost GETs url with a district's Host and returns the status.
func getHost(url, host string) (int, error) {
	c := http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Host = host
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// loadClient requests the district's sign-in page through the active Service all
// along and counts failures.
type loadClient struct {
	requests, failures atomic.Int64
	// images maps each image the client was answered by to when it first
	// was (time.Time).
	images sync.Map
	stop   context.CancelFunc
	done   chan struct{}
}

func (f *fleet) load(t *testing.T) *loadClient {
	ctx, cancel := context.WithCancel(context.Background())
	lc := &loadClient{stop: cancel, done: make(chan struct{})}
	t.Cleanup(func() { cancel(); <-lc.done })
	go func() {
		defer close(lc.done)
		for ctx.Err() == nil {
			a, err := f.answer(f.active)
			lc.requests.Add(1)
			if err != nil && ctx.Err() == nil {
				lc.failures.Add(1)
				t.Logf("request to the active Service failed: %v", err)
			} else if err == nil && a.image != "" {
				lc.images.LoadOrStore(a.image, a.at)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return lc
}

// answered is who answered a request: the pod the local service proxy
// piped it to, and that pod's image ("" when the pod was gone before it
// could be looked up).
type answered struct {
	pod, image string
	at         time.Time
}

// answer loads the sign-in page of the fleet's district (alpha unless the
// test says otherwise) through a Service's local port and says which pod
// answered; a status other than 200 is an error. The real lms does not say
// its version, so the pod is learnt from the proxy.
func (f *fleet) answer(base string) (answered, error) {
	var local string
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { local = i.Conn.LocalAddr().String() }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, base+"/signin", nil)
	if err != nil {
		return answered{}, err
	}
	req.Host = f.host
	c := http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Do(req)
	if err != nil {
		return answered{}, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	a := answered{at: time.Now()}
	if res.StatusCode != http.StatusOK {
		return a, fmt.Errorf("status %d", res.StatusCode)
	}
	endpoint, ok := piped.LoadAndDelete(local)
	if !ok {
		return a, fmt.Errorf("the proxy did not say where it piped %s", local)
	}
	ip, _, _ := net.SplitHostPort(endpoint.(string))
	var pods corev1.PodList
	if err := env.Client.List(context.Background(), &pods, client.InNamespace(lmsNamespace),
		client.MatchingFields{"status.podIP": ip}); err != nil {
		return a, err
	}
	for _, p := range pods.Items {
		if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
			a.pod, a.image = p.Name, p.Spec.Containers[0].Image
		}
	}
	return a, nil
}

// finish stops the client and fails the test on any failed request.
func (lc *loadClient) finish(t *testing.T) {
	t.Helper()
	lc.stop()
	<-lc.done
	t.Logf("continuous client: %d requests to the active Service, %d failed", lc.requests.Load(), lc.failures.Load())
	if lc.failures.Load() > 0 {
		t.Errorf("%d of %d requests to the active Service failed", lc.failures.Load(), lc.requests.Load())
	}
}

// migrationJobPod matches the log file the local kubelet writes for a pod
// of a migration Job: <namespace>_<lmsdeploy>-r<revision>-<phase>-<tenant>-a<attempt>-<pod suffix>.log.
var migrationJobPod = regexp.MustCompile(`^r(\d+)-(expand|contract)-(.+)-a\d+-[a-z0-9]+\.log$`)

// migrations are the runs of the real lms migrate for this fleet, one per
// migration Job pod the local kubelet ran: "tenant|phase|r<revision>".
func (f *fleet) migrations() []string {
	entries, _ := os.ReadDir(podLogDir)
	prefix := lmsNamespace + "_" + f.name + "-"
	var runs []string
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), prefix)
		if m := migrationJobPod.FindStringSubmatch(name); ok && m != nil {
			runs = append(runs, m[3]+"|"+m[2]+"|r"+m[1])
		}
	}
	return runs
}

func eventually(t testing.TB, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, msg := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s: %s", timeout, msg)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
