//go:build e2e

package rollouttest

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
