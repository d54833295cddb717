package controllers_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	"github.com/jackc/pgx/v5"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/dev/pgserver"
)

// fakeCNPG plays CloudNativePG for the test: Clusters become healthy and
// get their superuser Secret, Databases are created in Postgres and marked
// applied, Poolers become active. Status is written the way CloudNativePG
// writes it; the objects themselves were validated by its real CRDs.
func fakeCNPG(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			playCNPG(ctx)
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

func playCNPG(ctx context.Context) {
	c := env.Client
	var clusters cnpgv1.ClusterList
	if c.List(ctx, &clusters) == nil {
		for _, cl := range clusters.Items {
			if cl.Status.Phase != cnpgv1.PhaseHealthy && cl.Annotations[holdStatus] == "" {
				cl.Status.Instances, cl.Status.ReadyInstances, cl.Status.Phase = cl.Spec.Instances, cl.Spec.Instances, cnpgv1.PhaseHealthy
				cl.Status.CurrentPrimary, cl.Status.TargetPrimary = cl.Name+"-1", cl.Name+"-1"
				_ = c.Status().Update(ctx, &cl)
			}
			su := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: cl.Name + "-superuser", Namespace: cl.Namespace},
				Type: corev1.SecretTypeBasicAuth, StringData: map[string]string{"username": pgserver.SuperUser, "password": pg.SuperPassword}}
			if err := c.Create(ctx, su); err != nil && !apierrors.IsAlreadyExists(err) {
				continue
			}
		}
	}
	var dbs cnpgv1.DatabaseList
	if c.List(ctx, &dbs) == nil {
		for _, d := range dbs.Items {
			if d.Status.Applied != nil && *d.Status.Applied && d.Status.ObservedGeneration == d.Generation {
				continue
			}
			conn, err := pgx.Connect(ctx, pg.AdminURL("postgres"))
			if err != nil {
				continue
			}
			var exists bool
			_ = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", d.Spec.Name).Scan(&exists)
			if !exists {
				_, err = conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s OWNER %s", pgx.Identifier{d.Spec.Name}.Sanitize(), pgx.Identifier{d.Spec.Owner}.Sanitize()))
			}
			conn.Close(ctx)
			if err != nil {
				continue
			}
			d.Status.Applied, d.Status.ObservedGeneration = ptr.To(true), d.Generation
			_ = c.Status().Update(ctx, &d)
		}
	}
	var poolers cnpgv1.PoolerList
	if c.List(ctx, &poolers) == nil {
		for _, p := range poolers.Items {
			if p.Status.Phase != cnpgv1.PoolerPhaseActive {
				p.Status.Phase, p.Status.Instances = cnpgv1.PoolerPhaseActive, ptr.Deref(p.Spec.Instances, 1)
				_ = c.Status().Update(ctx, &p)
			}
		}
	}
}

// holdStatus on a Cluster stops fakeCNPG from healing its status, so a test
// can play a switchover or a lost primary.
const holdStatus = "test.bellwork.dev/hold-status"

func pgAddress() string { return net.JoinHostPort(pg.Host, strconv.Itoa(pg.Port)) }

