package controllers_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
	"bellwork.dev/bellwork/internal/dev/pgserver"
	"bellwork.dev/bellwork/internal/dev/testenv"
	"bellwork.dev/bellwork/pkg/directory"
)

const (
	lmsNamespace = "bellwork-system"
	adminSecret  = "pg-admin"
)

var (
	env *testenv.Env
	pg  *pgserver.Server
)

// TestMain runs the package against one API server (the locally built
// control plane, with Bellwork's and CloudNativePG's CRDs) and one real
// Postgres server with password authentication.
func TestMain(m *testing.M) {
	if os.Getenv("BELLWORK_TEST_LOG") != "" {
		log.SetLogger(zap.New(zap.UseDevMode(true)))
	} else {
		log.SetLogger(zap.New(zap.WriteTo(discard{})))
	}
	testenv.Main(func() int {
		ctx := context.Background()
		var err error
		if pg, err = pgserver.Start(ctx, pgserver.Options{}); err != nil {
			fmt.Fprintf(os.Stderr, "pgserver: %v\n", err)
			return 1
		}
		defer pg.Stop()
		if err := setupCluster(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "setup: %v\n", err)
			return 1
		}
		return m.Run()
	}, false, &env)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// setupCluster creates the LMS namespace and the external admin Secret.
func setupCluster(ctx context.Context) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: lmsNamespace}}
	if err := env.Client.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: adminSecret, Namespace: lmsNamespace},
		StringData: map[string]string{"username": pgserver.SuperUser, "password": pg.SuperPassword}}
	return env.Client.Create(ctx, s)
}

// testOptions are fast settings for tests: short retries, a drift interval
// long enough not to get in the way unless a test shortens it.
func testOptions() controllers.Options {
	o := controllers.DefaultOptions()
	o.LMSNamespace = lmsNamespace
	o.OperatorNamespace = lmsNamespace
	o.RetryInterval = 200 * time.Millisecond
	o.Tenant.StatusInterval = 300 * time.Millisecond
	o.Tenant.DriftInterval = time.Minute
	o.Tenant.RotationGrace = 3 * time.Second
	o.Tenant.SessionWait = 2 * time.Second
	o.School.StatusInterval = 300 * time.Millisecond
	o.School.ResyncInterval = time.Minute
	o.School.ArchiveWait = time.Minute
	return o
}

// startManager runs the operator in-process until the test ends (or stop
// is called). mutate adjusts the options.
func startManager(t testing.TB, mutate func(*controllers.Options)) (stop func()) {
	t.Helper()
	_, stop = runManager(t, mutate)
	return stop
}

// runManager is startManager that also returns the manager.
func runManager(t testing.TB, mutate func(*controllers.Options)) (mgr manager.Manager, stop func()) {
	t.Helper()
	o := testOptions()
	if mutate != nil {
		mutate(&o)
	}
	mgrOpts := ctrl.Options{
		Scheme:                 testenv.Scheme(),
		Cache:                  controllers.CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	}
	mgr, err := ctrl.NewManager(env.Config, mgrOpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := controllers.Setup(mgr, o); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := mgr.Start(ctx); err != nil {
			t.Errorf("manager: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return mgr, stop
}

// externalTenant is a Tenant on the test's Postgres server.
func externalTenant(name string) *platformv1.Tenant {
	return &platformv1.Tenant{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: platformv1.TenantSpec{
			DisplayName: "District " + name,
			Hosts:       []string{name + ".localhost"},
			TimeZone:    "America/Chicago",
			Database: platformv1.TenantDatabase{
				External: &platformv1.ExternalDatabase{Host: pg.Host, Port: int32(pg.Port), AdminSecret: adminSecret,
					AdminSecretNamespace: lmsNamespace, SSLMode: "disable"},
				ConnectionLimit: 20,
			},
		},
	}
}

func school(tenant, name, code string, mutate ...func(*platformv1.School)) *platformv1.School {
	s := &platformv1.School{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: platformv1.TenantNamespacePrefix + tenant},
		Spec: platformv1.SchoolSpec{Tenant: tenant, Code: code, DisplayName: "School " + name, TimeZone: "America/Denver",
			Calendar:   platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{{Days: []platformv1.Weekday{platformv1.Monday}, Start: "08:00", End: "15:00"}}},
			GradeBands: []platformv1.GradeBand{{Name: "High", Grades: []string{"9", "10"}}}},
	}
	for _, m := range mutate {
		m(s)
	}
	return s
}

func create(t testing.TB, objs ...client.Object) {
	t.Helper()
	for _, o := range objs {
		if err := env.Client.Create(context.Background(), o); err != nil {
			t.Fatalf("create %T %s: %v", o, o.GetName(), err)
		}
	}
}

// ensureNamespace creates a namespace (as the samples do) if missing.
func ensureNamespace(t testing.TB, name string) {
	t.Helper()
	err := env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// eventually polls cond until it reports done, failing with its last message.
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
		time.Sleep(50 * time.Millisecond)
	}
}

