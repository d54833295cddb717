//go:build e2e

package rollouttest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// endpoint is a loopback server whose answer the test controls.
type endpoint struct {
	*httptest.Server
	status atomic.Int32
	body   atomic.Value
}

func newEndpoint(t *testing.T, status int, body string) *endpoint {
	e := &endpoint{}
	e.status.Store(int32(status))
	e.body.Store(body)
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(int(e.status.Load()))
		fmt.Fprint(w, e.body.Load().(string))
	}))
	t.Cleanup(e.Close)
	return e
}

func check(name string, c platformv1.AnalysisCheck) platformv1.AnalysisCheck {
	c.Name = name
	c.Interval = metav1.Duration{Duration: 500 * time.Millisecond}
	return c
}

// A web check whose endpoint answers 503 fails the rollout before promotion.
func TestFailedWebCheck(t *testing.T) {
	down := newEndpoint(t, http.StatusServiceUnavailable, "down")
	f := newFleet(t, "webfail", lmsV1, nil)
	f.serving(lmsV1)
	f.update(func(s *platformv1.DeploymentSpec) {
		s.Analysis.PrePromotion = []platformv1.AnalysisCheck{check("status", platformv1.AnalysisCheck{Web: &platformv1.WebCheck{URL: down.URL + "/status"}, Count: 3})}
	})
	f.rollTo(lmsV2)
	d := f.waitFor("the failed rollout", 2*time.Minute, func(d *platformv1.Deployment) bool { return step(d) == platformv1.StepFailed })
	if !strings.Contains(d.Status.Message, "pre-promotion check status failed: status 503, want [200]") || d.Status.Active.Image != lmsV1 {
		t.Errorf("message %q active %+v", d.Status.Message, d.Status.Active)
	}
}

// A metrics check whose 5xx ratio is above its max fails the rollout.
func TestFailedMetricsCheck(t *testing.T) {
	scrape := newEndpoint(t, http.StatusOK, "# TYPE lms_http_requests_total counter\n"+
		"lms_http_requests_total{code=\"200\"} 90\nlms_http_requests_total{code=\"500\"} 10\n")
	f := newFleet(t, "metricsfail", lmsV1, nil)
	f.serving(lmsV1)
	max := platformv1.Number("0.05")
	f.update(func(s *platformv1.DeploymentSpec) {
		s.Analysis.PrePromotion = []platformv1.AnalysisCheck{check("errors", platformv1.AnalysisCheck{Metrics: &platformv1.MetricsCheck{URL: scrape.URL + "/metrics",
			Ratio: &platformv1.MetricRatio{Numerator: platformv1.MetricSelector{Metric: "lms_http_requests_total", Labels: map[string]string{"code": "5.."}},
				Denominator: platformv1.MetricSelector{Metric: "lms_http_requests_total"}}, Max: &max}, Count: 2})}
	})
	f.rollTo(lmsV2)
	d := f.waitFor("the failed rollout", 2*time.Minute, func(d *platformv1.Deployment) bool { return step(d) == platformv1.StepFailed })
	if !strings.Contains(d.Status.Message, "check errors failed: lms_http_requests_total / lms_http_requests_total = 0.1, above the max 0.05") {
		t.Errorf("message %q", d.Status.Message)
	}
}

// A post-promotion check that fails returns traffic to the previous
// version by itself; a client on the active Service sees no failure across
// the promotion and the rollback.
func TestAutomaticRollbackAfterPromotion(t *testing.T) {
	health := newEndpoint(t, http.StatusOK, `{"errorRate": 0}`)
	below := platformv1.Number("0.01")
	f := newFleet(t, "autorollback", lmsV1, func(s *platformv1.DeploymentSpec) {
		s.Analysis.PostPromotion = platformv1.PostPromotionAnalysis{Duration: metav1.Duration{Duration: time.Minute},
			Checks: []platformv1.AnalysisCheck{check("errors", platformv1.AnalysisCheck{Web: &platformv1.WebCheck{URL: health.URL,
				JSON: []platformv1.JSONCondition{{Path: "errorRate", LessThan: &below}}}, Count: 1})}}
	})
	f.waitFor("the first version", 3*time.Minute, func(d *platformv1.Deployment) bool {
		return d.Status.Active != nil && step(d) == platformv1.StepCompleted
	})
	load := f.load(t)
	f.rollTo(lmsV2)
	f.waitFor("post-promotion analysis", 2*time.Minute, func(d *platformv1.Deployment) bool {
		return step(d) == platformv1.StepPostPromotionAnalysis && d.Status.Rollout.Revision == 2
	})
	// The check fails only once the client has been answered by the
	// promoted version: the active Service's endpoints follow the
	// promotion a moment later, and failing earlier would roll back
	// before any request reached it.
	eventually(t, 30*time.Second, func() (bool, string) {
		_, ok := load.images.Load(lmsV2)
		return ok, "the client has not reached the promoted version"
	})
	health.body.Store(`{"errorRate": 0.2}`)
	d := f.waitFor("the rollback", time.Minute, func(d *platformv1.Deployment) bool { return step(d) == platformv1.StepRolledBack })
	if d.Status.Active.Image != lmsV1 || d.Status.Phase != platformv1.DeploymentDegraded ||
		!strings.Contains(d.Status.Message, "post-promotion check errors failed: errorRate = 0.2, want below 0.01") {
		t.Errorf("active %+v phase %s message %q", d.Status.Active, d.Status.Phase, d.Status.Message)
	}
	f.waitFor("the rolled-back colour to drain", time.Minute, func(d *platformv1.Deployment) bool { return !d.Status.Rollout.Draining })
	time.Sleep(time.Second)
	load.finish(t)
	for _, image := range []string{lmsV1, lmsV2} {
		if _, ok := load.images.Load(image); !ok {
			t.Errorf("the client never reached %s", image)
		}
	}
	if a, err := f.answer(f.active); err != nil || a.image != lmsV1 {
		t.Errorf("after the rollback the active Service answers %+v, %v", a, err)
	}
}
