package controllers

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
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
	ca     []byte
	target builders.WebhookTarget
}

// NewWebhook finds or makes the webhook's certificate (kept in a Secret in
// the operator's namespace, so every replica serves the same one) and a
// server presenting it. It runs before the manager, with its own client.
func NewWebhook(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, opts Options) (*Webhook, error) {
	w := opts.Webhook
	target := builders.WebhookTarget{URL: w.URL, ServiceNamespace: opts.OperatorNamespace, Service: w.Service, ServicePort: w.ServicePort}
	dnsNames, ips, err := webhookNames(target)
	if err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	pair, err := webhookPair(ctx, c, opts.OperatorNamespace, dnsNames, ips)
	if err != nil {
		return nil, fmt.Errorf("webhook certificate (Secret %s/%s): %w", opts.OperatorNamespace, builders.WebhookSecretName, err)
	}
	cert, err := tls.X509KeyPair(pair.Cert, pair.Key)
	if err != nil {
		return nil, err
	}
	server := webhook.NewServer(webhook.Options{Host: w.Host, Port: w.Port, TLSOpts: []func(*tls.Config){func(c *tls.Config) {
		c.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &cert, nil }
	}}})
	return &Webhook{Server: server, ca: pair.CA, target: target}, nil
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
// when there is none or it no longer serves these names or nears expiry.
// When two replicas race to make one, the loser uses the winner's.
func webhookPair(ctx context.Context, c client.Client, ns string, dnsNames []string, ips []net.IP) (webhookcert.Pair, error) {
	now := time.Now()
	s := &corev1.Secret{}
	key := client.ObjectKey{Namespace: ns, Name: builders.WebhookSecretName}
	err := c.Get(ctx, key, s)
	if err != nil && !apierrors.IsNotFound(err) {
		return webhookcert.Pair{}, err
	}
	if err == nil {
		have := webhookcert.Pair{CA: s.Data[webhookcert.CAKey], Cert: s.Data[webhookcert.CertKey], Key: s.Data[webhookcert.KeyKey]}
		if have.Usable(dnsNames, ips, now) == nil {
			return have, nil
		}
	}
	pair, gerr := webhookcert.Generate(dnsNames, ips, now)
	if gerr != nil {
		return webhookcert.Pair{}, gerr
	}
	data := map[string][]byte{webhookcert.CAKey: pair.CA, webhookcert.CertKey: pair.Cert, webhookcert.KeyKey: pair.Key}
	if apierrors.IsNotFound(err) {
		s = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: builders.WebhookSecretName,
			Labels: map[string]string{builders.ManagedByLabel: builders.ManagedByValue}}, Type: corev1.SecretTypeTLS, Data: data}
		err = c.Create(ctx, s)
	} else {
		s.Data = data
		err = c.Update(ctx, s)
	}
	if apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) {
		return webhookPair(ctx, c, ns, dnsNames, ips)
	}
	ctrl.Log.Info("Made the admission webhook's certificate", "secret", key.String())
	return pair, err
}

// Register adds the School validator to the manager's webhook server (the
// manager must have been made with w.Server) and keeps the
// ValidatingWebhookConfiguration pointing at it.
func (w *Webhook) Register(mgr manager.Manager) error {
	v := &SchoolValidator{Reader: mgr.GetAPIReader(), Now: time.Now}
	if err := builder.WebhookManagedBy(mgr, &platformv1.School{}).WithValidator(v).
		WithValidatorCustomPath(builders.SchoolWebhookPath).Complete(); err != nil {
		return fmt.Errorf("register the School webhook: %w", err)
	}
	want := builders.BuildWebhookConfiguration(w.ca, w.target)
	return mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		c, err := client.New(mgr.GetConfig(), client.Options{Scheme: mgr.GetScheme()})
		if err != nil {
			return err
		}
		return ensureWebhookConfiguration(ctx, c, want)
	}))
}

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
