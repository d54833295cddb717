package controllers_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
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

// The setup's own pace: it is not measured, only waited for, so it uses
// more of everything than the measured restart does. At 10,000 tenants
// the setup is most of the run's time.
const (
	// setupCreators create the benchmark's objects at once.
	setupCreators = 32
	// setupTenantWorkers are the first manager's Tenant workers.
	setupTenantWorkers = 32
	// setupDatabaseWorkers play CloudNativePG's Database controller.
	setupDatabaseWorkers = 16
	// The setup's clients (the benchmark's own, CloudNativePG's part and
	// the first manager's) may send this many requests per second: the
	// API server, not a client-side limiter, sets the pace.
	setupQPS, setupBurst = 5000, 10000
)

// BenchmarkResyncAtScale provisions N Tenants (BELLWORK_BENCH_TENANTS,
// default 10,000) on a shared CloudNativePG cluster and 2N Schools with the
// in-process manager, then stops it and starts a new one: the restart. It
// prints the time until every Tenant and School has been reconciled once,
// the manager's heap after it, the client's QPS, the worker counts, and
// the writes the resync made (API writes, SQL statements, Events), which
// must be 0 because nothing changed. The setup's time is printed apart.
//
// No database is created: CloudNativePG's part (a healthy Cluster, its
// superuser Secret, Databases marked applied) is played through the API as
// the controller tests do, and the Postgres server by simPostgres, which
// keeps roles, databases and grants in memory. What is measured is the
// operator and the API server; Postgres' own time is not in it.
//
// BELLWORK_BENCH_HEAPPROFILE=file writes a heap profile of the test
// process after the resync (go tool pprof -sample_index=inuse_space).
func BenchmarkResyncAtScale(b *testing.B) {
	n := scaleTenants(b)
	for i := range b.N {
		resyncAtScale(b, fmt.Sprintf("scale%d", i), n)
	}
}

