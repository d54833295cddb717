package controllers

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/webhookcert"
)

// The operator keeps its webhook's certificate and registration itself.
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingwebhookconfigurations,verbs=get;create;update;patch

// WebhookOptions say where the operator serves its admission webhook and
// where the API server reaches it.
type WebhookOptions struct {
	// Port to serve on; 0 turns the webhook off.
	Port int
	// Host to listen on; empty listens on every address.
	Host string
	// URL, when set, is the base URL the API server calls (an operator
	// running outside the cluster: make run, tests); otherwise Service.
	URL string
	// Service and ServicePort name the Service in front of the operator's
	// pods, in OperatorNamespace.
	Service     string
	ServicePort int32
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

// webhookRefresh is how often every replica re-reads the kept certificate
// (another replica may have renewed it) and the leader re-checks the
// webhook configuration.
const webhookRefresh = time.Minute

// NewWebhook finds or makes the webhook's certificate (kept in a Secret in
// the operator's namespace, so every replica serves the same one) and a
// server presenting it. It runs before the manager, with its own client.
func NewWebhook(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, opts Options) (*Webhook, error) {
	o := opts.Webhook
	w := &Webhook{ns: opts.OperatorNamespace,
		target: builders.WebhookTarget{URL: o.URL, ServiceNamespace: opts.OperatorNamespace, Service: o.Service, ServicePort: o.ServicePort}}
	var err error
	if w.dnsNames, w.ips, err = webhookNames(w.target); err != nil {
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
	pair, err := webhookPair(ctx, w.client, w.ns, w.dnsNames, w.ips)
	if err != nil {
		return nil, fmt.Errorf("webhook certificate (Secret %s/%s): %w", w.ns, builders.WebhookSecretName, err)
	}
	if have := w.certPEM.Load(); have == nil || string(*have) != string(pair.Cert) {
		cert, err := tls.X509KeyPair(pair.Cert, pair.Key)
		if err != nil {
			return nil, err
		}
		w.cert.Store(&cert)
		w.certPEM.Store(&pair.Cert)
	}
	return pair.CA, nil
}

// webhookNames are the names the API server dials the webhook by.
func webhookNames(t builders.WebhookTarget) ([]string, []net.IP, error) {
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

// webhookPair reads the kept certificate, or makes and keeps a new one
// (signed by the kept CA while it lasts) when there is none or it no longer
// serves these names or nears expiry. When two replicas race to make one,
// the loser uses the winner's.
func webhookPair(ctx context.Context, c client.Client, ns string, dnsNames []string, ips []net.IP) (webhookcert.Pair, error) {
	now := time.Now()
	s := &corev1.Secret{}
	key := client.ObjectKey{Namespace: ns, Name: builders.WebhookSecretName}
	err := c.Get(ctx, key, s)
	if err != nil && !apierrors.IsNotFound(err) {
		return webhookcert.Pair{}, err
	}
	have := webhookcert.Pair{CA: s.Data[webhookcert.CAKey], CAKey: s.Data[webhookcert.CAKeyKey],
		Cert: s.Data[webhookcert.CertKey], Key: s.Data[webhookcert.KeyKey]}
	if err == nil && have.Usable(dnsNames, ips, now) == nil {
		return have, nil
	}
	pair, gerr := webhookcert.Generate(dnsNames, ips, now, have)
	if gerr != nil {
		return webhookcert.Pair{}, gerr
	}
	data := map[string][]byte{webhookcert.CAKey: pair.CA, webhookcert.CAKeyKey: pair.CAKey, webhookcert.CertKey: pair.Cert, webhookcert.KeyKey: pair.Key}
	if apierrors.IsNotFound(err) {
		s = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: builders.WebhookSecretName,
			Labels: map[string]string{builders.ManagedByLabel: builders.ManagedByValue}}, Type: corev1.SecretTypeOpaque, Data: data}
		err = c.Create(ctx, s)
	} else {
		s.Data = data
		err = c.Update(ctx, s)
	}
	if apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) {
		return webhookPair(ctx, c, ns, dnsNames, ips)
	}
	if err != nil {
		return webhookcert.Pair{}, err
	}
	ctrl.Log.Info("Made the admission webhook's certificate", "secret", key.String())
	return pair, nil
}

// Register adds the School validator to the manager's webhook server (the
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
	log := ctrl.Log.WithName("webhook")
	if err := mgr.Add(everyReplica(func(ctx context.Context) error {
		every(ctx, webhookRefresh, func() {
			if _, err := w.refresh(ctx); err != nil {
				log.Error(err, "Could not refresh the webhook certificate")
			}
		})
		return nil
	})); err != nil {
		return err
	}
	return mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		every(ctx, webhookRefresh, func() {
			ca, err := w.refresh(ctx)
			if err == nil {
				err = ensureWebhookConfiguration(ctx, w.client, builders.BuildWebhookConfiguration(ca, w.target))
			}
			if err != nil {
				log.Error(err, "Could not register the admission webhook")
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

// ensureWebhookConfiguration creates the configuration or puts back what
// differs from it; it writes nothing when all is as wanted.
func ensureWebhookConfiguration(ctx context.Context, c client.Client, want *admissionregistrationv1.ValidatingWebhookConfiguration) error {
	have := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	err := c.Get(ctx, client.ObjectKeyFromObject(want), have)
	if apierrors.IsNotFound(err) {
		return c.Create(ctx, want)
	}
	if err != nil {
		return err
	}
	if equalWebhooks(have.Webhooks, want.Webhooks) {
		return nil
	}
	have.Webhooks = want.Webhooks
	return c.Update(ctx, have)
}

// equalWebhooks says whether the webhooks have everything the operator sets
// as wanted; what the API server defaults besides does not count.
func equalWebhooks(have, want []admissionregistrationv1.ValidatingWebhook) bool {
	if len(have) != len(want) {
		return false
	}
	for i := range want {
		merged := have[i].DeepCopy()
		w := want[i]
		merged.Name, merged.ClientConfig, merged.Rules = w.Name, w.ClientConfig, w.Rules
		merged.FailurePolicy, merged.SideEffects, merged.TimeoutSeconds = w.FailurePolicy, w.SideEffects, w.TimeoutSeconds
		merged.MatchPolicy, merged.AdmissionReviewVersions = w.MatchPolicy, w.AdmissionReviewVersions
		if !equality.Semantic.DeepEqual(merged, &have[i]) {
			return false
		}
	}
	return true
}
