package controllers

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/alerting"
	"bellwork.dev/bellwork/internal/alerting/checks"
	"bellwork.dev/bellwork/internal/builders"
)

// replicationLag reads the replication of the server the check names, as
// the admin login the operator provisions with (pg_stat_replication's
// positions are hidden from the tenant's own roles).
func (r *AlertRuleReconciler) replicationLag(ctx context.Context, c *platformv1.ReplicationLagCheck) ([]alerting.Sample, error) {
	top, err := r.replicationTopology(ctx, c)
	if err != nil {
		return nil, err
	}
	uri, err := r.replicationAdmin(ctx, top)
	if err != nil {
		return nil, err
	}
	// Errors and labels name the server as Kubernetes knows it, not the
	// address a development override dials.
	address := net.JoinHostPort(top.DirectHost, strconv.Itoa(top.DirectPort))
	rep, err := checks.ReadReplication(ctx, address, uri, orDefault(c.Timeout.Duration, 5*time.Second))
	if err != nil {
		return nil, err
	}
	lim := checks.ReplicationLimits{MaxLagBytes: c.MaxLagBytes, MinStandbys: 1}
	if c.MaxLag != nil {
		lim.MaxLag = &c.MaxLag.Duration
	}
	if c.MinStandbys != nil {
		lim.MinStandbys = int(*c.MinStandbys)
	}
	samples := checks.ReplicationLag(rep, lim)
	if c.Tenant != "" {
		for i := range samples {
			samples[i].Labels["tenant"] = c.Tenant
		}
	}
	return samples, nil
}

// replicationTopology is the server of the check's tenant or cluster.
func (r *AlertRuleReconciler) replicationTopology(ctx context.Context, c *platformv1.ReplicationLagCheck) (builders.Topology, error) {
	if c.Cluster != nil {
		return builders.ClusterTopology(types.NamespacedName{Namespace: c.Cluster.Namespace, Name: c.Cluster.Name}), nil
	}
	var t platformv1.Tenant
	if err := r.Client.Get(ctx, client.ObjectKey{Name: c.Tenant}, &t); err != nil {
		if apierrors.IsNotFound(err) {
			return builders.Topology{}, fmt.Errorf("no tenant %q", c.Tenant)
		}
		return builders.Topology{}, fmt.Errorf("read tenant %s: %w", c.Tenant, err)
	}
	top := builders.TopologyOf(&t, r.Platform.OperatorNamespace)
	if top.Provider == "" {
		return builders.Topology{}, fmt.Errorf("tenant %s names no database provider", c.Tenant)
	}
	return top, nil
}

// replicationAdmin is the connection URI of a server's admin login: the external admin
// Secret, or the Cluster's superuser Secret (its spec.superuserSecret when
// set), as the Tenant controller finds it.
func (r *AlertRuleReconciler) replicationAdmin(ctx context.Context, top builders.Topology) (string, error) {
	secret, sslMode := top.AdminSecret, top.SSLMode
	if top.Cluster.Name != "" {
		var cluster cnpgv1.Cluster
		if err := r.Client.Get(ctx, top.Cluster, &cluster); err != nil {
			switch {
			case meta.IsNoMatchError(err):
				return "", fmt.Errorf("CloudNativePG is not installed (the API server does not know its Cluster kind)")
			case apierrors.IsNotFound(err):
				return "", fmt.Errorf("CloudNativePG Cluster %s does not exist", top.Cluster)
			}
			return "", fmt.Errorf("read CloudNativePG Cluster %s: %w", top.Cluster, err)
		}
		if s := cluster.Spec.SuperuserSecret; s != nil && s.Name != "" {
			secret.Name = s.Name
		}
		// As the Tenant controller does: plain text where a development
		// host override points at a server without TLS.
		sslMode = "prefer"
	}
	user, password, err := readLogin(ctx, r.APIReader, secret)
	if err != nil {
		return "", fmt.Errorf("the admin login of %s:%d, Secret %s with keys username and password: %v",
			top.DirectHost, top.DirectPort, secret, err)
	}
	host, port := r.Platform.dialAddress(top.DirectHost, top.DirectPort)
	return builders.ConnectionURI(host, port, "postgres", user, password, sslMode), nil
}
