package controllers_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
)

// The manager is stopped at random points (seeded, bounded) while it
// provisions 20 tenants, and started again. Everything converges: every
// tenant Ready, exactly one database and six roles each, nothing orphaned,
// and every published credential works.
func TestRestartsDuringProvisioningConverge(t *testing.T) {
	ctx := context.Background()
	const tenants = 20
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 4))
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
	fast := func(o *controllers.Options) { o.MaxConcurrentReconciles = 4 }
	for restart := range 5 {
		stop := startManager(t, fast)
		d := time.Duration(300+rng.IntN(1500)) * time.Millisecond
		time.Sleep(d)
		stop()
		t.Logf("restart %d after %s: %d tenants Ready", restart, d, countReady(t, names))
	}
	startManager(t, fast)
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
	if len(dbs) != tenants || len(roles) != 6*tenants {
		t.Fatalf("%d databases and %d roles, want %d and %d:\n%v\n%v", len(dbs), len(roles), tenants, 6*tenants, dbs, roles)
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
		for _, kind := range []string{"app", "readonly", "backup"} {
			c := secretData(t, "tenant-"+n, "db-"+kind)
			if err := login(want, c["username"], c["password"]); err != nil {
				t.Errorf("tenant %s: db-%s login: %v", n, kind, err)
			}
		}
	}
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
