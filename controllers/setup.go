package controllers

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/pgadmin"
)

// Options configure the Tenant and School controllers; main.go maps its
// flags onto them and tests set them directly.
type Options struct {
	// LMSNamespace is where directory Secrets are published.
	LMSNamespace string
	// OperatorNamespace holds external admin Secrets whose Tenant names no namespace.
	OperatorNamespace string
	// LMSPort is the port of invitation links on *.localhost hosts (local runs).
	LMSPort int
	// DriftInterval is how often a Ready tenant is re-checked (roles, grants,
	// connection limits) even when nothing in Kubernetes changed.
	DriftInterval time.Duration
	// RotationGrace is how long the previous app login keeps its password
	// after a rotation switched the directory to the other login.
	RotationGrace time.Duration
	// StatusInterval is how often the LMS's operator_status is read while
	// something is still awaited from it (a school to sync, a milestone).
	StatusInterval time.Duration
	// RetryInterval is how soon a tenant waiting on something (a cluster
	// becoming ready) is looked at again.
	RetryInterval time.Duration
	// SessionWait bounds how long deleting a Tenant with reclaimPolicy
	// Delete waits for the LMS's sessions to end before ending them.
	SessionWait time.Duration
	// ArchiveWait bounds how long a deleted School waits for the LMS to
	// report it archived.
	ArchiveWait time.Duration
	// HostOverrides maps "host:port" of a database server to the
	// "host:port" the operator dials instead. Development only: it lets
	// tests and `make run` point CloudNativePG service names at a local server.
	HostOverrides map[string]string
	// MaxConcurrentReconciles is the number of Tenants reconciled at once.
	MaxConcurrentReconciles int
	// Postgres opens database sessions; nil means a real pgadmin.Dialer.
	Postgres pgadmin.Connector
	// Webhook says where the admission webhook is served and reached.
	Webhook WebhookOptions
}

// DefaultOptions are the operator's defaults (the flags' defaults).
func DefaultOptions() Options {
	return Options{
		LMSNamespace:            "bellwork-system",
		OperatorNamespace:       "bellwork-system",
		DriftInterval:           5 * time.Minute,
		RotationGrace:           10 * time.Minute,
		StatusInterval:          time.Minute,
		RetryInterval:           5 * time.Second,
		SessionWait:             2 * time.Minute,
		ArchiveWait:             10 * time.Minute,
		MaxConcurrentReconciles: 4,
		Webhook:                 WebhookOptions{Port: 9443, Service: "bellwork-webhook", ServicePort: 443},
	}
}

func (o *Options) fillDefaults() {
	d := DefaultOptions()
	if o.LMSNamespace == "" {
		o.LMSNamespace = d.LMSNamespace
	}
	if o.OperatorNamespace == "" {
		o.OperatorNamespace = d.OperatorNamespace
	}
	for _, f := range []struct {
		v *time.Duration
		d time.Duration
	}{
		{&o.DriftInterval, d.DriftInterval}, {&o.RotationGrace, d.RotationGrace},
		{&o.StatusInterval, d.StatusInterval}, {&o.RetryInterval, d.RetryInterval},
		{&o.SessionWait, d.SessionWait}, {&o.ArchiveWait, d.ArchiveWait},
	} {
		if *f.v <= 0 {
			*f.v = f.d
		}
	}
	if o.MaxConcurrentReconciles <= 0 {
		o.MaxConcurrentReconciles = d.MaxConcurrentReconciles
	}
	if o.Postgres == nil {
		o.Postgres = pgadmin.NewDialer()
	}
}

// dialAddress applies HostOverrides to a server address.
func (o *Options) dialAddress(host string, port int) (string, int) {
	to, ok := o.HostOverrides[net.JoinHostPort(host, strconv.Itoa(port))]
	if !ok {
		return host, port
	}
	h, p, err := net.SplitHostPort(to)
	if err != nil {
		return host, port
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return host, port
	}
	return h, n
}

// ParseHostOverride reads one "host:port=host:port" mapping.
func ParseHostOverride(s string) (from, to string, err error) {
	from, to, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", fmt.Errorf("postgres host override %q: want host:port=host:port", s)
	}
	for _, hp := range []string{from, to} {
		if _, p, err := net.SplitHostPort(hp); err != nil {
			return "", "", fmt.Errorf("postgres host override %q: %w", s, err)
		} else if _, err := strconv.Atoi(p); err != nil {
			return "", "", fmt.Errorf("postgres host override %q: port %q is not a number", s, p)
		}
	}
	return from, to, nil
}

// CacheOptions limit the manager's Secret cache to the Secrets the operator
// writes (labelled app.kubernetes.io/managed-by=bellwork): a cluster's
// other Secrets are never held in memory. Foreign Secrets (admin and
// superuser credentials, OIDC client secrets) are read directly.
func CacheOptions() cache.Options {
	return cache.Options{
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}: {Label: labels.SelectorFromSet(labels.Set{builders.ManagedByLabel: builders.ManagedByValue})},
		},
	}
}

// Setup registers the Tenant and School controllers and the tenant metrics
// with mgr. The manager should be created with CacheOptions.
func Setup(mgr manager.Manager, opts Options) error {
	if opts.Postgres == nil {
		dialer := pgadmin.NewDialer()
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
		Options:   opts,
	}
	if err := tenants.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up the Tenant controller: %w", err)
	}
	schools := &SchoolReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Events:    eventRecorder(mgr, "bellwork-school"),
		Options:   opts,
	}
	if err := schools.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("set up the School controller: %w", err)
	}
	registerTenantMetrics(mgr.GetCache())
	return nil
}

// eventRecorder is the core/v1 Event recorder. The events.k8s.io recorder
// folds events of the same reason into one series that keeps the first
// note, which would hide what a later drift repair put back; this one
// keys on the message too.
func eventRecorder(mgr manager.Manager, name string) record.EventRecorder {
	return mgr.GetEventRecorderFor(name) //nolint:staticcheck // see above
}
