//go:build e2e

package rollouttest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// spec.abort stops a rollout waiting for promotion; spec.retry starts it
// again; spec.promote promotes it.
func TestAbortRetryPromote(t *testing.T) {
	f := newFleet(t, "abort", "registry.example/bellwork/fakelms:1", func(s *platformv1.DeploymentSpec) { s.AutoPromote = false })
	f.serving("registry.example/bellwork/fakelms:1")
	f.rollTo("registry.example/bellwork/fakelms:2", nil)
	d := f.waitFor("the preview", 2*time.Minute, func(d *platformv1.Deployment) bool { return step(d) == platformv1.StepAwaitingPromotion })
	if d.Status.Phase != platformv1.DeploymentPaused {
		t.Errorf("phase %s while awaiting promotion", d.Status.Phase)
	}
	if body, err := get(f.preview + "/"); err != nil || !strings.HasSuffix(body, " registry.example/bellwork/fakelms:2") {
		t.Errorf("the preview Service answers %q, %v", body, err)
	}
	f.update(func(s *platformv1.DeploymentSpec) { s.Abort = true })
	d = f.waitFor("the abort", time.Minute, func(d *platformv1.Deployment) bool { return step(d) == platformv1.StepAborted })
	if d.Status.Active.Image != "registry.example/bellwork/fakelms:1" || d.Status.Preview != nil || d.Status.Phase != platformv1.DeploymentDegraded {
		t.Errorf("after abort: active %+v preview %+v phase %s", d.Status.Active, d.Status.Preview, d.Status.Phase)
	}
	if body, err := get(f.preview + "/"); err != nil || !strings.HasSuffix(body, " registry.example/bellwork/fakelms:1") {
		t.Errorf("after abort the preview Service answers %q, %v (want the active version)", body, err)
	}
	f.update(func(s *platformv1.DeploymentSpec) { s.Abort, s.Retry = false, "1" })
	f.waitFor("the retried rollout", 2*time.Minute, func(d *platformv1.Deployment) bool {
		return step(d) == platformv1.StepAwaitingPromotion && d.Status.Rollout.Attempt == 2
	})
	f.update(func(s *platformv1.DeploymentSpec) { s.Promote = "registry.example/bellwork/fakelms:2" })
	d = f.serving("registry.example/bellwork/fakelms:2")
	if d.Status.History[0].Trigger != platformv1.TriggerRetry || d.Status.History[1].Outcome != platformv1.OutcomeAborted {
		t.Errorf("history %+v", d.Status.History)
	}
}

// Committing the previous image back (a GitOps revert) within the
// rollback window switches back at once, skipping migrations and
// analysis, without a failed request.
func TestGitOpsRevertWithinTheRollbackWindow(t *testing.T) {
	f := newFleet(t, "revert", "registry.example/bellwork/fakelms:1", func(s *platformv1.DeploymentSpec) {
		s.ScaleDownDelay = metav1.Duration{Duration: 10 * time.Minute}
	})
	f.waitFor("the first version", 3*time.Minute, func(d *platformv1.Deployment) bool {
		return d.Status.Active != nil && step(d) == platformv1.StepCompleted
	})
	f.rollTo("registry.example/bellwork/fakelms:2", nil)
	f.waitFor("revision 2 promoted", 2*time.Minute, func(d *platformv1.Deployment) bool {
		return d.Status.Active.Revision == 2 && step(d) == platformv1.StepScaleDown
	})
	load := f.load(t)
	migrationsBefore := len(f.migrations())
	f.rollTo("registry.example/bellwork/fakelms:1", nil)
	d := f.serving("registry.example/bellwork/fakelms:1")
	load.finish(t)
	if d.Status.History[0].Trigger != platformv1.TriggerRevert || d.Status.Active.Revision != 1 || d.Status.LastRevision != 2 {
		t.Errorf("history %+v active %+v", d.Status.History[0], d.Status.Active)
	}
	if n := len(f.migrations()); n != migrationsBefore {
		t.Errorf("the revert ran %d migration(s)", n-migrationsBefore)
	}
}

