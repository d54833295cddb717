package controllers_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/dev/pgserver"
	"bellwork.dev/bellwork/internal/dev/testenv"
	"bellwork.dev/bellwork/pkg/directory"
)

// Issue 16's goals for a full resync at scale, on 2 cores.
const (
	resyncHeapGoalMiB = 250
	resyncTimeGoal    = 10 * time.Minute
)

// scaleTenants is how many Tenants BenchmarkResyncAtScale makes:
// BELLWORK_BENCH_TENANTS, 10,000 by default. Each gets two Schools.
func scaleTenants(b testing.TB) int {
	v := os.Getenv("BELLWORK_BENCH_TENANTS")
	if v == "" {
		return 10000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("BELLWORK_BENCH_TENANTS=%q: want a positive number", v)
	}
	return n
}

// createConcurrency bounds the benchmark's own creates, so setting up
// 30,000 objects neither takes one round trip at a time nor floods the API
// server the operator is measured against.
const createConcurrency = 16

// BenchmarkResyncAtScale provisions N Tenants (BELLWORK_BENCH_TENANTS,
// default 10,000) on a shared CloudNativePG cluster and 2N Schools with the
// in-process manager, then stops it and starts a new one: the restart. It
// prints the time until every Tenant and School has been reconciled once,
// the manager's heap after it, the client's QPS, the worker counts, and
// the writes the resync made (API writes, SQL statements, Events), which
// must be 0 because nothing changed.
//
// No database is created: CloudNativePG's part (a healthy Cluster, its
// superuser Secret, Databases marked applied) is played through the API as
// the controller tests do, and the Postgres server by simPostgres, which
// keeps roles, databases and grants in memory. What is measured is the
// operator and the API server; Postgres' own time is not in it.
func BenchmarkResyncAtScale(b *testing.B) {
	n := scaleTenants(b)
	for i := range b.N {
		resyncAtScale(b, fmt.Sprintf("scale%d", i), n)
	}
}

