package rollout

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// stepper is one call of Step: the spec (with defaults), the status being
// built, what was observed, and what to do.
type stepper struct {
	spec platformv1.DeploymentSpec
	st   *platformv1.DeploymentStatus
	obs  Observed
	now  time.Time
	tgt  target
	out  Decision
	// paused is set by a step that waits for a person.
	paused bool
}

// Step decides the next status and actions of a Deployment at generation.
func Step(spec platformv1.DeploymentSpec, generation int64, status platformv1.DeploymentStatus, obs Observed) Decision {
	st := status.DeepCopy()
	s := &stepper{spec: spec.WithDefaults(), st: st, obs: obs, now: obs.Now.Truncate(time.Second)}
	s.tgt = desiredTarget(s.spec, st, s.now)
	s.retry()
	s.run()
	s.summarise(generation)
	s.out.Status = *st
	return s.out
}

func (s *stepper) run() {
	r := s.st.Rollout
	if r != nil && !ended(r.Step) && s.tgt.refused == "" && s.tgt.hash != r.TemplateHash {
		if !s.supersede(r) {
			return
		}
		r = s.st.Rollout
	}
	if r != nil && !ended(r.Step) {
		if s.spec.Abort {
			s.abort(r)
			return
		}
		s.advance(r)
		return
	}
	if r != nil && r.Draining {
		s.drain(r)
	}
	if s.tgt.refused != "" || s.tgt.hash == "" || (s.st.Active != nil && s.tgt.hash == s.st.Active.TemplateHash) {
		return
	}
	if r != nil && r.TemplateHash == s.tgt.hash && r.Step != platformv1.StepCompleted {
		// This version's rollout failed, was aborted or rolled back: it
		// starts again only on spec.retry.
		return
	}
	if s.spec.Abort {
		return
	}
	s.start(s.tgt, 1)
	s.advance(s.st.Rollout)
}

// supersede handles a spec that changed during a rollout; it says whether
// the pass goes on with the rollout now in status.
func (s *stepper) supersede(r *platformv1.RolloutStatus) bool {
	switch {
	case prePromotion(r.Step):
		s.end(r, platformv1.StepAborted, platformv1.OutcomeSuperseded, fmt.Sprintf("superseded by a newer spec before promotion"))
		s.st.Preview = nil
		s.event(false, platformv1.ReasonSuperseded, "Rollout of revision %d superseded by a newer spec", r.Revision)
		if s.spec.Abort {
			return false
		}
		s.start(s.tgt, 1)
		return true
	case r.Previous != nil && s.tgt.hash == r.Previous.TemplateHash && r.Step != platformv1.StepContractMigration:
		// A revert while the previous version still runs: switch back now.
		s.rollBack(r, platformv1.OutcomeRolledBack, "reverted by the spec to revision %d", r.Previous.Revision)
		s.record(platformv1.RolloutRecord{Revision: r.Previous.Revision, Image: r.Previous.Image, TemplateHash: r.Previous.TemplateHash,
			Trigger: platformv1.TriggerRevert, Attempt: 1, StartTime: metav1.NewTime(s.now), EndTime: ptrTime(s.now), Outcome: platformv1.OutcomeSucceeded})
		return false
	default:
		r.Message = fmt.Sprintf("a newer spec waits for the rollout of revision %d to finish (%s)", r.Revision, r.Step)
		s.advance(r)
		return false
	}
}

// start begins a rollout of t.
func (s *stepper) start(t target, attempt int32) {
	rev := t.revision
	if rev == 0 {
		s.st.LastRevision++
		rev = s.st.LastRevision
	}
	color := platformv1.Blue
	if s.st.Active != nil {
		color = s.st.Active.Color.Other()
	}
	first := platformv1.StepWaitingForWindow
	switch t.trigger {
	case platformv1.TriggerInitial:
		first = platformv1.StepExpandMigration
	case platformv1.TriggerRollback, platformv1.TriggerRevert:
		first = platformv1.StepPromoting
	}
	r := &platformv1.RolloutStatus{Revision: rev, Image: t.image, TemplateHash: t.hash, Color: color, Trigger: t.trigger,
		Step: first, Attempt: attempt, StartTime: metav1.NewTime(s.now), StepStartTime: metav1.NewTime(s.now)}
	if s.st.Active != nil {
		prev := *s.st.Active
		r.Previous = &prev
	}
	s.st.Rollout = r
	s.record(platformv1.RolloutRecord{Revision: rev, Image: t.image, TemplateHash: t.hash, Trigger: t.trigger, Attempt: attempt, StartTime: metav1.NewTime(s.now)})
	s.notify(platformv1.NotifyStarted, rev, "Rollout of revision %d (%s) started: %s", rev, t.image, t.trigger)
	s.event(false, platformv1.ReasonRolloutStarted, "Started rollout of revision %d (%s, %s) as %s", rev, t.image, t.trigger, color)
}