func resyncAtScale(b *testing.B, prefix string, n int) {
	if os.Getenv("BELLWORK_BENCH_HEAPPROFILE") != "" {
		// Finer than the default 512 KiB: the profile is read per type.
		runtime.MemProfileRate = 16 << 10
	}
	sim := newSimPostgres()
	setupCfg := rest.CopyConfig(env.Config)
	setupCfg.QPS, setupCfg.Burst = setupQPS, setupBurst
	fast, err := client.New(setupCfg, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		b.Fatal(err)
	}
	sharedCluster(b, "postgres", "shared")
	healCluster(b, "postgres", "shared")
	stopCNPG := playDatabases(b, sim, setupCfg, setupDatabaseWorkers)
	defer stopCNPG()

	opts := func(o *controllers.Options) {
		o.Postgres = sim
		// Steady-state intervals, so the setup does not keep re-reading.
		o.Tenant.StatusInterval, o.School.StatusInterval = 10*time.Minute, 10*time.Minute
		o.Tenant.DriftInterval, o.School.ResyncInterval = time.Hour, time.Hour
		o.RetryInterval = 2 * time.Second
	}

	// Setup: provision everything with a first manager. Progress is read
	// from that manager's cache, not listed from the API server: a List of
	// 10,000 Tenants every few seconds would load the server the setup
	// waits for.
	setupStart, setupCPU := time.Now(), processCPU()
	setupTenantPasses, setupSchoolPasses := reconcileCount(b, "tenant"), reconcileCount(b, "school")
	goroutinesBefore := runtime.NumGoroutine()
	first, stopFirst := runScaleManager(b, setupCfg, func(o *controllers.Options) {
		opts(o)
		o.Tenant.MaxConcurrentReconciles = setupTenantWorkers
	}, nil, nil)
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("%s-%05d", prefix, i)
	}
	createAll(b, fast, n, func(i int) client.Object { return cnpgTenant(names[i], nil) })
	tenantsCreated := time.Since(setupStart)
	waitTenantsReady(b, first, prefix, n, 2*time.Hour)
	tenantsReady := time.Since(setupStart)
	schools := make([]*platformv1.School, 2*n)
	createAll(b, fast, 2*n, func(i int) client.Object {
		s := school(names[i/2], fmt.Sprintf("s%d", i%2), fmt.Sprintf("S%d", i%2))
		schools[i] = s
		return s
	})
	// The LMS stores every school: its report in operator_status, of the
	// School as created (with the API server's defaults).
	for _, s := range schools {
		db := (&platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: s.Spec.Tenant}}).DatabaseName()
		sim.reportSchool(db, s.Spec.Code, directory.SchoolStatus{Hash: builders.SchoolHash(s), SyncedAt: setupStart})
	}
	schools = nil
	waitSchoolsReady(b, first, prefix, 2*n, 2*time.Hour)
	schoolsReady := time.Since(setupStart)
	waitQuiet(b, sim, 2*time.Second)
	setupTenantPasses, setupSchoolPasses = reconcileCount(b, "tenant")-setupTenantPasses, reconcileCount(b, "school")-setupSchoolPasses
	stopFirst()
	setup, setupCPU := time.Since(setupStart), processCPU()-setupCPU
	if u := sim.unknownStatements(); len(u) > 0 {
		b.Fatalf("the simulated Postgres was sent what it does not know:\n%s", strings.Join(u, "\n"))
	}
	fmt.Printf("resync at scale: %d tenants (CloudNativePG, shared cluster), %d schools\n", n, 2*n)
	fmt.Printf("setup (not measured): %s: tenants created after %s, Ready after %s, schools Ready after %s "+
		"(%d creating workers, %d tenant workers, %d Database status workers, client QPS %s; %.0f tenant passes, %.0f school passes, %s CPU in the test process)\n",
		setup.Round(time.Second), tenantsCreated.Round(time.Second), tenantsReady.Round(time.Second), schoolsReady.Round(time.Second),
		setupCreators, setupTenantWorkers, setupDatabaseWorkers, qpsString(setupCfg.QPS, setupCfg.Burst),
		setupTenantPasses, setupSchoolPasses, setupCPU.Round(time.Second))

	// The heap before the restart: the simulated Postgres, the benchmark's
	// own data and whatever the first manager left. The new manager's
	// heap is what the resync adds to it.
	before := settledHeap(goroutinesBefore)

	// The restart: a new manager, counting its writes and the Schools its
	// passes read, from an empty cache. Progress is not polled through the
	// metrics registry until every object has been read: gathering it
	// lists every Tenant from the cache (bellwork_tenants).
	w := &writeCounter{}
	seen := &schoolsRead{keys: map[client.ObjectKey]bool{}}
	execsBefore := sim.execs.Load()
	eventsBefore := countEvents(b)
	inspected := sim.inspectedSnapshot()
	tenantPasses, schoolPasses := reconcileCount(b, "tenant"), reconcileCount(b, "school")
	var workers int
	start, cpu := time.Now(), processCPU()
	mgr, stop := runScaleManager(b, env.Config, func(o *controllers.Options) {
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
	if path := os.Getenv("BELLWORK_BENCH_HEAPPROFILE"); path != "" {
		writeHeapProfile(b, path)
	}
	tenantPassesDone, schoolPassesDone := reconcileCount(b, "tenant")-tenantPasses, reconcileCount(b, "school")-schoolPasses
	// Writes a pass would make land within the pass; give stragglers (an
	// Event's asynchronous send) a moment.
	time.Sleep(2 * time.Second)
	apiWrites, sqlWrites := w.list(), sim.execs.Load()-execsBefore
	events := countEvents(b) - eventsBefore
	stop()

	const mib = 1 << 20
	heap, baseline := float64(after.HeapInuse)/mib, float64(before.HeapInuse)/mib
	// Judged on live bytes: the heap in use also counts the free space of
	// partly used spans, and the manager's objects fill the space the
	// setup's garbage left before the restart, so its difference runs low
	// by as much as the setup happened to leave free (20 MiB between two
	// runs at 10,000).
	managerHeap := float64(after.HeapAlloc)/mib - float64(before.HeapAlloc)/mib
	b.ReportMetric(resync.Seconds(), "resync-s")
	b.ReportMetric(managerHeap, "heap-MiB")
	b.ReportMetric(float64(len(apiWrites))+float64(sqlWrites)+float64(events), "writes")
	fmt.Printf("full resync after a restart: %s (cache synced after %s; %.0f tenant passes, %.0f school passes; %s CPU in the test process) (goal <= %s: %s)\n",
		resync.Round(100*time.Millisecond), cacheSync.Round(100*time.Millisecond), tenantPassesDone, schoolPassesDone,
		resyncCPU.Round(100*time.Millisecond), resyncTimeGoal, atGoalScale(n, resync <= resyncTimeGoal))
	fmt.Printf("manager heap after the resync: %.1f MiB of live objects, %.1f KiB per tenant (goal <= %d MiB: %s); heap in use grew by %.1f MiB\n",
		managerHeap, managerHeap*1024/float64(n), resyncHeapGoalMiB, atGoalScale(n, managerHeap <= resyncHeapGoalMiB), heap-baseline)
	// The whole process also holds the simulated Postgres and the
	// benchmark's own data: an upper bound for the manager's.
	fmt.Printf("  (heap in use after GC, whole test process: %.1f MiB after the resync, %.1f MiB before the restart: the simulated Postgres and the benchmark's data; live objects: %.1f MiB after, %.1f MiB before)\n",
		heap, baseline, float64(after.HeapAlloc)/mib, float64(before.HeapAlloc)/mib)
	fmt.Printf("tenant workers %d, school workers 1, client QPS %s\n", workers, qpsString(env.Config.QPS, env.Config.Burst))
	fmt.Printf("writes during the resync of unchanged objects: %d API, %d SQL, %d Events (goal 0: %s)\n",
		len(apiWrites), sqlWrites, events, metOrNot(len(apiWrites) == 0 && sqlWrites == 0 && events == 0))
	if len(apiWrites) > 0 {
		fmt.Printf("first API writes:\n  %s\n", strings.Join(apiWrites[:min(len(apiWrites), 10)], "\n  "))
	}
}

// atGoalScale is metOrNot for the goals set at 10,000 tenants: below that
// a figure says nothing about the goal by itself.
func atGoalScale(n int, ok bool) string {
	if n < 10000 {
		return "not judged below 10,000 tenants"
	}
	return metOrNot(ok)
}

// settledHeap is the heap once the stopped first manager is gone: its
// informers' goroutines end a little after the manager's Start returns,
// and until then they keep its whole cache alive. goroutines is how many
// ran before it started.
func settledHeap(goroutines int) runtime.MemStats {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline) && runtime.NumGoroutine() > goroutines+5; {
		time.Sleep(200 * time.Millisecond)
	}
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m
}

