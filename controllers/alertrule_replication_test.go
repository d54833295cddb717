package controllers_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
	"bellwork.dev/bellwork/internal/dev/pgserver"
)

func connectURL(t testing.TB, uri string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// hasInstance reports whether a rule has an instance in state with the
// given labels (among others).
func hasInstance(r *platformv1.AlertRule, state platformv1.AlertState, labels map[string]string) bool {
	for _, in := range r.Status.Instances {
		match := in.State == state
		for k, v := range labels {
			match = match && in.Labels[k] == v
		}
		if match {
			return true
		}
	}
	return false
}

// A ReplicationLag rule on a CloudNativePG Cluster's -rw Service (pointed
// at a real primary with a real streaming standby): Inactive and OK while
// the standby keeps up, Firing per standby while its replay is paused and
// the primary writes, Resolved after resuming, Firing "standbys" when the
// standby stops, health Error when the primary is gone. A rule on a
// tenant's server reads it as the tenant's admin login and labels the
// instances with the tenant; a rule on a tenant that does not exist is an
// error.
func TestAlertRuleReplicationLag(t *testing.T) {
	const ns = "alerts-replication"
	ctx := context.Background()
	ensureNamespace(t, ns)
	primary, err := pgserver.Start(ctx, pgserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer primary.Stop()
	standby, err := primary.StartStandby(ctx, "standby-a")
	if err != nil {
		t.Fatal(err)
	}
	defer standby.Stop()

	// The rule starts once the standby streams, so its first evaluation
	// finds nothing wrong.
	pc, sc := connectURL(t, primary.AdminURL("postgres")), connectURL(t, standby.AdminURL("postgres"))
	eventually(t, 30*time.Second, func() (bool, string) {
		var n int
		err := pc.QueryRow(ctx, "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'standby-a' AND replay_lsn IS NOT NULL").Scan(&n)
		return err == nil && n == 1, fmt.Sprintf("standby-a streaming: %d (%v)", n, err)
	})
	sharedCluster(t, ns, "pg-repl")
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pg-repl-superuser"},
		StringData: map[string]string{"username": pgserver.SuperUser, "password": primary.SuperPassword}})
	startManager(t, func(o *controllers.Options) {
		o.HostOverrides = map[string]string{"pg-repl-rw." + ns + ".svc:5432": net.JoinHostPort(primary.Host, strconv.Itoa(primary.Port))}
	})
	rule := &platformv1.AlertRule{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "replication"}}
	if err := yaml.Unmarshal([]byte(`
check:
  type: ReplicationLag
  replicationLag: {cluster: {name: pg-repl, namespace: `+ns+`}, maxLagBytes: 1048576, minStandbys: 1}
interval: 5s
`), &rule.Spec); err != nil {
		t.Fatal(err)
	}
	create(t, rule)

	r := waitRule(t, ns, rule.Name, 60*time.Second, func(r *platformv1.AlertRule) bool {
		return r.Status.Health == platformv1.HealthOK && r.Status.LastEvaluationTime != nil
	})
	if len(r.Status.Instances) != 0 {
		t.Fatalf("a caught-up standby: instances %+v, want none", r.Status.Instances)
	}

	// Pause replay and write more than a MiB on the primary.
	mustExec(t, sc, "SELECT pg_wal_replay_pause()")
	mustExec(t, pc, "CREATE TABLE filler (b text)")
	eventually(t, 90*time.Second, func() (bool, string) {
		mustExec(t, pc, "INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 500)")
		r := getRule(t, ns, rule.Name)
		return hasInstance(r, platformv1.AlertFiring, map[string]string{"instance": "standby-a", "unit": "bytes"}),
			fmt.Sprintf("state %s health %s %q instances %+v", r.Status.State, r.Status.Health, r.Status.HealthMessage, r.Status.Instances)
	})

	mustExec(t, sc, "SELECT pg_wal_replay_resume()")
	waitRule(t, ns, rule.Name, 60*time.Second, func(r *platformv1.AlertRule) bool {
		return hasInstance(r, platformv1.AlertResolved, map[string]string{"instance": "standby-a", "unit": "bytes"})
	})

	if err := standby.Stop(); err != nil {
		t.Fatal(err)
	}
	r = waitRule(t, ns, rule.Name, 60*time.Second, func(r *platformv1.AlertRule) bool {
		return hasInstance(r, platformv1.AlertFiring, map[string]string{"unit": "standbys"})
	})
	for _, in := range r.Status.Instances {
		if in.Labels["unit"] == "standbys" && in.Value != "0" {
			t.Errorf("no standby connected: value %q, want 0", in.Value)
		}
	}

	pc.Close(ctx)
	if err := primary.Stop(); err != nil {
		t.Fatal(err)
	}
	r = waitRule(t, ns, rule.Name, 60*time.Second, func(r *platformv1.AlertRule) bool { return r.Status.Health == platformv1.HealthError })
	if !strings.Contains(r.Status.HealthMessage, "cannot connect to pg-repl-rw."+ns+".svc:5432") {
		t.Errorf("primary gone: health message %q", r.Status.HealthMessage)
	}

	// A tenant's server: the suite's Postgres, which has no standby.
	tenant := externalTenant("repl-lag")
	create(t, tenant)
	defer deleteTenant(t, tenant.Name)
	byTenant := &platformv1.AlertRule{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "by-tenant"}}
	byTenant.Spec.Interval = metav1.Duration{Duration: 5 * time.Second}
	byTenant.Spec.Check = &platformv1.AlertCheck{Type: platformv1.CheckReplicationLag,
		ReplicationLag: &platformv1.ReplicationLagCheck{Tenant: tenant.Name, MaxLag: &metav1.Duration{Duration: 30 * time.Second}, MinStandbys: ptr.To[int32](1)}}
	missing := byTenant.DeepCopy()
	missing.Name, missing.Spec.Check.ReplicationLag.Tenant = "no-tenant", "nobody"
	create(t, byTenant, missing)
	waitRule(t, ns, byTenant.Name, 60*time.Second, func(r *platformv1.AlertRule) bool {
		return r.Status.Health == platformv1.HealthOK &&
			hasInstance(r, platformv1.AlertFiring, map[string]string{"unit": "standbys", "tenant": tenant.Name})
	})
	r = waitRule(t, ns, missing.Name, 60*time.Second, func(r *platformv1.AlertRule) bool { return r.Status.Health != "" })
	if r.Status.Health != platformv1.HealthError || !strings.Contains(r.Status.HealthMessage, `no tenant "nobody"`) {
		t.Errorf("a rule on a missing tenant: health %s %q", r.Status.Health, r.Status.HealthMessage)
	}
}
