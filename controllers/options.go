package controllers

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/internal/alerting/promeval"
	"bellwork.dev/bellwork/internal/pgadmin"
)

// Options configure every controller Setup registers. main.go maps its
// flags onto them; tests set them directly.
type Options struct {
	Platform
	Tenant       TenantOptions
	School       SchoolOptions
	FeatureFlag  FeatureFlagOptions
	LMSDeploy    LMSDeployOptions
	BackupPolicy BackupPolicyOptions
	AlertRule    AlertRuleOptions
}

// BackupPolicyOptions configure the BackupPolicy controller.
type BackupPolicyOptions struct {
	// Image runs the backup, verification and restore Jobs: the image of
	// build/backup.Dockerfile (the LMS binary, whose backup subcommands
	// these are, with pg_dump and pg_restore; the LMS image has neither).
	Image string
	// VerificationSecret names a Secret, in each tenant namespace, whose
	// "uri" connects to the verification server as a role that may create
	// databases. Empty: no verification CronJobs.
	VerificationSecret string
	// RunLocally marks the Jobs' pods for make run's local kubelet.
	RunLocally bool
}

// AlertRuleOptions configure the AlertRule controller.
type AlertRuleOptions struct {
	// Heartbeat is how often a steady rule's status is refreshed (values,
	// last evaluation) when nothing else in it changed.
	Heartbeat time.Duration
	// MaxConcurrentReconciles is the number of rules evaluated at once.
	MaxConcurrentReconciles int
	// ScrapeTargets are the /metrics endpoints whose samples expressions
	// are evaluated over; ScrapeInterval is how often they are read.
	ScrapeTargets  []promeval.Target
	ScrapeInterval time.Duration
	// Retention and MaxSeries bound the in-memory sample store.
	Retention time.Duration
	MaxSeries int
	// Now is the evaluation clock; time.Now when nil.
	Now func() time.Time
}

// Platform is what every controller shares: where the LMS and the operator
// live, how soon a waiting pass looks again, and how Postgres is reached.
type Platform struct {
	// LMSNamespace is where directory Secrets are published.
	LMSNamespace string
	// OperatorNamespace holds external admin Secrets whose Tenant names no namespace.
	OperatorNamespace string
	// RetryInterval is how soon an object waiting on something (a cluster
	// becoming ready, a tenant publishing) is looked at again.
	RetryInterval time.Duration
	// HostOverrides maps "host:port" of a database server to the
	// "host:port" the operator dials instead. Development only: it lets
	// tests and `make run` point CloudNativePG service names at a local server.
	HostOverrides map[string]string
	// Postgres opens database sessions; nil means a real pgadmin.Dialer.
	Postgres pgadmin.Connector
}

// TenantOptions configure the Tenant controller.
type TenantOptions struct {
	// LMSPort is the port of invitation links on *.localhost hosts (local runs).
	LMSPort int
	// DriftInterval is how often a Ready tenant is re-checked (roles, grants,
	// connection limits) even when nothing in Kubernetes changed.
	DriftInterval time.Duration
	// RotationGrace is how long the previous app login keeps its password
	// after a rotation switched the directory to the other login.
	RotationGrace time.Duration
	// StatusInterval is how often the LMS's operator_status is read while
	// a milestone of the onboarding checklist is still awaited.
	StatusInterval time.Duration
	// SessionWait bounds how long deleting a Tenant with reclaimPolicy
	// Delete waits for the LMS's sessions to end before ending them.
	SessionWait time.Duration
	// MaxConcurrentReconciles is the number of Tenants reconciled at once.
	// A pass spends most of its time waiting on Postgres and the API
	// server, so more workers than cores pay off (see docs/performance.md).
	MaxConcurrentReconciles int
}

// SchoolOptions configure the School controller.
type SchoolOptions struct {
	// StatusInterval is how often the LMS's operator_status is read while
	// the LMS has not stored a School's published version.
	StatusInterval time.Duration
	// ResyncInterval is how often a School is looked at again when nothing
	// it watches changed.
	ResyncInterval time.Duration
	// ArchiveWait bounds how long a deleted School waits for the LMS to
	// report it archived.
	ArchiveWait time.Duration
}

// FeatureFlagOptions configure the FeatureFlag controller.
type FeatureFlagOptions struct {
	// ExpiryWarning is how long before its expiry date a flag is Expiring.
	ExpiryWarning time.Duration
	// PendingInterval is how soon a flag some entries do not carry yet is
	// looked at again (the entries' changes wake it too).
	PendingInterval time.Duration
	// ResyncInterval is how often a flag is looked at again when nothing it
	// watches changed.
	ResyncInterval time.Duration
}