// sharedCluster creates a CloudNativePG Cluster standing for a shared one.
func sharedCluster(t testing.TB, ns, name string) {
	ensureNamespace(t, ns)
	cl := &cnpgv1.Cluster{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: cnpgv1.ClusterSpec{Instances: 1, EnableSuperuserAccess: ptr.To(true), StorageConfiguration: cnpgv1.StorageConfiguration{Size: "1Gi"}}}
	if err := env.Client.Create(context.Background(), cl); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// On a shared CloudNativePG cluster: a Database object (accepted by
// CloudNativePG's CRD) creates the database once the owner role exists;
// roles and grants go through the cluster's superuser Secret; a Pooler is
// made and PgBouncer's lookup function is in the tenant database.
func TestCloudNativePGSharedClusterWithPooler(t *testing.T) {
	ctx := context.Background()
	sharedCluster(t, "postgres", "shared")
	fakeCNPG(t)
	startManager(t, func(o *controllers.Options) {
		o.HostOverrides = map[string]string{"shared-rw.postgres.svc:5432": pgAddress()}
	})
	plain, pooled := cnpgTenant("cnpg-plain", nil), cnpgTenant("cnpg-pool", &platformv1.PoolerSettings{Instances: 3, DefaultPoolSize: 15})
	plain.Spec.ReclaimPolicy = platformv1.ReclaimDelete
	create(t, plain, pooled)
	waitTenant(t, "cnpg-plain", metav1.ConditionTrue, 60*time.Second)
	waitTenant(t, "cnpg-pool", metav1.ConditionTrue, 60*time.Second)

	db := &cnpgv1.Database{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "postgres", Name: "tenant-cnpg-plain"}, db); err != nil {
		t.Fatal(err)
	}
	if db.Spec.ClusterRef.Name != "shared" || db.Spec.Name != "bw_cnpg_plain" || db.Spec.Owner != "bw_cnpg_plain_owner" ||
		db.Spec.ReclaimPolicy != cnpgv1.DatabaseReclaimDelete {
		t.Errorf("Database spec = %+v", db.Spec)
	}
	e := entryOf(t, "cnpg-plain")
	if e.Database.Host != "shared-rw.postgres.svc" || e.Database.Port != 5432 || e.Database.DirectHost != "shared-rw.postgres.svc" || e.Database.SSLMode != "require" {
		t.Errorf("entry database = %+v", e.Database)
	}
	if err := login("bw_cnpg_plain", e.Database.App.User, e.Database.App.Password); err != nil {
		t.Errorf("app login: %v", err)
	}

	pooler := &cnpgv1.Pooler{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "postgres", Name: "pooler-cnpg-pool"}, pooler); err != nil {
		t.Fatal(err)
	}
	if pooler.Spec.Cluster.Name != "shared" || pooler.Spec.Type != cnpgv1.PoolerTypeRW || *pooler.Spec.Instances != 3 ||
		pooler.Spec.PgBouncer.PoolMode != cnpgv1.PgBouncerPoolModeTransaction || pooler.Spec.PgBouncer.Parameters["default_pool_size"] != "15" {
		t.Errorf("Pooler spec = %+v / %+v", pooler.Spec, pooler.Spec.PgBouncer)
	}
	e = entryOf(t, "cnpg-pool")
	if e.Database.Host != "pooler-cnpg-pool.postgres.svc" || e.Database.DirectHost != "shared-rw.postgres.svc" {
		t.Errorf("pooled entry database = %+v", e.Database)
	}
	// PgBouncer's auth query works as its role, and only as its role.
	su := superuser(t, "bw_cnpg_pool")
	var user, hash string
	mustExec(t, su, "SET ROLE cnpg_pooler_pgbouncer")
	if err := su.QueryRow(ctx, "SELECT usename, passwd FROM public.user_search($1)", e.Database.App.User).Scan(&user, &hash); err != nil {
		t.Fatalf("auth query: %v", err)
	}
	if user != e.Database.App.User || len(hash) < 20 || hash[:13] != "SCRAM-SHA-256" {
		t.Errorf("user_search returned %q %q", user, hash)
	}
	mustExec(t, su, "RESET ROLE")
	mustExec(t, su, "SET ROLE bw_cnpg_pool_app_blue")
	if _, err := su.Exec(ctx, "SELECT * FROM public.user_search('postgres')"); err == nil {
		t.Error("the app role may run the auth query")
	}
	mustExec(t, su, "RESET ROLE")

	// Deleting with reclaim Delete drops the database through SQL and
	// removes the Database object.
	deleteTenant(t, "cnpg-plain")
	var n int
	if err := superuser(t, "postgres").QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = 'bw_cnpg_plain'").Scan(&n); err != nil || n != 0 {
		t.Errorf("database bw_cnpg_plain remains (%d, %v)", n, err)
	}
}

func cnpgTenant(name string, pooler *platformv1.PoolerSettings) *platformv1.Tenant {
	tn := externalTenant(name)
	tn.Spec.Database.External = nil
	tn.Spec.Database.CloudNativePG = &platformv1.CloudNativePGDatabase{
		ClusterRef: &platformv1.ClusterReference{Name: "shared", Namespace: "postgres"},
		Pooler:     pooler,
	}
	return tn
}

// A dedicated tenant gets a CloudNativePG Cluster of its own in its
// namespace; once CloudNativePG reports it ready, provisioning completes
// through its superuser Secret.
func TestCloudNativePGDedicatedCluster(t *testing.T) {
	ctx := context.Background()
	fakeCNPG(t)
	startManager(t, func(o *controllers.Options) {
		o.HostOverrides = map[string]string{"postgres-rw.tenant-cnpg-ded.svc:5432": pgAddress()}
	})
	tn := cnpgTenant("cnpg-ded", nil)
	tn.Spec.Database.CloudNativePG = &platformv1.CloudNativePGDatabase{
		Dedicated: &platformv1.DedicatedCluster{Instances: 3, StorageSize: "20Gi", ImageName: "ghcr.io/cloudnative-pg/postgresql:17"},
	}
	create(t, tn)
	waitTenant(t, "cnpg-ded", metav1.ConditionTrue, 60*time.Second)
	cl := &cnpgv1.Cluster{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "tenant-cnpg-ded", Name: "postgres"}, cl); err != nil {
		t.Fatal(err)
	}
	if cl.Spec.Instances != 3 || cl.Spec.StorageConfiguration.Size != "20Gi" || cl.Spec.ImageName != "ghcr.io/cloudnative-pg/postgresql:17" ||
		!ptr.Deref(cl.Spec.EnableSuperuserAccess, false) || cl.Spec.Bootstrap.InitDB.Database != "bw_cnpg_ded" || cl.Spec.Bootstrap.InitDB.Owner != "bw_cnpg_ded_owner" {
		t.Errorf("Cluster spec = %+v", cl.Spec)
	}
	if got := getTenant(t, "cnpg-ded").Status.Database; got.Provider != builders.ProviderDedicated || got.Endpoint != "postgres-rw.tenant-cnpg-ded.svc:5432" {
		t.Errorf("status.database = %+v", got)
	}
	e := entryOf(t, "cnpg-ded")
	if err := login("bw_cnpg_ded", e.Database.Owner.User, e.Database.Owner.Password); err != nil {
		t.Errorf("owner login: %v", err)
	}
	// A dedicated namespace also lets the Postgres pods talk to each other.
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "tenant-cnpg-ded", Name: builders.PostgresPolicyName}, &networkingv1.NetworkPolicy{}); err != nil {
		t.Errorf("policy %s: %v", builders.PostgresPolicyName, err)
	}
}

