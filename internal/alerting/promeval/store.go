// Package promeval evaluates AlertRule expressions with Prometheus' own
// PromQL engine, used as a library: over a bounded in-memory store the
// operator fills by scraping its targets, or over a Prometheus-compatible
// HTTP API named by spec.source.
package promeval

import (
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
)

// Store keeps recent float samples in memory, bounded two ways: samples
// older than Retention are dropped, and no more than MaxSeries series are
// kept (new series beyond it are refused and counted in Dropped).
type Store struct {
	// Retention in milliseconds of sample time.
	Retention int64
	MaxSeries int

	mu      sync.RWMutex
	series  map[string]*series
	Dropped int
}

type series struct {
	lset labels.Labels
	ts   []int64
	vs   []float64
}

// NewStore makes a store keeping retentionMillis of samples of at most
// maxSeries series.
func NewStore(retentionMillis int64, maxSeries int) *Store {
	return &Store{Retention: retentionMillis, MaxSeries: maxSeries, series: map[string]*series{}}
}

// Append adds a sample at t (milliseconds). Samples must come in time
// order per series; an older or equal one is ignored.
func (s *Store) Append(lset labels.Labels, t int64, v float64) {
	key := lset.String()
	s.mu.Lock()
	defer s.mu.Unlock()
	sr, ok := s.series[key]
	if !ok {
		if len(s.series) >= s.MaxSeries {
			s.Dropped++
			return
		}
		sr = &series{lset: lset}
		s.series[key] = sr
	}
	if n := len(sr.ts); n > 0 && sr.ts[n-1] >= t {
		return
	}
	sr.ts, sr.vs = append(sr.ts, t), append(sr.vs, v)
	// Drop what fell out of retention, reusing the slices' backing arrays.
	cut := sort.Search(len(sr.ts), func(i int) bool { return sr.ts[i] >= t-s.Retention })
	if cut > len(sr.ts)/2 {
		sr.ts, sr.vs = append(sr.ts[:0], sr.ts[cut:]...), append(sr.vs[:0], sr.vs[cut:]...)
	}
}

// Forget drops series with no sample after t (ended targets).
func (s *Store) Forget(before int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, sr := range s.series {
		if n := len(sr.ts); n == 0 || sr.ts[n-1] < before {
			delete(s.series, k)
		}
	}
}

// Series is the number of series held.
func (s *Store) Series() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.series)
}

// Querier implements storage.Queryable.
func (s *Store) Querier(mint, maxt int64) (storage.Querier, error) {
	return &querier{s: s, mint: mint, maxt: maxt}, nil
}

type querier struct {
	s          *Store
	mint, maxt int64
}

func (q *querier) Select(_ context.Context, sortSeries bool, _ *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	q.s.mu.RLock()
	defer q.s.mu.RUnlock()
	var out []storage.Series
	for _, sr := range q.s.series {
		if !matches(sr.lset, ms) {
			continue
		}
		lo := sort.Search(len(sr.ts), func(i int) bool { return sr.ts[i] >= q.mint })
		hi := sort.Search(len(sr.ts), func(i int) bool { return sr.ts[i] > q.maxt })
		if lo >= hi {
			continue
		}
		// Copies: appends after the query must not change what it reads.
		out = append(out, &floatSeries{lset: sr.lset, ts: slices.Clone(sr.ts[lo:hi]), vs: slices.Clone(sr.vs[lo:hi])})
	}
	if sortSeries {
		sort.Slice(out, func(i, j int) bool { return labels.Compare(out[i].Labels(), out[j].Labels()) < 0 })
	}
	return &seriesSet{list: out, i: -1}
}

func matches(l labels.Labels, ms []*labels.Matcher) bool {
	for _, m := range ms {
		if !m.Matches(l.Get(m.Name)) {
			return false
		}
	}
	return true
}

func (q *querier) LabelValues(ctx context.Context, name string, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	set := map[string]bool{}
	ss := q.Select(ctx, false, nil, ms...)
	for ss.Next() {
		if v := ss.At().Labels().Get(name); v != "" {
			set[v] = true
		}
	}
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	slices.Sort(out)
	return out, nil, nil
}

func (q *querier) LabelNames(ctx context.Context, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	set := map[string]bool{}
	ss := q.Select(ctx, false, nil, ms...)
	for ss.Next() {
		ss.At().Labels().Range(func(l labels.Label) { set[l.Name] = true })
	}
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	slices.Sort(out)
	return out, nil, nil
}

func (q *querier) Close() error { return nil }

type seriesSet struct {
	list []storage.Series
	i    int
}

func (s *seriesSet) Next() bool                        { s.i++; return s.i < len(s.list) }
func (s *seriesSet) At() storage.Series                { return s.list[s.i] }
func (s *seriesSet) Err() error                        { return nil }
func (s *seriesSet) Warnings() annotations.Annotations { return nil }

type floatSeries struct {
	lset labels.Labels
	ts   []int64
	vs   []float64
}

func (s *floatSeries) Labels() labels.Labels { return s.lset }
func (s *floatSeries) Iterator(chunkenc.Iterator) chunkenc.Iterator {
	return storage.NewListSeriesIterator(floatSamples{ts: s.ts, vs: s.vs})
}

// floatSamples are a series' samples as storage's list iterator reads them.
type floatSamples struct {
	ts []int64
	vs []float64
}

func (f floatSamples) Get(i int) chunks.Sample { return fsample{t: f.ts[i], v: f.vs[i]} }
func (f floatSamples) Len() int                { return len(f.ts) }

type fsample struct {
	t int64
	v float64
}

func (s fsample) T() int64                      { return s.t }
func (s fsample) ST() int64                     { return 0 }
func (s fsample) F() float64                    { return s.v }
func (s fsample) H() *histogram.Histogram       { return nil }
func (s fsample) FH() *histogram.FloatHistogram { return nil }
func (s fsample) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (s fsample) Copy() chunks.Sample           { return s }
