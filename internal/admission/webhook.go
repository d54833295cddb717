package admission

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// The operator keeps its webhook's certificate and registration itself.
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingwebhookconfigurations,verbs=get;create;update;patch

// Options say where the operator serves its admission webhook and where the
// API server reaches it.
type Options struct {
	// Port to serve on; 0 turns the webhook off.
	Port int
	// Host to listen on; empty listens on every address.
	Host string
	// URL, when set, is the base URL the API server calls (an operator
	// running outside the cluster: make run, tests); otherwise Service.
	URL string
	// Namespace is the operator's namespace: the certificate's Secret and
	// the Service are there.
	Namespace string
	// Service and ServicePort name the Service in front of the operator's
	// pods, in Namespace.
	Service     string
	ServicePort int32
}

// DefaultOptions are the operator's defaults (the flags' defaults).
func DefaultOptions() Options {
	return Options{Port: 9443, Namespace: "bellwork-system", Service: "bellwork-webhook", ServicePort: 443}
}

// Webhook is the operator's admission webhook, ready to hand to the manager.
type Webhook struct {
	Server webhook.Server

	client   client.Client
	ns       string
	dnsNames []string
	ips      []net.IP
	target   builders.WebhookTarget
	cert     atomic.Pointer[tls.Certificate]
	certPEM  atomic.Pointer[[]byte]
}

// refreshInterval is how often every replica re-reads the kept certificate
// (another replica may have renewed it) and the leader re-checks the
// webhook configuration.
const refreshInterval = time.Minute

// NewWebhook finds or makes the webhook's certificate and a server
// presenting it. It runs before the manager, with its own client.
func NewWebhook(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, o Options) (*Webhook, error) {
	w := &Webhook{ns: o.Namespace,
		target: builders.WebhookTarget{URL: o.URL, ServiceNamespace: o.Namespace, Service: o.Service, ServicePort: o.ServicePort}}
	var err error
	if w.dnsNames, w.ips, err = dialedNames(w.target); err != nil {
		return nil, err
	}
	if w.client, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return nil, err
	}
	if _, err := w.refresh(ctx); err != nil {
		return nil, err
	}
	w.Server = webhook.NewServer(webhook.Options{Host: o.Host, Port: o.Port, TLSOpts: []func(*tls.Config){func(c *tls.Config) {
		c.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return w.cert.Load(), nil }
	}}})
	return w, nil
}

// refresh reads (or renews) the kept certificate and serves it from now on;
// it returns the CA the API server must trust.
func (w *Webhook) refresh(ctx context.Context) ([]byte, error) {
	p, err := keptPair(ctx, w.client, w.ns, w.dnsNames, w.ips)
	if err != nil {
		return nil, fmt.Errorf("webhook certificate (Secret %s/%s): %w", w.ns, builders.WebhookSecretName, err)
	}
	if have := w.certPEM.Load(); have == nil || string(*have) != string(p.Cert) {
		cert, err := tls.X509KeyPair(p.Cert, p.Key)
		if err != nil {
			return nil, err
		}
		w.cert.Store(&cert)
		w.certPEM.Store(&p.Cert)
	}
	return p.CA, nil
}

// dialedNames are the names the API server dials the webhook by.
func dialedNames(t builders.WebhookTarget) ([]string, []net.IP, error) {
	if t.URL != "" {
		u, err := url.Parse(t.URL)
		if err != nil || u.Scheme != "https" || u.Hostname() == "" {
			return nil, nil, fmt.Errorf("webhook URL %q: want https://host:port", t.URL)
		}
		if ip := net.ParseIP(u.Hostname()); ip != nil {
			return nil, []net.IP{ip}, nil
		}
		return []string{u.Hostname()}, nil, nil
	}
	svc := t.Service + "." + t.ServiceNamespace + ".svc"
	return []string{svc, svc + ".cluster.local", t.Service + "." + t.ServiceNamespace}, nil, nil
}

// Register adds the School, FeatureFlag and AlertRule validators to the manager's webhook server (the
// manager must have been made with w.Server). Every replica then re-reads
// the kept certificate each minute, and the leader keeps the
// ValidatingWebhookConfiguration trusting its CA; a failure is logged and
// tried again, never fatal.
func (w *Webhook) Register(mgr manager.Manager) error {
	v := &SchoolValidator{Reader: mgr.GetAPIReader(), Now: time.Now}
	if err := builder.WebhookManagedBy(mgr, &platformv1.School{}).WithValidator(v).
		WithValidatorCustomPath(builders.SchoolWebhookPath).Complete(); err != nil {
		return fmt.Errorf("register the School webhook: %w", err)
	}
	if err := builder.WebhookManagedBy(mgr, &platformv1.FeatureFlag{}).WithValidator(FeatureFlagValidator{}).
		WithValidatorCustomPath(builders.FeatureFlagWebhookPath).Complete(); err != nil {
		return fmt.Errorf("register the FeatureFlag webhook: %w", err)
	}
	if err := builder.WebhookManagedBy(mgr, &platformv1.AlertRule{}).WithValidator(AlertRuleValidator{}).
		WithValidatorCustomPath(builders.AlertRuleWebhookPath).Complete(); err != nil {
		return fmt.Errorf("register the AlertRule webhook: %w", err)
	}
	logger := ctrl.Log.WithName("webhook")
	if err := mgr.Add(everyReplica(func(ctx context.Context) error {
		every(ctx, refreshInterval, func() {
			if _, err := w.refresh(ctx); err != nil {
				logger.Error(err, "Could not refresh the webhook certificate")
			}
		})
		return nil
	})); err != nil {
		return err
	}
	return mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		ctx = log.IntoContext(ctx, logger)
		every(ctx, refreshInterval, func() {
			ca, err := w.refresh(ctx)
			if err == nil {
				err = ensureConfiguration(ctx, w.client, builders.BuildWebhookConfiguration(ca, w.target))
			}
			if err != nil {
				logger.Error(err, "Could not register the admission webhook")
			}
		})
		return nil
	}))
}

// every runs fn now and then each interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// everyReplica is a runnable that runs on every replica, leader or not.
type everyReplica func(context.Context) error

func (f everyReplica) Start(ctx context.Context) error { return f(ctx) }
func (everyReplica) NeedLeaderElection() bool          { return false }

// ensureConfiguration creates the webhook configuration or puts back the
// fields the operator sets; what the API server defaults besides is left
// as it is, so an unchanged configuration is not written.
func ensureConfiguration(ctx context.Context, c client.Client, want *admissionregistrationv1.ValidatingWebhookConfiguration) error {
	_, _, err := reconcile.Ensure(ctx, reconcile.NewWriter(c, c, nil), want, func(have, want *admissionregistrationv1.ValidatingWebhookConfiguration) {
		if len(have.Webhooks) != len(want.Webhooks) {
			have.Webhooks = want.Webhooks
			return
		}
		for i := range want.Webhooks {
			h, w := &have.Webhooks[i], want.Webhooks[i]
			h.Name, h.ClientConfig, h.Rules = w.Name, w.ClientConfig, w.Rules
			h.FailurePolicy, h.SideEffects, h.TimeoutSeconds = w.FailurePolicy, w.SideEffects, w.TimeoutSeconds
			h.MatchPolicy, h.AdmissionReviewVersions = w.MatchPolicy, w.AdmissionReviewVersions
		}
	})
	return err
}
