package analysis

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/rollout"
)

func durationOr(d int64) time.Duration {
	if d <= 0 {
		return platformv1.DefaultHTTPCheckTimeout
	}
	return time.Duration(d)
}

// Metrics measures a metrics check of url.
func Metrics(ctx context.Context, client *http.Client, c platformv1.MetricsCheck, url string) (rollout.Outcome, string) {
	status, body, err := fetch(ctx, client, url, "", int64(c.Timeout.Duration))
	if err != nil {
		return rollout.Inconclusive, "scrape failed: " + err.Error()
	}
	if status != http.StatusOK {
		return rollout.Inconclusive, fmt.Sprintf("scrape answered status %d", status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return rollout.Inconclusive, "the scrape is not Prometheus text: " + err.Error()
	}
	value, what, err := evaluate(families, c)
	if err != nil {
		return rollout.Inconclusive, err.Error()
	}
	shown := strconv.FormatFloat(value, 'g', 4, 64)
	if c.Max != nil {
		if limit, _ := strconv.ParseFloat(string(*c.Max), 64); value > limit {
			return rollout.Failed, fmt.Sprintf("%s = %s, above the max %s", what, shown, *c.Max)
		}
	}
	if c.Min != nil {
		if limit, _ := strconv.ParseFloat(string(*c.Min), 64); value < limit {
			return rollout.Failed, fmt.Sprintf("%s = %s, below the min %s", what, shown, *c.Min)
		}
	}
	return rollout.Successful, fmt.Sprintf("%s = %s", what, shown)
}

func evaluate(families map[string]*dto.MetricFamily, c platformv1.MetricsCheck) (float64, string, error) {
	switch {
	case c.Sum != nil:
		v, err := sum(families, *c.Sum)
		return v, "sum of " + c.Sum.Metric, err
	case c.Ratio != nil:
		num, err := sum(families, c.Ratio.Numerator)
		if err != nil {
			return 0, "", err
		}
		den, err := sum(families, c.Ratio.Denominator)
		if err != nil {
			return 0, "", err
		}
		if den == 0 {
			return 0, "", fmt.Errorf("the denominator %s is 0: no data yet", c.Ratio.Denominator.Metric)
		}
		return num / den, c.Ratio.Numerator.Metric + " / " + c.Ratio.Denominator.Metric, nil
	case c.Quantile != nil:
		q, _ := strconv.ParseFloat(string(c.Quantile.Quantile), 64)
		v, err := quantile(families, c.Quantile.MetricSelector, q)
		return v, fmt.Sprintf("quantile %s of %s", c.Quantile.Quantile, c.Quantile.Metric), err
	}
	return 0, "", fmt.Errorf("the check computes nothing")
}

// matching are the series of a family whose labels match the selector
// (each value a regular expression matched against the whole label).
func matching(families map[string]*dto.MetricFamily, sel platformv1.MetricSelector) ([]*dto.Metric, *dto.MetricFamily, error) {
	fam, ok := families[sel.Metric]
	if !ok {
		return nil, nil, fmt.Errorf("metric %s is not in the scrape", sel.Metric)
	}
	res := map[string]*regexp.Regexp{}
	for k, v := range sel.Labels {
		re, err := regexp.Compile("^(?:" + v + ")$")
		if err != nil {
			return nil, nil, fmt.Errorf("label %s: %q is not a regular expression", k, v)
		}
		res[k] = re
	}
	var out []*dto.Metric
	for _, m := range fam.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		ok := true
		for k, re := range res {
			if !re.MatchString(labels[k]) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, m)
		}
	}
	return out, fam, nil
}

func sum(families map[string]*dto.MetricFamily, sel platformv1.MetricSelector) (float64, error) {
	series, fam, err := matching(families, sel)
	if err != nil {
		return 0, err
	}
	total := 0.0
	for _, m := range series {
		switch fam.GetType() {
		case dto.MetricType_COUNTER:
			total += m.GetCounter().GetValue()
		case dto.MetricType_GAUGE:
			total += m.GetGauge().GetValue()
		case dto.MetricType_UNTYPED:
			total += m.GetUntyped().GetValue()
		case dto.MetricType_HISTOGRAM:
			total += float64(m.GetHistogram().GetSampleCount())
		case dto.MetricType_SUMMARY:
			total += float64(m.GetSummary().GetSampleCount())
		}
	}
	return total, nil
}

// quantile estimates the q-quantile of a histogram's matching series
// summed, interpolating linearly inside the bucket, as PromQL's
// histogram_quantile does.
func quantile(families map[string]*dto.MetricFamily, sel platformv1.MetricSelector, q float64) (float64, error) {
	series, fam, err := matching(families, sel)
	if err != nil {
		return 0, err
	}
	if fam.GetType() != dto.MetricType_HISTOGRAM {
		return 0, fmt.Errorf("metric %s is a %s, not a histogram", sel.Metric, fam.GetType())
	}
	counts := map[float64]float64{}
	for _, m := range series {
		for _, b := range m.GetHistogram().GetBucket() {
			if !math.IsInf(b.GetUpperBound(), 1) {
				counts[b.GetUpperBound()] += float64(b.GetCumulativeCount())
			}
		}
		counts[math.Inf(1)] += float64(m.GetHistogram().GetSampleCount())
	}
	bounds := make([]float64, 0, len(counts))
	for b := range counts {
		bounds = append(bounds, b)
	}
	sort.Float64s(bounds)
	total := counts[math.Inf(1)]
	if total == 0 {
		return 0, fmt.Errorf("histogram %s has no observations yet", sel.Metric)
	}
	rank := q * total
	prevBound, prevCount := 0.0, 0.0
	for _, b := range bounds {
		c := counts[b]
		if c >= rank {
			if math.IsInf(b, 1) {
				// Above the highest finite bucket: its bound is the answer.
				return prevBound, nil
			}
			if c == prevCount {
				return b, nil
			}
			return prevBound + (b-prevBound)*(rank-prevCount)/(c-prevCount), nil
		}
		prevBound, prevCount = b, c
	}
	return prevBound, nil
}