// spec.abort after promotion, while the previous version still runs,
// returns the active Service to it; the aborted colour drains first, so the
// client on the active Service sees no failure.
func TestAbortAfterPromotion(t *testing.T) {
	f := newFleet(t, "abortpromoted", "registry.example/bellwork/fakelms:1", func(s *platformv1.DeploymentSpec) {
		s.ScaleDownDelay = metav1.Duration{Duration: 10 * time.Minute}
	})
	f.waitFor("the first version", 3*time.Minute, func(d *platformv1.Deployment) bool {
		return d.Status.Active != nil && step(d) == platformv1.StepCompleted
	})
	load := f.load(t)
	f.rollTo("registry.example/bellwork/fakelms:2", nil)
	f.waitFor("revision 2 promoted", 2*time.Minute, func(d *platformv1.Deployment) bool {
		return d.Status.Active.Revision == 2 && step(d) == platformv1.StepScaleDown
	})
	eventually(t, 30*time.Second, func() (bool, string) {
		_, ok := load.images.Load("registry.example/bellwork/fakelms:2")
		return ok, "the client has not reached the promoted version"
	})
	f.update(func(s *platformv1.DeploymentSpec) { s.Abort = true })
	d := f.waitFor("the abort", time.Minute, func(d *platformv1.Deployment) bool { return step(d) == platformv1.StepAborted })
	if d.Status.Active.Revision != 1 || d.Status.Phase != platformv1.DeploymentDegraded ||
		!strings.Contains(d.Status.Message, "aborted by spec.abort after promotion; back on revision 1") ||
		d.Status.History[0].Outcome != platformv1.OutcomeAborted {
		t.Errorf("after abort: active %+v phase %s message %q history %+v", d.Status.Active, d.Status.Phase, d.Status.Message, d.Status.History[0])
	}
	f.waitFor("the aborted colour to drain", time.Minute, func(d *platformv1.Deployment) bool { return !d.Status.Rollout.Draining })
	time.Sleep(time.Second)
	load.finish(t)
	if body, err := get(f.active + "/"); err != nil || !strings.HasSuffix(body, " registry.example/bellwork/fakelms:1") {
		t.Errorf("after the abort the active Service answers %q, %v", body, err)
	}
}

// spec.rollbackTo a revision that stopped serving within the rollback
// window runs it again at once: outside every deploy window, without
// analysis (the check now fails and is not run), without a failed request.
func TestRollbackToWithinTheWindow(t *testing.T) {
	health := newEndpoint(t, http.StatusOK, "ok")
	f := newFleet(t, "rollbackto", "registry.example/bellwork/fakelms:1", func(s *platformv1.DeploymentSpec) {
		// No contract migration runs, so revision 1's schema still fits.
		s.Migrations.Disabled = true
		s.Analysis.PrePromotion = []platformv1.AnalysisCheck{check("up", platformv1.AnalysisCheck{Web: &platformv1.WebCheck{URL: health.URL}})}
	})
	f.serving("registry.example/bellwork/fakelms:1")
	f.rollTo("registry.example/bellwork/fakelms:2", nil)
	f.serving("registry.example/bellwork/fakelms:2")
	health.status.Store(http.StatusServiceUnavailable)
	load := f.load(t)
	closed := platformv1.Weekday(time.Now().UTC().AddDate(0, 0, 3).Weekday().String())
	one := int64(1)
	f.update(func(s *platformv1.DeploymentSpec) {
		s.RollbackTo = &one
		s.DeployWindows = []platformv1.DeployWindow{{TimeWindow: platformv1.TimeWindow{Days: []platformv1.Weekday{closed}, Start: "00:00", End: "00:01"}, TimeZone: "UTC"}}
	})
	// The fake lms answers with the image named in its env, and a rollback
	// keeps the spec's env, so which version serves is read from the pods.
	d := f.waitFor("revision 1 serving again", 2*time.Minute, func(d *platformv1.Deployment) bool {
		r := d.Status.Rollout
		return d.Status.Phase == platformv1.DeploymentHealthy && d.Status.Active.Revision == 1 && r.Step == platformv1.StepCompleted && !r.Draining
	})
	color := d.ColorName(d.Status.Active.Color)
	var dep appsv1.Deployment
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: lmsNamespace, Name: color}, &dep); err != nil {
		t.Fatal(err)
	}
	if img := dep.Spec.Template.Spec.Containers[0].Image; img != "registry.example/bellwork/fakelms:1" {
		t.Errorf("the active colour %s runs %s", color, img)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		body, err := get(f.active + "/")
		return err == nil && strings.HasPrefix(body, color+"-"), fmt.Sprintf("the active Service answers %q, %v; want a pod of %s", body, err, color)
	})
	time.Sleep(time.Second)
	load.finish(t)
	r := d.Status.Rollout
	if r.Trigger != platformv1.TriggerRollback || r.Revision != 1 || d.Status.History[0].Trigger != platformv1.TriggerRollback {
		t.Errorf("rollout %+v history %+v", r, d.Status.History[0])
	}
	if len(r.Analysis) != 0 {
		t.Errorf("the rollback was analysed: %+v", r.Analysis)
	}
}
