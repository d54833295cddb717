// Command bellwork is the Bellwork operator: a controller-runtime manager
// running one reconciler per Bellwork kind.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
	"bellwork.dev/bellwork/internal/admission"
	"bellwork.dev/bellwork/internal/alerting/promeval"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/pkg/memlimit"
)

// newScheme knows the built-in kinds, Bellwork's and CloudNativePG's.
func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(platformv1.AddToScheme(s))
	utilruntime.Must(cnpgv1.AddToScheme(s))
	return s
}

// hostOverrides collects repeated --postgres-host-override flags.
type hostOverrides map[string]string

func (h hostOverrides) String() string {
	var parts []string
	for from, to := range h {
		parts = append(parts, from+"="+to)
	}
	return strings.Join(parts, ",")
}

func (h hostOverrides) Set(v string) error {
	from, to, err := controllers.ParseHostOverride(v)
	if err != nil {
		return err
	}
	h[from] = to
	return nil
}

// scrapeTargets collects --alert-scrape-target job=url flags.
type scrapeTargets struct{ list *[]promeval.Target }

func (s scrapeTargets) String() string {
	if s.list == nil {
		return ""
	}
	var parts []string
	for _, t := range *s.list {
		parts = append(parts, t.Job+"="+t.URL)
	}
	return strings.Join(parts, ",")
}

func (s scrapeTargets) Set(v string) error {
	job, url, ok := strings.Cut(v, "=")
	if !ok || job == "" || !(strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://")) {
		return fmt.Errorf("scrape target %q: want job=http(s)://host:port/metrics", v)
	}
	*s.list = append(*s.list, promeval.Target{Job: job, URL: url})
	return nil
}

