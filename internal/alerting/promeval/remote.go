package promeval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/internal/alerting"
)

// Remote evaluates expressions on a Prometheus-compatible HTTP API
// (Prometheus, Thanos, Mimir, VictoriaMetrics): GET <URL>/api/v1/query.
type Remote struct {
	URL    string
	Client *http.Client
}

type apiAnswer struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// Query evaluates expr at the instant at.
func (r *Remote) Query(ctx context.Context, expr string, at time.Time) ([]alerting.Sample, error) {
	q := url.Values{"query": {expr}, "time": {strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(r.URL, "/")+"/api/v1/query?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	client := r.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	defer res.Body.Close()
	var a apiAnswer
	if err := json.NewDecoder(io.LimitReader(res.Body, maxScrapeBytes)).Decode(&a); err != nil {
		return nil, fmt.Errorf("source answered %s without a query result", res.Status)
	}
	if a.Status != "success" {
		return nil, fmt.Errorf("source: %s: %s", a.ErrorType, a.Error)
	}
	parse := func(pair [2]any) (float64, error) {
		s, _ := pair[1].(string)
		return strconv.ParseFloat(s, 64)
	}
	switch a.Data.ResultType {
	case "vector":
		var vec []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(a.Data.Result, &vec); err != nil {
			return nil, fmt.Errorf("source: read the vector: %w", err)
		}
		out := make([]alerting.Sample, 0, len(vec))
		for _, s := range vec {
			v, err := parse(s.Value)
			if err != nil {
				return nil, fmt.Errorf("source: a sample's value: %w", err)
			}
			out = append(out, alerting.Sample{Labels: s.Metric, Value: v})
		}
		return out, nil
	case "scalar":
		var pair [2]any
		if err := json.Unmarshal(a.Data.Result, &pair); err != nil {
			return nil, fmt.Errorf("source: read the scalar: %w", err)
		}
		v, err := parse(pair)
		if err != nil {
			return nil, fmt.Errorf("source: the scalar's value: %w", err)
		}
		return []alerting.Sample{{Labels: alerting.Labels{}, Value: v}}, nil
	}
	return nil, fmt.Errorf("the expression must return an instant vector or a scalar, not %s", a.Data.ResultType)
}
