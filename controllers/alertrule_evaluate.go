package controllers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/alerting"
	"bellwork.dev/bellwork/internal/alerting/checks"
	"bellwork.dev/bellwork/internal/alerting/promeval"
	"bellwork.dev/bellwork/internal/builders"
)

// errInvalidExpression marks an expression that does not parse (one the
// admission webhook, when reached, refuses).
var errInvalidExpression = errors.New("spec.expr is not valid PromQL")

// evaluate fills p.eval from the rule's expression or typed check. A rule
// that cannot be evaluated is not a failed pass: its health says why.
func (r *AlertRuleReconciler) evaluate(ctx context.Context, p *alertPass) error {
	samples, err := r.samples(ctx, p.rule, p.now)
	p.eval = alerting.Evaluation{Samples: samples, Err: err}
	return nil
}

func (r *AlertRuleReconciler) samples(ctx context.Context, rule *platformv1.AlertRule, now time.Time) ([]alerting.Sample, error) {
	spec := rule.Spec
	if spec.Expr != "" {
		if err := promeval.Parse(spec.Expr); err != nil {
			return nil, fmt.Errorf("%w: %v", errInvalidExpression, err)
		}
		q := r.Local
		if spec.Source != nil && r.Remote != nil {
			q = r.Remote(*spec.Source)
		}
		if q == nil {
			return nil, errors.New("PromQL evaluation is not configured in this operator")
		}
		return q.Query(ctx, spec.Expr, now)
	}
	c := spec.Check
	if c == nil {
		return nil, errors.New("the rule has neither expr nor check")
	}
	var samples []alerting.Sample
	var err error
	switch c.Type {
	case platformv1.CheckHTTPProbe:
		hp := c.HTTPProbe
		samples = checks.HTTPProbe(ctx, http.DefaultClient, hp.URL, int(orDefault32(hp.ExpectedStatus, 200)), orDefault(hp.Timeout.Duration, 5*time.Second))
	case platformv1.CheckDatabaseReachable:
		samples, err = r.databaseReachable(ctx, c.DatabaseReachable)
	case platformv1.CheckBackupAge:
		samples, err = r.backupAge(ctx, rule, now)
	case platformv1.CheckReplicationLag:
		samples, err = r.replicationLag(ctx, c.ReplicationLag)
	default:
		err = fmt.Errorf("unknown check type %q", c.Type)
	}
	// A typed check in a tenant's namespace is about that tenant.
	if tenant, ok := strings.CutPrefix(rule.Namespace, platformv1.TenantNamespacePrefix); ok {
		for i := range samples {
			if samples[i].Labels["tenant"] == "" {
				samples[i].Labels["tenant"] = tenant
			}
		}
	}
	return samples, err
}

// databaseReachable connects as the tenant's app role, from the Secret the
// Tenant controller keeps, to the server (not through a pooler, which may
// answer while the database refuses).
func (r *AlertRuleReconciler) databaseReachable(ctx context.Context, c *platformv1.DatabaseReachableCheck) ([]alerting.Sample, error) {
	ns := platformv1.TenantNamespacePrefix + c.Tenant
	var s corev1.Secret
	if err := r.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: builders.CredentialApp.SecretName()}, &s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("tenant %s has no app credentials yet (Secret %s/%s)", c.Tenant, ns, builders.CredentialApp.SecretName())
		}
		return nil, fmt.Errorf("read the app credentials of tenant %s: %w", c.Tenant, err)
	}
	port, err := strconv.Atoi(string(s.Data[builders.KeyPort]))
	if err != nil {
		return nil, fmt.Errorf("the app credentials of tenant %s have no port", c.Tenant)
	}
	host, port := r.Platform.dialAddress(string(s.Data[builders.KeyHost]), port)
	uri := builders.ConnectionURI(host, port, string(s.Data[builders.KeyDBName]), string(s.Data[builders.KeyUsername]), string(s.Data[builders.KeyPassword]), sslModeOf(string(s.Data[builders.KeyURI])))
	return checks.DatabaseReachable(ctx, c.Tenant, uri, orDefault(c.Timeout.Duration, 5*time.Second))
}

// backupAge reads the BackupPolicy's newest good backup.
func (r *AlertRuleReconciler) backupAge(ctx context.Context, rule *platformv1.AlertRule, now time.Time) ([]alerting.Sample, error) {
	c := rule.Spec.Check.BackupAge
	var bp platformv1.BackupPolicy
	if err := r.Client.Get(ctx, client.ObjectKey{Namespace: rule.Namespace, Name: c.BackupPolicy}, &bp); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("no backup policy %q in namespace %s", c.BackupPolicy, rule.Namespace)
		}
		return nil, fmt.Errorf("read backup policy %s: %w", c.BackupPolicy, err)
	}
	newest := bp.CreationTimestamp.Time
	if t := bp.Status.LastSuccessfulBackupTime; t != nil {
		newest = t.Time
	}
	return checks.BackupAge(bp.Name, newest, c.MaxAge.Duration, now), nil
}

// sslModeOf is the sslmode of a connection URI, "" when it has none.
func sslModeOf(uri string) string {
	_, q, ok := strings.Cut(uri, "?")
	if !ok {
		return ""
	}
	for _, kv := range strings.Split(q, "&") {
		if v, ok := strings.CutPrefix(kv, "sslmode="); ok {
			return v
		}
	}
	return ""
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func orDefault32(v, def int32) int32 {
	if v > 0 {
		return v
	}
	return def
}
