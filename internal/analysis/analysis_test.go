package analysis

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/rollout"
)

// endpoint is a loopback server whose answer the test sets.
func endpoint(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "lincoln.localhost" {
			w.Header().Set("X-District", "lincoln")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(strings.ReplaceAll(body, "HOST", r.Host)))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func str(s string) *string            { return &s }
func num(s string) *platformv1.Number { n := platformv1.Number(s); return &n }
func eq(path, v string) platformv1.JSONCondition {
	return platformv1.JSONCondition{Path: path, Equals: str(v)}
}

func TestWebChecks(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	for _, tc := range []struct {
		name   string
		url    string
		check  platformv1.WebCheck
		want   rollout.Outcome
		reason string
	}{
		{"200 by default", endpoint(t, 200, "ok"), platformv1.WebCheck{}, rollout.Successful, "status 200"},
		{"503 fails", endpoint(t, 503, "down"), platformv1.WebCheck{}, rollout.Failed, "status 503, want [200]"},
		{"listed status codes", endpoint(t, 204, ""), platformv1.WebCheck{StatusCodes: []int32{200, 204}}, rollout.Successful, "status 204"},
		{"no answer is inconclusive", closedURL, platformv1.WebCheck{}, rollout.Inconclusive, "request failed"},
		{"JSON equals", endpoint(t, 200, `{"status":"ok","db":{"up":true}}`),
			platformv1.WebCheck{JSON: []platformv1.JSONCondition{eq("status", "ok"), eq("db.up", "true")}}, rollout.Successful, "2 JSON condition(s) hold"},
		{"JSON differs", endpoint(t, 200, `{"status":"degraded"}`),
			platformv1.WebCheck{JSON: []platformv1.JSONCondition{eq("status", "ok")}}, rollout.Failed, `status = "degraded", want "ok"`},
		{"JSON number below", endpoint(t, 200, `{"errors":{"ratio":0.002}}`),
			platformv1.WebCheck{JSON: []platformv1.JSONCondition{{Path: "errors.ratio", LessThan: num("0.01")}}}, rollout.Successful, "hold"},
		{"JSON number above the limit", endpoint(t, 200, `{"p99":812}`),
			platformv1.WebCheck{JSON: []platformv1.JSONCondition{{Path: "p99", LessThan: num("500")}}}, rollout.Failed, "p99 = 812, want below 500"},
		{"JSON array index", endpoint(t, 200, `{"checks":[{"name":"db","ok":true}]}`),
			platformv1.WebCheck{JSON: []platformv1.JSONCondition{eq("checks.0.ok", "true")}}, rollout.Successful, "hold"},
		{"JSON greater than", endpoint(t, 200, `{"workers":3}`),
			platformv1.WebCheck{JSON: []platformv1.JSONCondition{{Path: "workers", GreaterThan: num("0")}}}, rollout.Successful, "hold"},
		{"missing field is inconclusive", endpoint(t, 200, `{}`),
			platformv1.WebCheck{JSON: []platformv1.JSONCondition{eq("status", "ok")}}, rollout.Inconclusive, "no field status"},
		{"not JSON is inconclusive", endpoint(t, 200, `<html>`),
			platformv1.WebCheck{JSON: []platformv1.JSONCondition{eq("status", "ok")}}, rollout.Inconclusive, "not JSON"},
		{"not a number is inconclusive", endpoint(t, 200, `{"p99":"fast"}`),
			platformv1.WebCheck{JSON: []platformv1.JSONCondition{{Path: "p99", LessThan: num("500")}}}, rollout.Inconclusive, "not a number"},
		{"host header", endpoint(t, 200, `{"host":"HOST"}`),
			platformv1.WebCheck{Host: "lincoln.localhost", JSON: []platformv1.JSONCondition{eq("host", "lincoln.localhost")}}, rollout.Successful, "hold"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, msg := Web(t.Context(), http.DefaultClient, tc.check, tc.url)
			if got != tc.want || !strings.Contains(msg, tc.reason) {
				t.Errorf("%s %q, want %s with %q", got, msg, tc.want, tc.reason)
			}
		})
	}
}

func TestWebCheckTimeoutIsInconclusive(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	got, msg := Web(t.Context(), http.DefaultClient, platformv1.WebCheck{Timeout: metav1.Duration{Duration: 100 * time.Millisecond}}, srv.URL)
	if got != rollout.Inconclusive || !strings.Contains(msg, "deadline exceeded") {
		t.Errorf("%s %q", got, msg)
	}
}