// advance moves the rollout through as many steps as the observations allow.
func (s *stepper) advance(r *platformv1.RolloutStatus) {
	for range 12 {
		before := r.Step
		switch r.Step {
		case platformv1.StepWaitingForWindow:
			s.waitForWindow(r)
		case platformv1.StepExpandMigration:
			s.expand(r)
		case platformv1.StepPreview:
			s.preview(r)
		case platformv1.StepPrePromotionAnalysis:
			s.prePromotionAnalysis(r)
		case platformv1.StepAwaitingPromotion:
			s.awaitPromotion(r)
		case platformv1.StepPromoting:
			s.promote(r)
		case platformv1.StepPostPromotionAnalysis:
			s.postPromotionAnalysis(r)
		case platformv1.StepScaleDown:
			s.scaleDown(r)
		case platformv1.StepContractMigration:
			s.contract(r)
		}
		if r.Step == before || ended(r.Step) {
			return
		}
	}
}

// to moves the rollout to step, announcing it.
func (s *stepper) to(r *platformv1.RolloutStatus, step platformv1.RolloutStep, reason, format string, args ...any) {
	r.Step = step
	r.StepStartTime = metav1.NewTime(s.now)
	r.Message = ""
	s.event(false, reason, format, args...)
}

// end finishes a rollout with an outcome.
func (s *stepper) end(r *platformv1.RolloutStatus, step platformv1.RolloutStep, outcome platformv1.RolloutOutcome, msg string) {
	r.Step = step
	r.StepStartTime = metav1.NewTime(s.now)
	r.EndTime = ptrTime(s.now)
	r.Message = msg
	s.finishRecord(r, outcome, msg)
}

func (s *stepper) waitForWindow(r *platformv1.RolloutStatus) {
	if o := s.spec.WindowOverride; o != nil {
		r.WindowOverride = o.Reason
		s.historyOf(r).WindowOverride = o.Reason
		s.condition(platformv1.DeploymentConditionInWindow, true, platformv1.ReasonWindowOverridden, "window override: %s", o.Reason)
		s.st.NextWindowStart = nil
		s.to(r, platformv1.StepExpandMigration, platformv1.ReasonWindowOverridden, "Started outside the deploy windows: %s", o.Reason)
		return
	}
	v, err := Windows(s.spec.DeployWindows, s.obs.Schools, s.now)
	if err != nil {
		r.Message = "cannot evaluate deploy windows: " + err.Error()
		s.condition(platformv1.DeploymentConditionInWindow, false, platformv1.ReasonInvalidSpec, "%s", r.Message)
		return
	}
	if !v.Open {
		s.st.NextWindowStart = nil
		r.Message = "waiting for a deploy window: " + v.Reason
		if !v.NextStart.IsZero() {
			s.st.NextWindowStart = ptrTime(v.NextStart)
			r.Message += "; the next opens at " + v.NextStart.UTC().Format(time.RFC3339)
			s.wake(v.NextStart.Sub(s.now))
		}
		s.condition(platformv1.DeploymentConditionInWindow, false, platformv1.ReasonOutsideWindow, "%s", r.Message)
		return
	}
	s.st.NextWindowStart = nil
	s.condition(platformv1.DeploymentConditionInWindow, true, platformv1.ReasonInsideWindow, "inside a deploy window")
	s.to(r, platformv1.StepExpandMigration, platformv1.ReasonInsideWindow, "Deploy window open for revision %d", r.Revision)
}

