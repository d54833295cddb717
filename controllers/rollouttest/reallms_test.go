//go:build e2e

package rollouttest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
)

// The real LMS: `lms serve` processes read the directory the
// operator publishes, the real `lms migrate` runs the expand and contract
// Jobs on the test districts' databases, a web check signs nobody in but
// loads a district's sign-in page on the preview, and a client on loopback
// loading that page through the active Service sees no failure across the
// promotion. The probes answer on each pod's probe port, not through the
// Service.
func TestRealLMSBlueGreen(t *testing.T) {

	f := newFleet(t, "real", lmsV1, func(s *platformv1.DeploymentSpec) {
		s.Analysis.PrePromotion = []platformv1.AnalysisCheck{check("preview-signin", platformv1.AnalysisCheck{
			Web: &platformv1.WebCheck{URL: "$(PREVIEW_URL)/signin", Host: "beta.localhost"}, Count: 2})}
	})
	f.serving(lmsV1)
	load := f.load(t)
	// Let the client run against the first version before the switch.
	time.Sleep(2 * time.Second)
	f.rollTo(lmsV2)
	d := f.serving(lmsV2)
	load.finish(t)
	if n := load.requests.Load(); n < 20 {
		t.Errorf("the client made only %d requests", n)
	}
	if d.Status.Active.Revision != 2 || len(d.Status.History) != 2 || d.Status.History[0].Outcome != platformv1.OutcomeSucceeded {
		t.Errorf("status %+v", d.Status)
	}
	// The real lms migrate ran both phases on both districts' databases.
	for _, tenant := range []string{"alpha", "beta"} {
		for _, phase := range []platformv1.MigrationPhase{platformv1.MigrationExpand, platformv1.MigrationContract} {
			ok := false
			for _, m := range d.Status.Rollout.Migrations {
				ok = ok || (m.Tenant == tenant && m.Phase == phase && m.State == platformv1.MigrationSucceeded)
			}
			if !ok {
				t.Errorf("no successful %s migration of %s: %+v", phase, tenant, d.Status.Rollout.Migrations)
			}
		}
	}
	var a *platformv1.AnalysisResult
	for i, r := range d.Status.Rollout.Analysis {
		if r.Name == "preview-signin" && r.Stage == platformv1.PrePromotion {
			a = &d.Status.Rollout.Analysis[i]
		}
	}
	if a == nil || a.State != platformv1.AnalysisPassed || a.Successes < 2 {
		t.Errorf("pre-promotion analysis of revision 2: %+v", d.Status.Rollout.Analysis)
	}

	// The tenant listener, which the Service exposes, does not answer the
	// probes; each pod's probe port does.
	for _, path := range []string{"/readyz", "/metrics", "/healthz"} {
		if status, err := getHost(f.active+path, "alpha.localhost"); err != nil || status != http.StatusNotFound {
			t.Errorf("%s through the active Service: %d, %v; want 404", path, status, err)
		}
	}
	var pods corev1.PodList
	if err := env.Client.List(context.Background(), &pods, client.InNamespace(lmsNamespace),
		client.MatchingLabels(builders.ServerLabels(d, string(d.Status.Active.Color)))); err != nil || len(pods.Items) == 0 {
		t.Fatalf("active pods: %v (%d)", err, len(pods.Items))
	}
	for _, pod := range pods.Items {
		body, err := get("http://" + pod.Status.PodIP + ":9090/readyz")
		if err != nil || !strings.Contains(body, `"tenant":"alpha"`) { // compact JSON (kit.WriteJSON)
			t.Errorf("pod %s probe port /readyz: %v %s", pod.Name, err, body)
		}
	}
}