func main() {
	var metricsAddr, probeAddr string
	var leaderElect bool
	opts := controllers.DefaultOptions()
	hook := admission.DefaultOptions()
	overrides := hostOverrides{}
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "address of the /metrics endpoint (0 disables it)")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "address of /healthz and /readyz")
	flag.BoolVar(&leaderElect, "leader-elect", false, "elect a leader so only one replica reconciles at a time")
	flag.StringVar(&opts.LMSNamespace, "lms-namespace", opts.LMSNamespace, "namespace where tenant directory Secrets are published for the LMS")
	flag.StringVar(&opts.OperatorNamespace, "operator-namespace", opts.OperatorNamespace, "namespace of external admin Secrets whose Tenant names no adminSecretNamespace")
	flag.IntVar(&opts.Tenant.LMSPort, "lms-port", opts.Tenant.LMSPort, "port in admin invitation links for *.localhost hosts (local runs); 0 leaves it out")
	flag.DurationVar(&opts.Tenant.DriftInterval, "drift-interval", opts.Tenant.DriftInterval, "how often roles, grants and connection limits of a Ready tenant are re-checked and put back")
	flag.DurationVar(&opts.Tenant.RotationGrace, "rotation-grace", opts.Tenant.RotationGrace, "how long the previous app login keeps its password after a rotation")
	flag.IntVar(&opts.Tenant.MaxConcurrentReconciles, "max-concurrent-reconciles", opts.Tenant.MaxConcurrentReconciles, "Tenants reconciled at once")
	flag.IntVar(&hook.Port, "webhook-port", hook.Port, "port of the admission webhook that refuses invalid Schools at kubectl apply; 0 turns it off")
	flag.StringVar(&hook.Host, "webhook-host", hook.Host, "address the admission webhook listens on (empty: all)")
	flag.StringVar(&hook.Service, "webhook-service", hook.Service, "Service in --operator-namespace in front of the operator's webhook port (port 443)")
	flag.StringVar(&hook.URL, "webhook-url", hook.URL, "development only: https://host:port the API server calls the webhook at, instead of the Service (an operator running outside the cluster)")
	flag.BoolVar(&opts.LMSDeploy.RunLocally, "run-locally", false, "development only: mark the LMS fleet's pods for make run's local kubelet and its Services for the local proxy")
	flag.BoolVar(&opts.BackupPolicy.RunLocally, "backup-run-locally", false, "development only: mark BackupPolicy Jobs' pods for make run's local kubelet")
	flag.StringVar(&opts.BackupPolicy.Image, "backup-image", opts.BackupPolicy.Image, "image of BackupPolicy and restore Jobs, built from build/backup.Dockerfile: the lms binary with pg_dump and pg_restore")
	flag.StringVar(&opts.BackupPolicy.VerificationSecret, "backup-verification-secret", "", "Secret in each tenant namespace whose uri key connects to the verification server as a role that may create databases; empty: no verification CronJobs")
	flag.StringVar(&opts.LMSDeploy.DevMailboxDir, "lms-dev-mailbox-dir", "", "development only: LMS pods keep sent mail for /dev/mailbox and write it to this folder")
	flag.StringVar(&opts.LMSDeploy.DevFilesDir, "lms-dev-files-dir", "", "development only: LMS pods keep uploaded files (attachments, submissions) in this folder instead of object storage")
	flag.IntVar(&opts.LMSDeploy.LocalActivePort, "local-active-port", 0, "development only, with --run-locally: the local proxy's port for the active Service of an lmsdeploy without the "+builders.LocalActivePortAnnotation+" annotation")
	flag.IntVar(&opts.LMSDeploy.LocalPreviewPort, "local-preview-port", 0, "development only, with --run-locally: the local proxy's port for the preview Service of an lmsdeploy without the "+builders.LocalPreviewPortAnnotation+" annotation")
	flag.DurationVar(&opts.LMSDeploy.ResyncInterval, "lmsdeploy-resync", opts.LMSDeploy.ResyncInterval, "how often an lmsdeploy is looked at when nothing it watches changed")
	flag.Var(scrapeTargets{&opts.AlertRule.ScrapeTargets}, "alert-scrape-target", "a /metrics endpoint AlertRule expressions are evaluated over, job=url (repeatable)")
	flag.DurationVar(&opts.AlertRule.ScrapeInterval, "alert-scrape-interval", opts.AlertRule.ScrapeInterval, "how often the scrape targets are read")
	flag.DurationVar(&opts.AlertRule.Heartbeat, "alert-heartbeat", opts.AlertRule.Heartbeat, "how often a steady AlertRule's status (values, last evaluation) is refreshed when nothing else changed")
	flag.Var(overrides, "postgres-host-override", "development only: dial host:port=host:port instead of a database server's address (repeatable); lets `make run` and tests point CloudNativePG service names at a local Postgres")
	zapOpts := zap.Options{Development: false}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	// At 10,000 tenants the cache is about half the chart's memory limit:
	// without a soft limit the collector would let the heap reach it.
	if said, err := memlimit.Apply("/sys/fs/cgroup"); err != nil {
		ctrl.Log.WithName("setup").Error(err, "memory limit not set")
	} else {
		ctrl.Log.WithName("setup").Info("memory", "limit", said)
	}
	opts.HostOverrides = overrides
	hook.Namespace = opts.OperatorNamespace

	if err := run(metricsAddr, probeAddr, leaderElect, opts, hook); err != nil {
		fmt.Fprintf(os.Stderr, "bellwork: %v\n", err)
		os.Exit(1)
	}
}

func run(metricsAddr, probeAddr string, leaderElect bool, opts controllers.Options, hookOpts admission.Options) error {
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("find the cluster (set KUBECONFIG or run in a pod): %w", err)
	}
	ctx := ctrl.SetupSignalHandler()
	scheme := newScheme()
	var hook *admission.Webhook
	if hookOpts.Port != 0 {
		if hook, err = admission.NewWebhook(ctx, cfg, scheme, hookOpts); err != nil {
			return fmt.Errorf("admission webhook: %w", err)
		}
	}
	mgrOpts := ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controllers.CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress: probeAddr,
		LeaderElection:         leaderElect,
		LeaderElectionID:       "operator.platform.bellwork.dev",
	}
	if hook != nil {
		mgrOpts.WebhookServer = hook.Server
	}
	mgr, err := ctrl.NewManager(cfg, mgrOpts)
	if err != nil {
		return fmt.Errorf("create manager: %w", err)
	}
	if err := controllers.Setup(mgr, opts); err != nil {
		return err
	}
	if hook != nil {
		if err := hook.Register(mgr); err != nil {
			return err
		}
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("add health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("add ready check: %w", err)
	}
	ctrl.Log.Info("Starting manager", "lmsNamespace", opts.LMSNamespace, "driftInterval", opts.Tenant.DriftInterval)
	return mgr.Start(ctx)
}