func (s *stepper) expand(r *platformv1.RolloutStatus) {
	done, failed := s.migrate(r, platformv1.MigrationExpand)
	if failed != nil {
		s.fail(r, platformv1.ReasonMigrationFailed, fmt.Sprintf("expand migration failed for tenant %s: %s", failed.Tenant, failed.Message))
		return
	}
	if !done {
		return
	}
	if r.Trigger == platformv1.TriggerInitial {
		s.to(r, platformv1.StepPromoting, platformv1.ReasonMigrationsSucceeded, "Expand migrations done for revision %d; starting it", r.Revision)
		return
	}
	s.st.Preview = &platformv1.ColorStatus{Color: r.Color, Revision: r.Revision, Image: r.Image, TemplateHash: r.TemplateHash}
	s.to(r, platformv1.StepPreview, platformv1.ReasonPreviewStarting, "Starting %d preview pod(s) of revision %d as %s", s.spec.PreviewReplicas, r.Revision, r.Color)
}

func (s *stepper) preview(r *platformv1.RolloutStatus) {
	if ready, msg := s.colorReady(r.Color, r.TemplateHash, s.spec.PreviewReplicas); !ready {
		r.Message = msg
		return
	}
	s.to(r, platformv1.StepPrePromotionAnalysis, platformv1.ReasonAnalysing, "Preview of revision %d Ready; analysing", r.Revision)
}

// colorReady says whether a colour runs want Ready pods of the template.
func (s *stepper) colorReady(c platformv1.Color, hash string, want int32) (bool, string) {
	o, ok := s.obs.Colors[c]
	switch {
	case !ok || o.TemplateHash != hash:
		return false, fmt.Sprintf("waiting for the %s Deployment to take the new template", c)
	case !o.Updated || o.ReadyReplicas < want:
		return false, fmt.Sprintf("waiting for %d %s pod(s) to be Ready (%d Ready)", want, c, o.ReadyReplicas)
	}
	return true, ""
}

func (s *stepper) awaitPromotion(r *platformv1.RolloutStatus) {
	if s.spec.AutoPromote || s.spec.Promote == r.Image {
		s.to(r, platformv1.StepPromoting, platformv1.ReasonPromoted, "Promoting revision %d", r.Revision)
		return
	}
	r.Message = fmt.Sprintf("analysis passed; set spec.promote to %q to promote", r.Image)
	s.paused = true
}

func (s *stepper) promote(r *platformv1.RolloutStatus) {
	if ready, msg := s.colorReady(r.Color, r.TemplateHash, s.spec.Replicas); !ready {
		r.Message = msg
		return
	}
	next := platformv1.StepScaleDown
	switch {
	case r.Trigger == platformv1.TriggerInitial:
		next = platformv1.StepContractMigration
	case r.Trigger == platformv1.TriggerRollback || r.Trigger == platformv1.TriggerRevert:
	case s.spec.Analysis.PostPromotion.Duration.Duration > 0:
		next = platformv1.StepPostPromotionAnalysis
	}
	if s.st.Active != nil {
		s.retire(s.st.Active.Revision)
	}
	s.st.Active = &platformv1.ColorStatus{Color: r.Color, Revision: r.Revision, Image: r.Image, TemplateHash: r.TemplateHash}
	s.st.Preview = nil
	r.PromotionTime = ptrTime(s.now)
	s.notify(platformv1.NotifyPromoted, r.Revision, "Revision %d (%s) promoted: the active Service serves %s", r.Revision, r.Image, r.Color)
	s.to(r, next, platformv1.ReasonPromoted, "Active Service switched to revision %d (%s)", r.Revision, r.Color)
}

func (s *stepper) scaleDown(r *platformv1.RolloutStatus) {
	next := platformv1.StepContractMigration
	if r.Trigger == platformv1.TriggerRollback || r.Trigger == platformv1.TriggerRevert {
		next = platformv1.StepCompleted
	}
	if r.Previous != nil {
		at := r.StepStartTime.Add(s.spec.ScaleDownDelay.Duration)
		if s.now.Before(at) {
			r.Message = fmt.Sprintf("keeping revision %d running for a quick rollback until %s", r.Previous.Revision, at.UTC().Format(time.RFC3339))
			s.wake(at.Sub(s.now))
			return
		}
		if !s.settled() {
			r.Message = "waiting for the active Service's endpoints to leave the previous version"
			return
		}
	}
	if next == platformv1.StepCompleted {
		s.complete(r)
		return
	}
	s.to(r, next, platformv1.ReasonScalingDown, "Scaling down revision %d; contract migrations next", previousRevision(r))
}