func resyncAtScale(b *testing.B, prefix string, n int) {
	sim := newSimPostgres()
	sharedCluster(b, "postgres", "shared")
	healCluster(b, "postgres", "shared")
	stopCNPG := playDatabases(b, sim)
	defer stopCNPG()

	opts := func(o *controllers.Options) {
		o.Postgres = sim
		// Steady-state intervals, so the setup does not keep re-reading.
		o.Tenant.StatusInterval, o.School.StatusInterval = 10*time.Minute, 10*time.Minute
		o.Tenant.DriftInterval, o.School.ResyncInterval = time.Hour, time.Hour
		o.RetryInterval = 2 * time.Second
	}

	// Setup: provision everything with a first manager.
	setupStart := time.Now()
	_, stopFirst := runScaleManager(b, opts, nil, nil)
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("%s-%05d", prefix, i)
	}
	createAll(b, n, func(i int) client.Object {
		tn := cnpgTenant(names[i], nil)
		return tn
	})
	poll := max(250*time.Millisecond, time.Duration(n)*200*time.Microsecond)
	waitAllReadyEvery(b, names, 2*time.Hour, poll)
	schools := make([]*platformv1.School, 2*n)
	createAll(b, 2*n, func(i int) client.Object {
		s := school(names[i/2], fmt.Sprintf("s%d", i%2), fmt.Sprintf("S%d", i%2))
		schools[i] = s
		return s
	})
	// The LMS stores every school: its report in operator_status.
	for _, s := range schools {
		db := (&platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: s.Spec.Tenant}}).DatabaseName()
		sim.reportSchool(db, s.Spec.Code, directory.SchoolStatus{Hash: builders.SchoolHash(s), SyncedAt: setupStart})
	}
	waitSchoolsReady(b, n*2, 2*time.Hour, poll)
	waitQuiet(b, sim, 2*time.Second)
	stopFirst()
	setup := time.Since(setupStart)
	if u := sim.unknownStatements(); len(u) > 0 {
		b.Fatalf("the simulated Postgres was sent what it does not know:\n%s", strings.Join(u, "\n"))
	}

	// The restart: a new manager, counting its writes and the Schools its
	// passes read, from an empty cache. Progress is not polled through the
	// metrics registry: gathering it lists every Tenant from the cache
	// (bellwork_tenants), which at 10,000 would load the process measured.
	w := &writeCounter{}
	seen := &schoolsRead{keys: map[client.ObjectKey]bool{}}
	execsBefore := sim.execs.Load()
	eventsBefore := countEvents(b)
	inspected := sim.inspectedSnapshot()
	tenantPasses, schoolPasses := reconcileCount(b, "tenant"), reconcileCount(b, "school")
	var workers int
	start, cpu := time.Now(), processCPU()
	mgr, stop := runScaleManager(b, func(o *controllers.Options) {
		opts(o)
		workers = o.Tenant.MaxConcurrentReconciles
	}, w, seen)
	waitCacheSynced(b, mgr)
	cacheSync := time.Since(start)
	deadline := start.Add(2 * time.Hour)
	for {
		tenants, schools := sim.inspectedSince(inspected), seen.count()
		// Every object's pass has begun; done when no pass is running or queued.
		if tenants >= n && schools >= 2*n && idle(b, "tenant") && idle(b, "school") {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("resync not done after 2h: %d of %d tenants and %d of %d schools reconciled", tenants, n, schools, 2*n)
		}
		if tenants >= n && schools >= 2*n {
			time.Sleep(100 * time.Millisecond)
		} else {
			time.Sleep(250 * time.Millisecond)
		}
	}
	resync, resyncCPU := time.Since(start), processCPU()-cpu
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	tenantPassesDone, schoolPassesDone := reconcileCount(b, "tenant")-tenantPasses, reconcileCount(b, "school")-schoolPasses
	// Writes a pass would make land within the pass; give stragglers (an
	// Event's asynchronous send) a moment.
	time.Sleep(2 * time.Second)
	apiWrites, sqlWrites := w.list(), sim.execs.Load()-execsBefore
	events := countEvents(b) - eventsBefore
	stop()

	heap := float64(after.HeapInuse) / (1 << 20)
	b.ReportMetric(resync.Seconds(), "resync-s")
	b.ReportMetric(heap, "heap-MiB")
	b.ReportMetric(float64(len(apiWrites))+float64(sqlWrites)+float64(events), "writes")
	fmt.Printf("resync at scale: %d tenants (CloudNativePG, shared cluster), %d schools; setup took %s\n", n, 2*n, setup.Round(time.Second))
	fmt.Printf("full resync after a restart: %s (cache synced after %s; %.0f tenant passes, %.0f school passes; %s CPU in the test process) (goal <= %s: %s)\n",
		resync.Round(100*time.Millisecond), cacheSync.Round(100*time.Millisecond), tenantPassesDone, schoolPassesDone,
		resyncCPU.Round(100*time.Millisecond), resyncTimeGoal, metOrNot(resync <= resyncTimeGoal))
	// The process also holds the simulated Postgres and the benchmark's
	// own data: an upper bound for the manager's.
	fmt.Printf("heap in use after the resync (whole test process, after GC): %.1f MiB (goal <= %d MiB: %s)\n",
		heap, resyncHeapGoalMiB, metOrNot(heap <= resyncHeapGoalMiB))
	fmt.Printf("tenant workers %d, school workers 1, client QPS %s\n", workers, qpsString(env.Config.QPS, env.Config.Burst))
	fmt.Printf("writes during the resync of unchanged objects: %d API, %d SQL, %d Events (goal 0: %s)\n",
		len(apiWrites), sqlWrites, events, metOrNot(len(apiWrites) == 0 && sqlWrites == 0 && events == 0))
	if len(apiWrites) > 0 {
		fmt.Printf("first API writes:\n  %s\n", strings.Join(apiWrites[:min(len(apiWrites), 10)], "\n  "))
	}
}

