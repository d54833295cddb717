package controllers_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
	"bellwork.dev/bellwork/internal/builders"
)

// The operator, a real process, is killed (SIGKILL: no cleanup, no
// graceful stop) at random points (seeded, bounded) while it provisions 20
// tenants, and started again. Everything converges: every tenant Ready,
// exactly one database and seven roles each, nothing orphaned (roles,
// databases, credential and directory Secrets), and every published
// credential works.
func TestKilledOperatorConvergesAfterRestart(t *testing.T) {
	ctx := context.Background()
	const tenants = 20
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 4))
	operator := buildOperator(t)
	var names []string
	for i := range tenants {
		tn := externalTenant(fmt.Sprintf("rs-%02d", i))
		tn.Spec.Admins = []string{"admin@rs.example"}
		if i%3 == 0 {
			tn.Spec.Database.Credentials.RotationRequest = "initial"
		}
		create(t, tn)
		names = append(names, tn.Name)
	}
	for kill := range 8 {
		cmd := exec.Command(operator, "--kubeconfig", env.KubeconfigPath, "--lms-namespace", lmsNamespace,
			"--operator-namespace", lmsNamespace, "--metrics-bind-address", "0", "--health-probe-bind-address", "0",
			"--max-concurrent-reconciles", "4", "--webhook-port", "0")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		d := time.Duration(150+rng.IntN(1200)) * time.Millisecond
		time.Sleep(d)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		t.Logf("kill %d after %s: %d tenants Ready", kill, d, countReady(t, names))
	}
	startManager(t, func(o *controllers.Options) { o.Tenant.MaxConcurrentReconciles = 4 })
	for _, n := range names {
		waitTenant(t, n, metav1.ConditionTrue, 90*time.Second)
	}

	su := superuser(t, "postgres")
	var dbs, roles []string
	rows, err := su.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'bw\_rs\_%' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		dbs = append(dbs, s)
	}
	rows, err = su.Query(ctx, `SELECT rolname FROM pg_roles WHERE rolname LIKE 'bw\_rs\_%' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		roles = append(roles, s)
	}
	if len(dbs) != tenants || len(roles) != 7*tenants {
		t.Fatalf("%d databases and %d roles, want %d and %d:\n%v\n%v", len(dbs), len(roles), tenants, 7*tenants, dbs, roles)
	}
	sort.Strings(names)
	for i, n := range names {
		want := "bw_" + n[:2] + "_" + n[3:]
		if dbs[i] != want {
			t.Errorf("database %s, want %s", dbs[i], want)
		}
		e := entryOf(t, n)
		if e == nil {
			t.Errorf("tenant %s has no entry", n)
			continue
		}
		if err := login(want, e.Database.App.User, e.Database.App.Password); err != nil {
			t.Errorf("tenant %s: app login from the entry: %v", n, err)
		}
		if err := login(want, e.Database.Owner.User, e.Database.Owner.Password); err != nil {
			t.Errorf("tenant %s: owner login from the entry: %v", n, err)
		}
		if err := login(want, e.Database.System.User, e.Database.System.Password); err != nil {
			t.Errorf("tenant %s: system login from the entry: %v", n, err)
		}
		for _, kind := range []string{"app", "system", "readonly", "backup"} {
			c := secretData(t, "tenant-"+n, "db-"+kind)
			if err := login(want, c["username"], c["password"]); err != nil {
				t.Errorf("tenant %s: db-%s login: %v", n, kind, err)
			}
		}
		// Exactly the operator's Secrets, once each.
		if got := strings.Join(secretsOf(t, "tenant-"+n, client.MatchingLabels{builders.ManagedByLabel: builders.ManagedByValue}), ","); got != "admin-invitations,db-app,db-backup,db-owner,db-readonly,db-system,flag-token" {
			t.Errorf("tenant %s Secrets: %s", n, got)
		}
	}
	// One directory entry per tenant, and none for anything else.
	var entries []string
	for _, s := range secretsOf(t, lmsNamespace, client.MatchingLabels{builders.ManagedByLabel: builders.ManagedByValue}) {
		if strings.HasPrefix(s, "bellwork-tenant-rs-") {
			entries = append(entries, s)
		}
	}
	if len(entries) != tenants {
		t.Errorf("%d directory entries for %d tenants: %v", len(entries), tenants, entries)
	}
}

// buildOperator builds the operator's binary for tests that run it as a
// process of its own.
func buildOperator(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bellwork")
	build := exec.Command("go", "build", "-o", out, ".")
	build.Dir = env.Root
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the operator: %v\n%s", err, msg)
	}
	return out
}

// secretsOf lists the names of the Secrets in a namespace with a label.
func secretsOf(t *testing.T, ns string, selector client.MatchingLabels) []string {
	t.Helper()
	var list corev1.SecretList
	if err := env.Client.List(context.Background(), &list, client.InNamespace(ns), selector); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range list.Items {
		out = append(out, s.Name)
	}
	sort.Strings(out)
	return out
}

func countReady(t testing.TB, names []string) int {
	n := 0
	for _, name := range names {
		if meta.IsStatusConditionTrue(getTenant(t, name).Status.Conditions, platformv1.ConditionReady) {
			n++
		}
	}
	return n
}
