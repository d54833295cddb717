package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// metrics are the LMS's Prometheus series, on a registry of its own.
//
// Request series are labelled by route pattern (never the URL), district
// and status code: each is bounded by the route table, the directory and
// the codes the server writes. Requests for no district (assets, unknown
// hosts) have an empty tenant label, which Prometheus treats as absent.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics(reg *tenancy.Registry) *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lms_http_requests_total",
		Help: "HTTP requests answered, by route pattern, district and status code (errors: status=~\"5..\").",
	}, []string{"route", "tenant", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "lms_http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route pattern and district.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "tenant"})
	m.registry.MustRegister(m.requests, m.duration, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&poolCollector{reg: reg})
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return m
}

// MustRegister adds collectors (the job runner's, for one).
func (s *Server) MustRegister(cs ...prometheus.Collector) { s.metrics.registry.MustRegister(cs...) }

func (m *metrics) observe(route, tenant string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, tenant, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, tenant).Observe(d.Seconds())
}

// poolCollector reports each open tenant pool's connections.
type poolCollector struct{ reg *tenancy.Registry }

var (
	poolConns = prometheus.NewDesc("lms_db_pool_connections", "Connections of a tenant's pool, by state.", []string{"tenant", "state"}, nil)
	poolWaits = prometheus.NewDesc("lms_db_pool_acquire_waits_total", "Acquires that had to wait for a connection.", []string{"tenant"}, nil)
	poolMax   = prometheus.NewDesc("lms_db_pool_max_connections", "The most connections a tenant's request pool opens.", []string{"tenant"}, nil)
	tenants   = prometheus.NewDesc("lms_tenants", "Tenants in the directory, by readiness.", []string{"ready"}, nil)
)

func (p *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolConns
	ch <- poolWaits
	ch <- poolMax
	ch <- tenants
}

func (p *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for name, st := range p.reg.Pools.Stats() {
		ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(st.AcquiredConns()), name, "acquired")
		ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(st.IdleConns()), name, "idle")
		ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(st.TotalConns()), name, "total")
		ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(st.EmptyAcquireCount()), name)
		ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(st.MaxConns()), name)
	}
	var ready, notReady float64
	for _, t := range p.reg.Tenants() {
		if ok, _ := t.State(); ok {
			ready++
		} else {
			notReady++
		}
	}
	ch <- prometheus.MustNewConstMetric(tenants, prometheus.GaugeValue, ready, "true")
	ch <- prometheus.MustNewConstMetric(tenants, prometheus.GaugeValue, notReady, "false")
}

func (s *Server) metricsPage(c *kit.Call) { s.metrics.handler.ServeHTTP(c.W, c.R) }