func getTenant(t testing.TB, name string) *platformv1.Tenant {
	t.Helper()
	tn := &platformv1.Tenant{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Name: name}, tn); err != nil {
		t.Fatal(err)
	}
	return tn
}

// waitTenant waits until the Tenant's Ready condition has the given status.
func waitTenant(t testing.TB, name string, want metav1.ConditionStatus, timeout time.Duration) *platformv1.Tenant {
	t.Helper()
	var tn *platformv1.Tenant
	eventually(t, timeout, func() (bool, string) {
		tn = &platformv1.Tenant{}
		if err := env.Client.Get(context.Background(), client.ObjectKey{Name: name}, tn); err != nil {
			return false, err.Error()
		}
		c := meta.FindStatusCondition(tn.Status.Conditions, platformv1.ConditionReady)
		if c != nil && c.Status == want && c.ObservedGeneration == tn.Generation {
			return true, ""
		}
		return false, fmt.Sprintf("tenant %s: phase %q, conditions %s", name, tn.Status.Phase, conditions(tn.Status.Conditions))
	})
	return tn
}

func conditions(cs []metav1.Condition) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s=%s(%s: %s)", c.Type, c.Status, c.Reason, c.Message))
	}
	return strings.Join(parts, "; ")
}

// entryOf reads a tenant's published directory entry (nil if none).
func entryOf(t testing.TB, tenant string) *directory.Entry {
	t.Helper()
	s := &corev1.Secret{}
	err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: lmsNamespace, Name: directory.SecretName(tenant)}, s)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	e, err := directory.Unmarshal(s.Data[directory.EntryKey])
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func secretData(t testing.TB, ns, name string) map[string]string {
	t.Helper()
	s := &corev1.Secret{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range s.Data {
		out[k] = string(v)
	}
	return out
}

// superuser connects to a database as the server's superuser.
func superuser(t testing.TB, db string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), pg.AdminURL(db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// login tries to connect as user with password and closes the connection.
func login(db, user, password string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pg.URL(db, user, password))
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// deleteTenant deletes a Tenant and waits until it is gone.
func deleteTenant(t testing.TB, name string) {
	t.Helper()
	tn := &platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := env.Client.Delete(context.Background(), tn); client.IgnoreNotFound(err) != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		err := env.Client.Get(context.Background(), client.ObjectKey{Name: name}, &platformv1.Tenant{})
		return apierrors.IsNotFound(err), fmt.Sprintf("tenant %s still exists (%v)", name, err)
	})
}

var errRefused = errors.New("refused")

// touchTenant changes a Tenant's display name, which starts a pass at once.
func touchTenant(t testing.TB, name string) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		tn := getTenant(t, name)
		tn.Spec.DisplayName += "."
		return env.Client.Update(context.Background(), tn)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitEvent waits for an Event about a Tenant with a type, reason and a
// message containing text.
func waitEvent(t testing.TB, tenant, typ, reason, text string) {
	t.Helper()
	waitObjectEvent(t, "Tenant", tenant, typ, reason, text)
}

// waitEventSince is waitEvent for an Event (or a repeat of one) recorded at
// or after since, so an earlier, identical Event does not count.
func waitEventSince(t testing.TB, since time.Time, tenant, typ, reason, text string) {
	t.Helper()
	waitEvents(t, since.Truncate(time.Second), "Tenant", tenant, typ, reason, text)
}

// waitObjectEvent waits for an Event about an object of a kind.
func waitObjectEvent(t testing.TB, kind, name, typ, reason, text string) {
	t.Helper()
	waitEvents(t, time.Time{}, kind, name, typ, reason, text)
}

func waitEvents(t testing.TB, since time.Time, kind, name, typ, reason, text string) {
	t.Helper()
	eventually(t, 30*time.Second, func() (bool, string) {
		var list corev1.EventList
		if err := env.Client.List(context.Background(), &list); err != nil {
			return false, err.Error()
		}
		var seen []string
		for _, e := range list.Items {
			if e.InvolvedObject.Kind == kind && e.InvolvedObject.Name == name {
				if e.Type == typ && e.Reason == reason && strings.Contains(e.Message, text) && !e.LastTimestamp.Time.Before(since) {
					return true, ""
				}
				seen = append(seen, e.Type+" "+e.Reason+": "+e.Message)
			}
		}
		return false, fmt.Sprintf("no %s %s event about %s %s with %q; events:\n%s", typ, reason, kind, name, text, strings.Join(seen, "\n"))
	})
}
