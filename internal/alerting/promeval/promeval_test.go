package promeval

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/prometheus/model/labels"
)

var t0 = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)

func TestParseGivesTheParsersMessage(t *testing.T) {
	if err := Parse(`rate(http_requests_total[5m]) > 1`); err != nil {
		t.Fatalf("valid expression refused: %v", err)
	}
	err := Parse(`rate(http_requests_total[5m] > 1`)
	if err == nil || !strings.Contains(err.Error(), "unclosed left parenthesis") {
		t.Fatalf("err %v, want the parser's message", err)
	}
}

// A real registry on a real HTTP server, scraped every 15s for five
// minutes: the engine computes the 5xx ratio over what was scraped.
func TestScrapedSamplesAnswerPromQL(t *testing.T) {
	reg := prometheus.NewRegistry()
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lms_http_requests_total"}, []string{"status", "tenant"})
	lat := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "lms_latency_seconds", Buckets: []float64{0.1, 1}})
	reg.MustRegister(reqs, lat)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()

	store := NewStore(time.Hour.Milliseconds(), 1000)
	s := &Scraper{Store: store, Targets: []Target{{Job: "lms", URL: srv.URL + "/metrics"}}, Interval: 15 * time.Second}
	for i := range 21 {
		reqs.WithLabelValues("200", "a").Add(90)
		reqs.WithLabelValues("500", "a").Add(10)
		reqs.WithLabelValues("200", "b").Add(100)
		lat.Observe(0.5)
		s.Once(context.Background(), t0.Add(time.Duration(i)*15*time.Second))
	}
	local := &Local{Engine: NewEngine(100000, 10*time.Second), Queryable: store}
	at := t0.Add(5 * time.Minute)
	got, err := local.Query(context.Background(),
		`sum by (tenant) (rate(lms_http_requests_total{status=~"5.."}[5m])) / sum by (tenant) (rate(lms_http_requests_total[5m])) > 0.05`, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Labels["tenant"] != "a" || got[0].Value < 0.099 || got[0].Value > 0.101 {
		t.Fatalf("5xx ratio: %+v, want tenant a at 0.1", got)
	}
	got, err = local.Query(context.Background(), `histogram_quantile(0.5, rate(lms_latency_seconds_bucket[5m]))`, at)
	if err != nil || len(got) != 1 || got[0].Value <= 0.1 || got[0].Value > 1 {
		t.Fatalf("median latency: %+v %v, want one value in (0.1, 1]", got, err)
	}
	got, err = local.Query(context.Background(), `up{job="lms"} == 1`, at)
	if err != nil || len(got) != 1 {
		t.Fatalf("up: %+v %v", got, err)
	}
	if _, err := local.Query(context.Background(), `"text"`, at); err == nil {
		t.Fatal("a string result was accepted")
	}
}

func TestStoreIsBounded(t *testing.T) {
	store := NewStore(time.Minute.Milliseconds(), 2)
	for i := range 3 {
		store.Append(labels.FromStrings("__name__", "x", "i", string(rune('a'+i))), t0.UnixMilli(), 1)
	}
	if store.Series() != 2 || store.Dropped != 1 {
		t.Fatalf("series %d dropped %d, want 2 and 1", store.Series(), store.Dropped)
	}
	l := labels.FromStrings("__name__", "x", "i", "a")
	for i := range 100 {
		store.Append(l, t0.Add(time.Duration(i)*time.Second).UnixMilli(), float64(i))
	}
	if n := len(store.series[l.String()].ts); n > 2*61 {
		t.Fatalf("a series keeps %d samples of one per second with a minute's retention", n)
	}
	store.Forget(t0.Add(time.Hour).UnixMilli())
	if store.Series() != 0 {
		t.Fatalf("Forget left %d series", store.Series())
	}
}

func TestRemoteSource(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query" {
			http.NotFound(w, r)
			return
		}
		switch r.URL.Query().Get("query") {
		case "bad(":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"status":"error","errorType":"bad_data","error":"unclosed left parenthesis"}`))
		case "scalar(1)":
			_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"scalar","result":[1764514800,"1"]}}`))
		default:
			_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"tenant":"a"},"value":[1764514800,"0.25"]}]}}`))
		}
	}))
	defer api.Close()
	r := &Remote{URL: api.URL}
	got, err := r.Query(context.Background(), "up == 0", t0)
	if err != nil || len(got) != 1 || got[0].Labels["tenant"] != "a" || got[0].Value != 0.25 {
		t.Fatalf("vector: %+v %v", got, err)
	}
	if got, err := r.Query(context.Background(), "scalar(1)", t0); err != nil || len(got) != 1 || got[0].Value != 1 {
		t.Fatalf("scalar: %+v %v", got, err)
	}
	if _, err := r.Query(context.Background(), "bad(", t0); err == nil || !strings.Contains(err.Error(), "unclosed left parenthesis") {
		t.Fatalf("error: %v, want the source's message", err)
	}
}