// A switchover (a replica down, the primary moving) leaves the tenant
// Ready. Losing the primary degrades it with a Warning Event, but the LMS
// keeps its last directory entry; when the primary is back the tenant
// recovers with a Normal Event.
func TestCloudNativePGSwitchoverKeepsTheDistrictServed(t *testing.T) {
	ctx := context.Background()
	fakeCNPG(t)
	startManager(t, func(o *controllers.Options) {
		o.HostOverrides = map[string]string{"postgres-rw.tenant-cnpg-switch.svc:5432": pgAddress()}
	})
	tn := cnpgTenant("cnpg-switch", nil)
	tn.Spec.Database.CloudNativePG = &platformv1.CloudNativePGDatabase{Dedicated: &platformv1.DedicatedCluster{Instances: 3}}
	create(t, tn)
	waitTenant(t, "cnpg-switch", metav1.ConditionTrue, 60*time.Second)
	// First-time provisioning waited on CloudNativePG; that is no news.
	var events corev1.EventList
	if err := env.Client.List(ctx, &events, client.InNamespace("default")); err != nil {
		t.Fatal(err)
	}
	for _, e := range events.Items {
		if e.InvolvedObject.Name == "cnpg-switch" && (e.Reason == "NotReady" || e.Reason == "Recovered") {
			t.Errorf("first-time provisioning announced %s: %s", e.Reason, e.Message)
		}
	}

	play := func(ready int, current, target string, phase string) {
		t.Helper()
		cl := &cnpgv1.Cluster{}
		key := client.ObjectKey{Namespace: "tenant-cnpg-switch", Name: "postgres"}
		if err := env.Client.Get(ctx, key, cl); err != nil {
			t.Fatal(err)
		}
		if cl.Annotations == nil {
			cl.Annotations = map[string]string{}
		}
		cl.Annotations[holdStatus] = "yes"
		if err := env.Client.Update(ctx, cl); err != nil {
			t.Fatal(err)
		}
		cl.Status.ReadyInstances, cl.Status.CurrentPrimary, cl.Status.TargetPrimary, cl.Status.Phase = ready, current, target, phase
		if err := env.Client.Status().Update(ctx, cl); err != nil {
			t.Fatal(err)
		}
	}
	play(2, "postgres-1", "postgres-2", "Switchover in progress")
	touchTenant(t, "cnpg-switch")
	eventually(t, 30*time.Second, func() (bool, string) {
		tn := getTenant(t, "cnpg-switch")
		return tn.Status.ObservedGeneration == tn.Generation, "waiting for a pass"
	})
	if tn := getTenant(t, "cnpg-switch"); tn.Status.Phase != platformv1.PhaseReady || entryOf(t, "cnpg-switch") == nil {
		t.Fatalf("during a switchover: phase %s, entry %v", tn.Status.Phase, entryOf(t, "cnpg-switch") != nil)
	}
	// The display name is in the entry, so the pass above republished it.
	hash := getTenant(t, "cnpg-switch").Status.DirectoryHash

	lost := time.Now()
	play(0, "", "postgres-2", "Failing over")
	touchTenant(t, "cnpg-switch")
	eventually(t, 30*time.Second, func() (bool, string) {
		st := getTenant(t, "cnpg-switch").Status
		c := meta.FindStatusCondition(st.Conditions, platformv1.TenantPublished)
		return st.Phase == platformv1.PhaseDegraded && c != nil && c.Reason == platformv1.ReasonKeptLastEntry,
			fmt.Sprintf("phase %s, Published %+v", st.Phase, c)
	})
	if e := entryOf(t, "cnpg-switch"); e == nil || getTenant(t, "cnpg-switch").Status.DirectoryHash != hash {
		t.Fatal("the directory entry was withdrawn or changed while the primary was away")
	}
	waitEventSince(t, lost, "cnpg-switch", "Warning", "NotReady", "has 0 of 3 instances ready")

	cl := &cnpgv1.Cluster{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "tenant-cnpg-switch", Name: "postgres"}, cl); err != nil {
		t.Fatal(err)
	}
	delete(cl.Annotations, holdStatus)
	cl.Status.Phase = "Cluster in healthy state after failover"
	if err := env.Client.Update(ctx, cl); err != nil {
		t.Fatal(err)
	}
	waitTenant(t, "cnpg-switch", metav1.ConditionTrue, 60*time.Second)
	waitEventSince(t, lost, "cnpg-switch", "Normal", "Recovered", "Ready again")
}