// DefaultOptions are the operator's defaults (the flags' defaults).
func DefaultOptions() Options {
	return Options{
		Platform: Platform{
			LMSNamespace:      "bellwork-system",
			OperatorNamespace: "bellwork-system",
			RetryInterval:     5 * time.Second,
		},
		BackupPolicy: BackupPolicyOptions{Image: "bellwork/lms-backup:latest"},
		Tenant: TenantOptions{
			DriftInterval:           5 * time.Minute,
			RotationGrace:           10 * time.Minute,
			StatusInterval:          time.Minute,
			SessionWait:             2 * time.Minute,
			MaxConcurrentReconciles: 16,
		},
		LMSDeploy: LMSDeployOptions{ResyncInterval: time.Minute},
		AlertRule: AlertRuleOptions{Heartbeat: 5 * time.Minute, MaxConcurrentReconciles: 4,
			ScrapeInterval: 15 * time.Second, Retention: time.Hour, MaxSeries: 200000},
		School: SchoolOptions{
			StatusInterval: time.Minute,
			ResyncInterval: 5 * time.Minute,
			ArchiveWait:    10 * time.Minute,
		},
		FeatureFlag: FeatureFlagOptions{
			ExpiryWarning:   14 * 24 * time.Hour,
			PendingInterval: 10 * time.Second,
			ResyncInterval:  10 * time.Minute,
		},
	}
}

// fillDefaults puts the default in place of every setting left unset.
func (o *Options) fillDefaults() {
	d := DefaultOptions()
	if o.LMSNamespace == "" {
		o.LMSNamespace = d.LMSNamespace
	}
	if o.OperatorNamespace == "" {
		o.OperatorNamespace = d.OperatorNamespace
	}
	if o.BackupPolicy.Image == "" {
		o.BackupPolicy.Image = d.BackupPolicy.Image
	}
	for _, f := range []struct {
		v *time.Duration
		d time.Duration
	}{
		{&o.RetryInterval, d.RetryInterval},
		{&o.Tenant.DriftInterval, d.Tenant.DriftInterval}, {&o.Tenant.RotationGrace, d.Tenant.RotationGrace},
		{&o.Tenant.StatusInterval, d.Tenant.StatusInterval}, {&o.Tenant.SessionWait, d.Tenant.SessionWait},
		{&o.School.StatusInterval, d.School.StatusInterval}, {&o.School.ResyncInterval, d.School.ResyncInterval},
		{&o.School.ArchiveWait, d.School.ArchiveWait},
		{&o.FeatureFlag.ExpiryWarning, d.FeatureFlag.ExpiryWarning},
		{&o.FeatureFlag.PendingInterval, d.FeatureFlag.PendingInterval},
		{&o.FeatureFlag.ResyncInterval, d.FeatureFlag.ResyncInterval},
		{&o.LMSDeploy.ResyncInterval, d.LMSDeploy.ResyncInterval},
		{&o.AlertRule.Heartbeat, d.AlertRule.Heartbeat},
		{&o.AlertRule.ScrapeInterval, d.AlertRule.ScrapeInterval},
		{&o.AlertRule.Retention, d.AlertRule.Retention},
	} {
		if *f.v <= 0 {
			*f.v = f.d
		}
	}
	if o.AlertRule.MaxSeries <= 0 {
		o.AlertRule.MaxSeries = d.AlertRule.MaxSeries
	}
	if o.AlertRule.MaxConcurrentReconciles <= 0 {
		o.AlertRule.MaxConcurrentReconciles = d.AlertRule.MaxConcurrentReconciles
	}
	if o.Tenant.MaxConcurrentReconciles <= 0 {
		o.Tenant.MaxConcurrentReconciles = d.Tenant.MaxConcurrentReconciles
	}
	if o.Postgres == nil {
		o.Postgres = pgadmin.NewDialer()
	}
}

// dialAddress applies HostOverrides to a server address.
func (p *Platform) dialAddress(host string, port int) (string, int) {
	to, ok := p.HostOverrides[net.JoinHostPort(host, strconv.Itoa(port))]
	if !ok {
		return host, port
	}
	h, ps, err := net.SplitHostPort(to)
	if err != nil {
		return host, port
	}
	n, err := strconv.Atoi(ps)
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
