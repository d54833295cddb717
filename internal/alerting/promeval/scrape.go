package promeval

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
)

// Target is one /metrics endpoint to scrape.
type Target struct {
	// Job is the "job" label of its series.
	Job string
	URL string
}

// maxScrapeBytes bounds one scrape's body, so a runaway target cannot
// exhaust the operator's memory.
const maxScrapeBytes = 16 << 20

// Scrape reads target's Prometheus text format into store at now, adding
// job and instance labels, and an "up" series (1 when the scrape worked).
func Scrape(ctx context.Context, client *http.Client, store *Store, target Target, now time.Time) error {
	t := now.UnixMilli()
	up := labels.FromStrings("__name__", "up", "job", target.Job, "instance", target.URL)
	err := scrapeInto(ctx, client, store, target, t)
	v := 1.0
	if err != nil {
		v = 0
	}
	store.Append(up, t, v)
	return err
}

func scrapeInto(ctx context.Context, client *http.Client, store *Store, target Target, t int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.URL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("scrape %s: %w", target.URL, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("scrape %s: %s", target.URL, res.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(io.LimitReader(res.Body, maxScrapeBytes))
	if err != nil {
		return fmt.Errorf("scrape %s: %w", target.URL, err)
	}
	for name, mf := range families {
		for _, m := range mf.GetMetric() {
			add := func(suffix string, v float64, extra ...string) {
				b := labels.NewScratchBuilder(len(m.GetLabel()) + 4)
				b.Add("__name__", name+suffix)
				b.Add("job", target.Job)
				b.Add("instance", target.URL)
				for _, lp := range m.GetLabel() {
					b.Add(lp.GetName(), lp.GetValue())
				}
				for i := 0; i+1 < len(extra); i += 2 {
					b.Add(extra[i], extra[i+1])
				}
				b.Sort()
				store.Append(b.Labels(), t, v)
			}
			appendMetric(mf.GetType(), m, add)
		}
	}
	return nil
}

// appendMetric turns one metric into its series, as Prometheus stores them.
func appendMetric(typ dto.MetricType, m *dto.Metric, add func(suffix string, v float64, extra ...string)) {
	switch typ {
	case dto.MetricType_COUNTER:
		add("", m.GetCounter().GetValue())
	case dto.MetricType_GAUGE:
		add("", m.GetGauge().GetValue())
	case dto.MetricType_UNTYPED:
		add("", m.GetUntyped().GetValue())
	case dto.MetricType_SUMMARY:
		s := m.GetSummary()
		for _, q := range s.GetQuantile() {
			add("", q.GetValue(), "quantile", formatFloat(q.GetQuantile()))
		}
		add("_sum", s.GetSampleSum())
		add("_count", float64(s.GetSampleCount()))
	case dto.MetricType_HISTOGRAM:
		h := m.GetHistogram()
		infSeen := false
		for _, b := range h.GetBucket() {
			if math.IsInf(b.GetUpperBound(), 1) {
				infSeen = true
			}
			add("_bucket", float64(b.GetCumulativeCount()), "le", formatFloat(b.GetUpperBound()))
		}
		if !infSeen {
			add("_bucket", float64(h.GetSampleCount()), "le", "+Inf")
		}
		add("_sum", h.GetSampleSum())
		add("_count", float64(h.GetSampleCount()))
	}
}

func formatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Scraper scrapes its targets into a store every interval until its
// context ends.
type Scraper struct {
	Store    *Store
	Targets  []Target
	Interval time.Duration
	Client   *http.Client
	// Discover, when set, finds more targets before each round (the LMS
	// fleet's pods, which come and go with rollouts).
	Discover func(context.Context) ([]Target, error)
	// OnError hears failed scrapes and discoveries (the operator logs them).
	OnError func(Target, error)
}

// Start scrapes at once and then every interval; it returns when ctx ends.
// It fits manager.RunnableFunc.
func (s *Scraper) Start(ctx context.Context) error {
	tick := time.NewTicker(s.Interval)
	defer tick.Stop()
	for {
		s.Once(ctx, time.Now())
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Once scrapes every target concurrently at now, then forgets series no
// target has reported for ten intervals.
func (s *Scraper) Once(ctx context.Context, now time.Time) {
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	targets := s.Targets
	if s.Discover != nil {
		found, err := s.Discover(ctx)
		if err != nil && s.OnError != nil {
			s.OnError(Target{Job: "discovery"}, err)
		}
		targets = append(append([]Target(nil), targets...), found...)
	}
	var wg sync.WaitGroup
	for _, t := range targets {
		wg.Go(func() {
			if err := Scrape(ctx, client, s.Store, t, now); err != nil && s.OnError != nil {
				s.OnError(t, err)
			}
		})
	}
	wg.Wait()
	s.Store.Forget(now.Add(-10 * s.Interval).UnixMilli())
}
