//go:build e2e

package rollouttest

import (
	"net/http"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// The operator is killed and started again at every step of a rollout it
// observes (a bounded loop): the new operator resumes from status, runs no
// migration twice, and the active Service drops no request.
func TestOperatorKilledAtEveryStepResumes(t *testing.T) {
	ok := newEndpoint(t, http.StatusOK, "ok")
	f := newFleet(t, "restart", "registry.example/bellwork/fakelms:1", func(s *platformv1.DeploymentSpec) {
		s.Analysis.PrePromotion = []platformv1.AnalysisCheck{check("up", platformv1.AnalysisCheck{Web: &platformv1.WebCheck{URL: ok.URL}, Count: 3}),
			{Name: "smoke", Job: &platformv1.JobCheck{ProbeAccountSecret: probeSecret}}}
		s.Analysis.PostPromotion = platformv1.PostPromotionAnalysis{Duration: metav1.Duration{Duration: 3 * time.Second},
			Checks: []platformv1.AnalysisCheck{check("still-up", platformv1.AnalysisCheck{Web: &platformv1.WebCheck{URL: ok.URL}, Count: 2})}}
	})
	f.serving("registry.example/bellwork/fakelms:1")
	load := f.load(t)
	f.rollTo("registry.example/bellwork/fakelms:2", nil)
	seen := map[platformv1.RolloutStep]bool{}
	restarts := 0
	// unanalysed is the last time status was read (the read began) showing
	// revision 2 not yet past pre-promotion analysis: the active Service
	// cannot have switched to it before then.
	var unanalysed time.Time
	deadline := time.Now().Add(3 * time.Minute)
	for restarts < 15 && time.Now().Before(deadline) {
		readAt := time.Now()
		d := f.get()
		r := d.Status.Rollout
		if r == nil || r.Revision != 2 || beforeAnalysisPassed(r.Step) {
			unanalysed = readAt
		}
		if r != nil && r.Revision == 2 {
			if r.Step == platformv1.StepCompleted {
				break
			}
			if !seen[r.Step] {
				seen[r.Step] = true
				operator.kill()
				restarts++
				t.Logf("killed the operator at %s; starting a new one", r.Step)
				if err := operator.start(); err != nil {
					t.Fatal(err)
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	d := f.serving("registry.example/bellwork/fakelms:2")
	load.finish(t)
	first, reached := load.images.Load("registry.example/bellwork/fakelms:2")
	switch {
	case !reached:
		t.Errorf("the client never reached the new version")
	case unanalysed.IsZero():
		t.Errorf("status was never seen before pre-promotion analysis passed")
	case !first.(time.Time).After(unanalysed):
		t.Errorf("the client was answered by the new version at %s, before pre-promotion analysis had passed (still pending at %s)",
			first.(time.Time).Format(time.StampMicro), unanalysed.Format(time.StampMicro))
	}
	if restarts < 4 {
		t.Errorf("only %d restarts: the rollout's steps went by unseen", restarts)
	}
	succeeded := 0
	for _, h := range d.Status.History {
		if h.Revision == 2 && h.Outcome == platformv1.OutcomeSucceeded {
			succeeded++
		}
	}
	if succeeded != 1 || d.Status.Rollout.Attempt != 1 {
		t.Errorf("history %+v", d.Status.History)
	}
	runs := f.migrations()
	for _, tenant := range []string{"alpha", "beta"} {
		for _, phase := range []string{"expand", "contract"} {
			if n := countOf(runs, tenant+"|"+phase+"|registry.example/bellwork/fakelms:2"); n != 1 {
				t.Errorf("%s %s ran %d times", tenant, phase, n)
			}
		}
	}
}

// beforeAnalysisPassed says a rollout at step has not passed pre-promotion
// analysis yet.
func beforeAnalysisPassed(step platformv1.RolloutStep) bool {
	switch step {
	case platformv1.StepWaitingForWindow, platformv1.StepExpandMigration, platformv1.StepPreview, platformv1.StepPrePromotionAnalysis:
		return true
	}
	return false
}