func writeHeapProfile(b testing.TB, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
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
func runScaleManager(b testing.TB, cfg *rest.Config, mutate func(*controllers.Options), w *writeCounter, seen *schoolsRead) (ctrl.Manager, func()) {
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
	mgr, err := ctrl.NewManager(cfg, mgrOpts)
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

// createAll creates count objects through c, setupCreators at a time.
func createAll(b testing.TB, c client.Client, count int, obj func(i int) client.Object) {
	b.Helper()
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	for range setupCreators {
		wg.Go(func() {
			for failed.Load() == nil {
				i := int(next.Add(1) - 1)
				if i >= count {
					return
				}
				o := obj(i)
				if err := c.Create(context.Background(), o); err != nil && !apierrors.IsAlreadyExists(err) {
					failed.Store(fmt.Errorf("create %T %s: %w", o, o.GetName(), err))
				}
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
}

// waitTenantsReady waits until count Tenants named prefix-… are Ready in
// mgr's cache.
func waitTenantsReady(b testing.TB, mgr ctrl.Manager, prefix string, count int, timeout time.Duration) {
	waitCounted(b, "tenants", count, timeout, func() (int, error) {
		var list platformv1.TenantList
		if err := mgr.GetCache().List(context.Background(), &list, client.UnsafeDisableDeepCopy); err != nil {
			return 0, err
		}
		ready := 0
		for i := range list.Items {
			t := &list.Items[i]
			if strings.HasPrefix(t.Name, prefix+"-") && meta.IsStatusConditionTrue(t.Status.Conditions, platformv1.ConditionReady) {
				ready++
			}
		}
		return ready, nil
	})
}

// waitSchoolsReady waits until count Schools of prefix-… tenants are
// Ready in mgr's cache.
func waitSchoolsReady(b testing.TB, mgr ctrl.Manager, prefix string, count int, timeout time.Duration) {
	waitCounted(b, "schools", count, timeout, func() (int, error) {
		var list platformv1.SchoolList
		if err := mgr.GetCache().List(context.Background(), &list, client.UnsafeDisableDeepCopy); err != nil {
			return 0, err
		}
		ready := 0
		for i := range list.Items {
			s := &list.Items[i]
			if strings.HasPrefix(s.Spec.Tenant, prefix+"-") && meta.IsStatusConditionTrue(s.Status.Conditions, platformv1.ConditionReady) {
				ready++
			}
		}
		return ready, nil
	})
}

func waitCounted(b testing.TB, what string, want int, timeout time.Duration, count func() (int, error)) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for {
		n, err := count()
		if err != nil {
			b.Fatal(err)
		}
		if n >= want {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d %s Ready after %s", n, want, what, timeout)
		}
		time.Sleep(500 * time.Millisecond)
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
func playDatabases(b testing.TB, sim *simPostgres, cfg *rest.Config, workers int) (stop func()) {
	wc, err := client.NewWithWatch(cfg, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	todo := make(chan cnpgv1.Database, 1024)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range todo {
				sim.createDatabase(d.Spec.Name, d.Spec.Owner)
				d.Status.Applied, d.Status.ObservedGeneration = ptr.To(true), d.Generation
				if err := wc.Status().Update(ctx, &d); err != nil && ctx.Err() == nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
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