// schoolsRead records the Schools read by key: a School pass begins by
// reading its School, and nothing else reads one by key.
type schoolsRead struct {
	mu   sync.Mutex
	keys map[client.ObjectKey]bool
}

func (s *schoolsRead) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}

type schoolReadClient struct {
	client.Client
	seen *schoolsRead
}

func (c schoolReadClient) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if _, ok := obj.(*platformv1.School); ok {
		c.seen.mu.Lock()
		c.seen.keys[key] = true
		c.seen.mu.Unlock()
	}
	return c.Client.Get(ctx, key, obj, opts...)
}

// processCPU is the CPU the test process has used, user and system: the
// manager's work and the simulated Postgres, not the API server's.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runScaleManager is runManager with the benchmark's client: writes
// counted in w and Schools read recorded in seen, when set.
func runScaleManager(b testing.TB, mutate func(*controllers.Options), w *writeCounter, seen *schoolsRead) (ctrl.Manager, func()) {
	b.Helper()
	o := testOptions()
	mutate(&o)
	mgrOpts := ctrl.Options{
		Scheme:                 testenv.Scheme(),
		Cache:                  controllers.CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	}
	if w != nil {
		mgrOpts.NewClient = func(cfg *rest.Config, co client.Options) (client.Client, error) {
			c, err := client.New(cfg, co)
			if err != nil {
				return nil, err
			}
			return schoolReadClient{countingClient{c, w}, seen}, nil
		}
	}
	mgr, err := ctrl.NewManager(env.Config, mgrOpts)
	if err != nil {
		b.Fatal(err)
	}
	if err := controllers.Setup(mgr, o); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := mgr.Start(ctx); err != nil {
			b.Errorf("manager: %v", err)
		}
	}()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); wg.Wait() }) }
	b.Cleanup(stop)
	return mgr, stop
}

func waitCacheSynced(b testing.TB, mgr ctrl.Manager) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		b.Fatal("the new manager's cache did not sync")
	}
}

// createAll creates count objects, createConcurrency at a time.
func createAll(b testing.TB, count int, obj func(i int) client.Object) {
	b.Helper()
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	for range createConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for failed.Load() == nil {
				i := int(next.Add(1) - 1)
				if i >= count {
					return
				}
				o := obj(i)
				if err := env.Client.Create(context.Background(), o); err != nil && !apierrors.IsAlreadyExists(err) {
					failed.Store(fmt.Errorf("create %T %s: %w", o, o.GetName(), err))
				}
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
}

// waitAllReadyEvery is waitAllReady with a poll interval fit for the
// number of tenants: one List of 10,000 Tenants is itself a load.
func waitAllReadyEvery(b testing.TB, names []string, timeout, every time.Duration) {
	deadline := time.Now().Add(timeout)
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for {
		var list platformv1.TenantList
		if err := env.Client.List(context.Background(), &list); err != nil {
			b.Fatal(err)
		}
		ready := 0
		for _, t := range list.Items {
			if want[t.Name] && meta.IsStatusConditionTrue(t.Status.Conditions, platformv1.ConditionReady) {
				ready++
			}
		}
		if ready == len(names) {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d tenants Ready after %s", ready, len(names), timeout)
		}
		time.Sleep(every)
	}
}

func waitSchoolsReady(b testing.TB, count int, timeout, every time.Duration) {
	deadline := time.Now().Add(timeout)
	for {
		var list platformv1.SchoolList
		if err := env.Client.List(context.Background(), &list); err != nil {
			b.Fatal(err)
		}
		ready := 0
		for _, s := range list.Items {
			if meta.IsStatusConditionTrue(s.Status.Conditions, platformv1.ConditionReady) {
				ready++
			}
		}
		if ready >= count {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d schools Ready after %s", ready, count, timeout)
		}
		time.Sleep(every)
	}
}

// waitQuiet waits until the simulated Postgres has seen no statement for
// a while and both controllers' queues are empty: the setup's last passes
// are done.
func waitQuiet(b testing.TB, sim *simPostgres, quiet time.Duration) {
	last, since := sim.execs.Load(), time.Now()
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if now := sim.execs.Load(); now != last || queueDepth(b, "tenant") > 0 || queueDepth(b, "school") > 0 {
			last, since = now, time.Now()
			continue
		}
		if time.Since(since) >= quiet {
			return
		}
	}
	b.Fatal("the operator did not settle within 10 minutes")
}