func (s *stepper) contract(r *platformv1.RolloutStatus) {
	if r.Previous != nil {
		if o, ok := s.obs.Colors[r.Previous.Color]; ok && r.Previous.Color != r.Color && (o.Replicas > 0 || o.ReadyReplicas > 0) {
			r.Message = fmt.Sprintf("waiting for revision %d (%s) to scale down", r.Previous.Revision, r.Previous.Color)
			return
		}
	}
	done, failed := s.migrate(r, platformv1.MigrationContract)
	if failed != nil {
		s.fail(r, platformv1.ReasonMigrationFailed, fmt.Sprintf("contract migration failed for tenant %s: %s", failed.Tenant, failed.Message))
		return
	}
	if !done {
		return
	}
	if !s.spec.Migrations.Disabled && len(s.obs.Tenants) > 0 {
		s.historyOf(r).Contracted = true
	}
	s.complete(r)
}

func (s *stepper) complete(r *platformv1.RolloutStatus) {
	s.end(r, platformv1.StepCompleted, platformv1.OutcomeSucceeded, "")
	s.notify(platformv1.NotifyCompleted, r.Revision, "Rollout of revision %d (%s) completed", r.Revision, r.Image)
	s.event(false, platformv1.ReasonCompleted, "Rollout of revision %d completed", r.Revision)
}

// fail ends a rollout that failed. Before promotion the previous version
// keeps serving and the new colour scales down; a failed contract
// migration leaves the new version serving.
func (s *stepper) fail(r *platformv1.RolloutStatus, reason, msg string) {
	if prePromotion(r.Step) {
		s.st.Preview = nil
	}
	s.end(r, platformv1.StepFailed, platformv1.OutcomeFailed, msg)
	s.notify(platformv1.NotifyFailed, r.Revision, "Rollout of revision %d (%s) failed: %s", r.Revision, r.Image, msg)
	s.event(true, reason, "Rollout of revision %d failed: %s", r.Revision, msg)
}

// abort stops the rollout for spec.abort.
func (s *stepper) abort(r *platformv1.RolloutStatus) {
	switch {
	case prePromotion(r.Step):
		s.st.Preview = nil
		s.end(r, platformv1.StepAborted, platformv1.OutcomeAborted, "aborted by spec.abort before promotion")
		s.notify(platformv1.NotifyAborted, r.Revision, "Rollout of revision %d (%s) aborted before promotion", r.Revision, r.Image)
		s.event(true, platformv1.ReasonAborted, "Rollout of revision %d aborted before promotion", r.Revision)
	case r.Step == platformv1.StepContractMigration || r.Previous == nil:
		r.Message = "spec.abort is set, but the previous version has scaled down: the rollout finishes"
		s.advance(r)
	default:
		s.rollBack(r, platformv1.OutcomeAborted, "aborted by spec.abort after promotion; back on revision %d", r.Previous.Revision)
	}
}

// rollBack returns the active Service to the previous version; the
// rollout's colour drains before it scales down.
func (s *stepper) rollBack(r *platformv1.RolloutStatus, outcome platformv1.RolloutOutcome, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.retire(r.Revision)
	prev := *r.Previous
	s.st.Active = &prev
	s.st.Preview = nil
	s.unretire(prev.Revision)
	r.Draining = true
	step, event, reason := platformv1.StepRolledBack, platformv1.NotifyRolledBack, platformv1.ReasonRolledBack
	if outcome == platformv1.OutcomeAborted {
		step, event, reason = platformv1.StepAborted, platformv1.NotifyAborted, platformv1.ReasonAborted
	}
	s.end(r, step, outcome, msg)
	s.notify(event, r.Revision, "Revision %d (%s) rolled back: %s", r.Revision, r.Image, msg)
	s.event(true, reason, "Active Service back on revision %d: %s", prev.Revision, msg)
}

// drain ends a rolled-back colour's draining once the active Service's
// endpoints no longer include it.
func (s *stepper) drain(r *platformv1.RolloutStatus) {
	if s.settled() && !s.now.Before(r.StepStartTime.Add(drainGrace)) {
		r.Draining = false
		return
	}
	s.wake(drainGrace)
}

