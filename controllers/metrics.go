package controllers

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// tenantsDesc is bellwork_tenants{phase}: how many Tenants are in each
// phase. controller-runtime already exports reconcile durations and errors
// per controller (controller_runtime_reconcile_*{controller="tenant"}).
var tenantsDesc = prometheus.NewDesc("bellwork_tenants", "Tenants by phase.", []string{"phase"}, nil)

// tenantCollector counts Tenants from the manager's cache at scrape time,
// so the numbers never drift from what the API server holds.
type tenantCollector struct {
	reader atomic.Pointer[client.Reader]
}

var (
	tenantMetrics     = &tenantCollector{}
	registerMetricsMu sync.Once
)

// registerTenantMetrics makes the collector read from r, and returns a
// function that lets go of r again unless another reader replaced it.
func registerTenantMetrics(r client.Reader) (release func()) {
	p := &r
	tenantMetrics.reader.Store(p)
	registerMetricsMu.Do(func() { metrics.Registry.MustRegister(tenantMetrics) })
	return func() { tenantMetrics.reader.CompareAndSwap(p, nil) }
}

func (c *tenantCollector) Describe(ch chan<- *prometheus.Desc) { ch <- tenantsDesc }

func (c *tenantCollector) Collect(ch chan<- prometheus.Metric) {
	r := c.reader.Load()
	if r == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Only read: the cache's own objects, not a copy of every Tenant per
	// scrape (at 10,000 tenants, tens of MiB each time).
	var list platformv1.TenantList
	if err := (*r).List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return
	}
	counts := map[platformv1.Phase]int{
		platformv1.PhaseProvisioning: 0, platformv1.PhaseReady: 0, platformv1.PhaseDegraded: 0, platformv1.PhaseDeleting: 0,
	}
	for _, t := range list.Items {
		phase := t.Status.Phase
		if phase == "" {
			phase = platformv1.PhaseProvisioning
		}
		counts[phase]++
	}
	for phase, n := range counts {
		ch <- prometheus.MustNewConstMetric(tenantsDesc, prometheus.GaugeValue, float64(n), string(phase))
	}
}
