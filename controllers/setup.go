package controllers

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/alerting/deliver"
	"bellwork.dev/bellwork/internal/alerting/promeval"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/notify"
	"bellwork.dev/bellwork/internal/pgadmin"
)

// CacheOptions limit the manager's Secret cache to the Secrets the operator
// writes (labelled app.kubernetes.io/managed-by=bellwork): a cluster's
// other Secrets are never held in memory. Foreign Secrets (admin and
// superuser credentials, OIDC client secrets) are read directly.
func CacheOptions() cache.Options {
	return cache.Options{
		// Nothing reads managedFields from the cache, and they are a good
		// part of every cached object (see docs/performance.md, "A full
		// resync at scale"); strings that repeat across objects are held
		// once (compactCached).
		DefaultTransform: defaultTransform(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}: {Label: labels.SelectorFromSet(labels.Set{builders.ManagedByLabel: builders.ManagedByValue})},
			// The EndpointSlice controller copies a Service's labels onto
			// its slices: only the LMS fleet's are needed.
			&discoveryv1.EndpointSlice{}: {Label: labels.SelectorFromSet(labels.Set{builders.ManagedByLabel: builders.ManagedByValue})},
		},
	}
}

// Setup registers the Tenant, School, FeatureFlag, lmsdeploy and BackupPolicy controllers and the tenant metrics
// with mgr. The manager should be created with CacheOptions.
func Setup(mgr manager.Manager, opts Options) error {
	if opts.Postgres == nil {
		dialer := pgadmin.NewDialer()
		// Every Tenant worker holds one admin session for its whole pass:
		// a smaller pool would leave workers waiting on each other.
		dialer.MaxConns = int32(opts.Tenant.MaxConcurrentReconciles)
		if dialer.MaxConns <= 0 {
			dialer.MaxConns = int32(DefaultOptions().Tenant.MaxConcurrentReconciles)
		}
		opts.Postgres = dialer
		// Pooled admin connections end with the manager.
		if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
			<-ctx.Done()
			dialer.Close()
			return nil
		})); err != nil {
			return err
		}
	}
	opts.fillDefaults()
	tenants := &TenantReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Events:    eventRecorder(mgr, "bellwork-tenant"),
		Platform:  opts.Platform,
		Options:   opts.Tenant,
		Restore:   opts.BackupPolicy,
	}
	if err := tenants.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up the Tenant controller: %w", err)
	}
	schools := &SchoolReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Events:    eventRecorder(mgr, "bellwork-school"),
		Platform:  opts.Platform,
		Options:   opts.School,
	}
	if err := schools.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up the School controller: %w", err)
	}
	featureFlags := &FeatureFlagReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Events:    eventRecorder(mgr, "bellwork-featureflag"),
		Platform:  opts.Platform,
		Options:   opts.FeatureFlag,
	}
	if err := featureFlags.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up the FeatureFlag controller: %w", err)
	}
	fleets := &LMSDeployReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Events:    eventRecorder(mgr, "bellwork-lmsdeploy"),
		Platform:  opts.Platform,
		Options:   opts.LMSDeploy,
		HTTP:      &http.Client{},
		Notifier:  &notify.Webhook{},
	}
	if err := fleets.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up the lmsdeploy controller: %w", err)
	}
	backups := &BackupPolicyReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Events:    eventRecorder(mgr, "bellwork-backuppolicy"),
		Platform:  opts.Platform,
		Options:   opts.BackupPolicy,
	}
	if err := backups.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up the BackupPolicy controller: %w", err)
	}
	if err := setupAlertRules(mgr, opts); err != nil {
		return err
	}
	releaseTenants := registerTenantMetrics(mgr.GetCache())
	releaseBackups := registerBackupMetrics(mgr.GetCache())
	// The collectors are process-wide: once this manager stops they must
	// not keep its cache (every cached object) alive. Every replica runs
	// this, the standbys too: they have a cache as well.
	return mgr.Add(onEveryReplica(func(ctx context.Context) error {
		<-ctx.Done()
		releaseTenants()
		releaseBackups()
		return nil
	}))
}

// onEveryReplica is a runnable that does not wait to be elected leader.
type onEveryReplica func(ctx context.Context) error

func (f onEveryReplica) Start(ctx context.Context) error { return f(ctx) }

// NeedLeaderElection says it runs on standbys too.
func (f onEveryReplica) NeedLeaderElection() bool { return false }

// setupAlertRules registers the AlertRule controller with its evaluation:
// a bounded sample store the scraper fills from the configured targets,
// evaluated with Prometheus' engine.
func setupAlertRules(mgr manager.Manager, opts Options) error {
	o := opts.AlertRule
	store := promeval.NewStore(o.Retention.Milliseconds(), o.MaxSeries)
	log := mgr.GetLogger().WithName("scrape")
	reader := mgr.GetAPIReader()
	scraper := &promeval.Scraper{Store: store, Targets: o.ScrapeTargets, Interval: o.ScrapeInterval,
		Discover: func(ctx context.Context) ([]promeval.Target, error) { return lmsPodTargets(ctx, reader) },
		OnError:  func(t promeval.Target, err error) { log.V(1).Info("Scrape failed", "job", t.Job, "error", err.Error()) }}
	if err := mgr.Add(manager.RunnableFunc(scraper.Start)); err != nil {
		return err
	}
	alerts := &AlertRuleReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Events:    eventRecorder(mgr, "bellwork-alertrule"),
		Platform:  opts.Platform,
		Options:   o,
		Local:     &promeval.Local{Engine: promeval.NewEngine(5_000_000, 30*time.Second), Queryable: store},
		Remote: func(src platformv1.AlertSource) Querier {
			return &promeval.Remote{URL: src.URL, Client: &http.Client{Timeout: orDefault(src.Timeout.Duration, 10*time.Second)}}
		},
		Sender: &deliver.Sender{Webhook: &notify.Webhook{}},
		Now:    o.Now,
	}
	if err := alerts.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up the AlertRule controller: %w", err)
	}
	return nil
}

// lmsPodTargets are the /metrics endpoints (the probe listener) of the LMS
// fleet's running server pods, in every namespace. Read from the API server
// each round rather than cached: a cache of every pod would hold far more
// than the fleet.
func lmsPodTargets(ctx context.Context, reader client.Reader) ([]promeval.Target, error) {
	var pods corev1.PodList
	if err := reader.List(ctx, &pods, client.MatchingLabels{builders.ComponentLabel: builders.LMSComponent, builders.RoleLabel: builders.RoleServer}); err != nil {
		return nil, fmt.Errorf("list the LMS fleet's pods: %w", err)
	}
	var out []promeval.Target
	for _, p := range pods.Items {
		if p.Status.Phase != corev1.PodRunning || p.Status.PodIP == "" || !p.DeletionTimestamp.IsZero() {
			continue
		}
		out = append(out, promeval.Target{Job: "lms", URL: "http://" + net.JoinHostPort(p.Status.PodIP, strconv.Itoa(builders.ProbePort)) + "/metrics"})
	}
	return out, nil
}

// eventRecorder is the core/v1 Event recorder. The events.k8s.io recorder
// folds events of the same reason into one series that keeps the first
// note, which would hide what a later drift repair put back; this one
// keys on the message too.
func eventRecorder(mgr manager.Manager, name string) record.EventRecorder {
	return mgr.GetEventRecorderFor(name) //nolint:staticcheck // see above
}