// settled says the active Service's Ready endpoints are all of the active colour.
func (s *stepper) settled() bool {
	if s.st.Active == nil {
		return true
	}
	for c, n := range s.obs.ActiveEndpoints {
		if c != s.st.Active.Color && n > 0 {
			return false
		}
	}
	return true
}

// retry acts on a changed spec.retry: a failed, aborted or rolled-back
// rollout of the spec's version starts again (migrations that succeeded
// are kept); a rollout paused on inconclusive analysis analyses afresh.
func (s *stepper) retry() {
	if s.spec.Retry == s.st.ObservedRetry {
		return
	}
	s.st.ObservedRetry = s.spec.Retry
	r := s.st.Rollout
	if r == nil || s.spec.Abort || r.TemplateHash != s.tgt.hash {
		return
	}
	switch {
	case !ended(r.Step):
		if r.Step == platformv1.StepPrePromotionAnalysis || r.Step == platformv1.StepPostPromotionAnalysis {
			r.Attempt++
			r.Analysis = nil
			s.event(false, platformv1.ReasonAnalysing, "Analysis of revision %d restarted by spec.retry", r.Revision)
		}
	case r.Step == platformv1.StepCompleted:
	case r.Step == platformv1.StepFailed && s.st.Active != nil && s.st.Active.Revision == r.Revision:
		// The contract migration failed; the version serves. Run it again.
		s.restart(r, platformv1.StepContractMigration)
	default:
		s.restart(r, platformv1.StepWaitingForWindow)
	}
}

func (s *stepper) restart(r *platformv1.RolloutStatus, step platformv1.RolloutStep) {
	var kept []platformv1.MigrationResult
	for _, m := range r.Migrations {
		if m.State == platformv1.MigrationSucceeded {
			kept = append(kept, m)
		}
	}
	r.Migrations = kept
	r.Analysis = nil
	r.Attempt++
	r.Step, r.StepStartTime, r.StartTime = step, metav1.NewTime(s.now), metav1.NewTime(s.now)
	r.EndTime, r.Message, r.Draining = nil, "", false
	if step != platformv1.StepContractMigration {
		r.PromotionTime = nil
		if s.st.Active != nil && s.st.Active.Revision != r.Revision {
			prev := *s.st.Active
			r.Previous = &prev
		}
	}
	s.record(platformv1.RolloutRecord{Revision: r.Revision, Image: r.Image, TemplateHash: r.TemplateHash, Trigger: platformv1.TriggerRetry,
		Attempt: r.Attempt, StartTime: metav1.NewTime(s.now)})
	s.notify(platformv1.NotifyStarted, r.Revision, "Rollout of revision %d (%s) retried (attempt %d)", r.Revision, r.Image, r.Attempt)
	s.event(false, platformv1.ReasonRolloutStarted, "Retrying rollout of revision %d (attempt %d) from %s", r.Revision, r.Attempt, step)
}

func (s *stepper) wake(d time.Duration) {
	if d <= 0 {
		d = time.Second
	}
	if s.out.Wake == 0 || d < s.out.Wake {
		s.out.Wake = d
	}
}

func (s *stepper) event(warning bool, reason, format string, args ...any) {
	s.out.Events = append(s.out.Events, Event{Warning: warning, Reason: reason, Message: fmt.Sprintf(format, args...)})
}

// maxPending bounds undelivered notifications; the oldest go first.
const maxPending = 20

func (s *stepper) notify(ev platformv1.NotificationEvent, rev int64, format string, args ...any) {
	if s.spec.Notifications == nil {
		return
	}
	s.st.PendingNotifications = append(s.st.PendingNotifications, platformv1.PendingNotification{
		Event: ev, Revision: rev, Text: fmt.Sprintf(format, args...), Time: metav1.NewTime(s.now)})
	if n := len(s.st.PendingNotifications); n > maxPending {
		s.st.PendingNotifications = s.st.PendingNotifications[n-maxPending:]
	}
}

func previousRevision(r *platformv1.RolloutStatus) int64 {
	if r.Previous == nil {
		return 0
	}
	return r.Previous.Revision
}

func ptrTime(t time.Time) *metav1.Time {
	v := metav1.NewTime(t)
	return &v
}