// healCluster gives a CloudNativePG Cluster a healthy primary and its
// superuser Secret, as CloudNativePG does.
func healCluster(b testing.TB, ns, name string) {
	ctx := context.Background()
	cl := &cnpgv1.Cluster{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cl); err != nil {
		b.Fatal(err)
	}
	cl.Status.Instances, cl.Status.ReadyInstances, cl.Status.Phase = cl.Spec.Instances, cl.Spec.Instances, cnpgv1.PhaseHealthy
	cl.Status.CurrentPrimary, cl.Status.TargetPrimary = name+"-1", name+"-1"
	if err := env.Client.Status().Update(ctx, cl); err != nil {
		b.Fatal(err)
	}
	su := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name + "-superuser", Namespace: ns},
		Type: corev1.SecretTypeBasicAuth, StringData: map[string]string{"username": pgserver.SuperUser, "password": "simulated"}}
	if err := env.Client.Create(ctx, su); err != nil && !apierrors.IsAlreadyExists(err) {
		b.Fatal(err)
	}
}

// playDatabases plays CloudNativePG's Database controller through a watch:
// each Database not yet applied gets its database (in simPostgres) and
// status applied, as CloudNativePG writes it.
func playDatabases(b testing.TB, sim *simPostgres) (stop func()) {
	wc, err := client.NewWithWatch(env.Config, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	todo := make(chan cnpgv1.Database, 1024)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range todo {
				sim.createDatabase(d.Spec.Name, d.Spec.Owner)
				d.Status.Applied, d.Status.ObservedGeneration = ptr.To(true), d.Generation
				if err := env.Client.Status().Update(ctx, &d); err != nil && ctx.Err() == nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
					b.Errorf("mark Database %s applied: %v", d.Name, err)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(todo)
		for ctx.Err() == nil {
			watcher, err := wc.Watch(ctx, &cnpgv1.DatabaseList{})
			if err != nil {
				time.Sleep(time.Second)
				continue
			}
			for ev := range watcher.ResultChan() {
				d, ok := ev.Object.(*cnpgv1.Database)
				if !ok || (ev.Type != watch.Added && ev.Type != watch.Modified) {
					continue
				}
				if d.Status.Applied != nil && *d.Status.Applied && d.Status.ObservedGeneration == d.Generation {
					continue
				}
				select {
				case todo <- *d:
				case <-ctx.Done():
				}
			}
			watcher.Stop()
		}
	}()
	return func() { cancel(); wg.Wait() }
}

// countEvents is the number of Events recorded in the cluster, repeats
// included (an Event's count).
func countEvents(b testing.TB) int {
	var list corev1.EventList
	if err := env.Client.List(context.Background(), &list); err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, e := range list.Items {
		n += int(max(e.Count, 1))
	}
	return n
}

// queueDepth is the named controller's work queue length.
func queueDepth(t testing.TB, controller string) float64 {
	return controllerGauge(t, "workqueue_depth", "name", controller)
}

// idle says whether the named controller has nothing queued and no pass
// running.
func idle(t testing.TB, controller string) bool {
	return queueDepth(t, controller) == 0 && controllerGauge(t, "controller_runtime_active_workers", "controller", controller) == 0
}

func controllerGauge(t testing.TB, name, label, controller string) float64 {
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == controller {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	return 0
}