const scrape = `# HELP lms_http_requests_total Requests by status.
# TYPE lms_http_requests_total counter
lms_http_requests_total{code="200",route="/"} 950
lms_http_requests_total{code="302",route="/signin"} 30
lms_http_requests_total{code="500",route="/"} 15
lms_http_requests_total{code="503",route="/api"} 5
# TYPE lms_http_request_duration_seconds histogram
lms_http_request_duration_seconds_bucket{route="/",le="0.1"} 600
lms_http_request_duration_seconds_bucket{route="/",le="0.5"} 900
lms_http_request_duration_seconds_bucket{route="/",le="1"} 990
lms_http_request_duration_seconds_bucket{route="/",le="+Inf"} 1000
lms_http_request_duration_seconds_sum{route="/"} 200
lms_http_request_duration_seconds_count{route="/"} 1000
# TYPE lms_pool_idle gauge
lms_pool_idle 0
`

func TestMetricsChecks(t *testing.T) {
	url := endpoint(t, 200, scrape)
	errorRatio := &platformv1.MetricRatio{
		Numerator:   platformv1.MetricSelector{Metric: "lms_http_requests_total", Labels: map[string]string{"code": "5.."}},
		Denominator: platformv1.MetricSelector{Metric: "lms_http_requests_total"}}
	p99 := &platformv1.MetricQuantile{MetricSelector: platformv1.MetricSelector{Metric: "lms_http_request_duration_seconds"}, Quantile: "0.95"}
	for _, tc := range []struct {
		name   string
		url    string
		check  platformv1.MetricsCheck
		want   rollout.Outcome
		reason string
	}{
		{"5xx ratio under the max", url, platformv1.MetricsCheck{Ratio: errorRatio, Max: num("0.05")}, rollout.Successful, "= 0.02"},
		{"5xx ratio over the max", url, platformv1.MetricsCheck{Ratio: errorRatio, Max: num("0.01")}, rollout.Failed, "= 0.02, above the max 0.01"},
		{"p95 interpolated in its bucket", url, platformv1.MetricsCheck{Quantile: p99, Max: num("0.95")}, rollout.Successful, "quantile 0.95 of lms_http_request_duration_seconds = 0.7778"},
		{"p95 over the max", url, platformv1.MetricsCheck{Quantile: p99, Max: num("0.5")}, rollout.Failed, "above the max 0.5"},
		{"sum under a min", url, platformv1.MetricsCheck{Sum: &platformv1.MetricSelector{Metric: "lms_pool_idle"}, Min: num("1")}, rollout.Failed, "below the min 1"},
		{"sum of matching series", url, platformv1.MetricsCheck{Sum: &platformv1.MetricSelector{Metric: "lms_http_requests_total", Labels: map[string]string{"route": "/"}}, Max: num("965")},
			rollout.Successful, "sum of lms_http_requests_total = 965"},
		{"missing metric is inconclusive", url, platformv1.MetricsCheck{Sum: &platformv1.MetricSelector{Metric: "nope_total"}, Max: num("1")}, rollout.Inconclusive, "nope_total is not in the scrape"},
		{"zero denominator is inconclusive", url, platformv1.MetricsCheck{Ratio: &platformv1.MetricRatio{
			Numerator: platformv1.MetricSelector{Metric: "lms_http_requests_total"}, Denominator: platformv1.MetricSelector{Metric: "lms_pool_idle"}}, Max: num("1")},
			rollout.Inconclusive, "the denominator lms_pool_idle is 0"},
		{"quantile of a counter is inconclusive", url, platformv1.MetricsCheck{Quantile: &platformv1.MetricQuantile{
			MetricSelector: platformv1.MetricSelector{Metric: "lms_http_requests_total"}, Quantile: "0.5"}, Max: num("1")}, rollout.Inconclusive, "not a histogram"},
		{"a failing scrape is inconclusive", endpoint(t, 500, "oops"), platformv1.MetricsCheck{Sum: &platformv1.MetricSelector{Metric: "x"}, Max: num("1")},
			rollout.Inconclusive, "status 500"},
		{"garbage is inconclusive", endpoint(t, 200, "{not prometheus"), platformv1.MetricsCheck{Sum: &platformv1.MetricSelector{Metric: "x"}, Max: num("1")},
			rollout.Inconclusive, "not Prometheus text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, msg := Metrics(t.Context(), http.DefaultClient, tc.check, tc.url)
			if got != tc.want || !strings.Contains(msg, tc.reason) {
				t.Errorf("%s %q, want %s with %q", got, msg, tc.want, tc.reason)
			}
		})
	}
}
