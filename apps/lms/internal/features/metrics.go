package features

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"bellwork.dev/bellwork/pkg/flags"
)

// Metrics counts evaluations as lms_feature_flag_evaluations_total{flag,
// variant, reason}. The labels stay bounded whoever asks: flag is a flag
// the district's entry carries (FeatureFlags are few and reviewed) or
// "_unknown" for any other name (an OFREP client may send anything),
// variant is one of that flag's variants or "" on an error, and reason is
// one of OpenFeature's few reasons. The tenant is deliberately not a label:
// a thousand districts times every flag would swamp Prometheus.
type Metrics struct {
	vec *prometheus.CounterVec
	// counters caches one child per label set: WithLabelValues hashes
	// its labels on every call, and flags are evaluated on every request.
	counters sync.Map // labels → prometheus.Counter
}

// UnknownFlag is the flag label of evaluations of flags the entry does not carry.
const UnknownFlag = "_unknown"

// NewMetrics makes the counter; register it with Collector.
func NewMetrics() *Metrics {
	return &Metrics{vec: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lms_feature_flag_evaluations_total",
		Help: "Feature flag evaluations, by flag, variant served and OpenFeature reason.",
	}, []string{"flag", "variant", "reason"})}
}

// Collector is what to register on the process's Prometheus registry.
func (m *Metrics) Collector() prometheus.Collector { return m.vec }

type labels struct{ flag, variant, reason string }

func (m *Metrics) count(set flags.Set, e flags.Evaluation) {
	if m == nil {
		return
	}
	l := labels{flag: e.Flag, variant: e.Variant, reason: string(e.Reason)}
	if _, ok := set[e.Flag]; !ok {
		l.flag, l.variant = UnknownFlag, ""
	}
	if c, ok := m.counters.Load(l); ok {
		c.(prometheus.Counter).Inc()
		return
	}
	c, _ := m.counters.LoadOrStore(l, m.vec.WithLabelValues(l.flag, l.variant, l.reason))
	c.(prometheus.Counter).Inc()
}
