package rollout

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// condition records a condition; its transition time moves only when its
// status changes.
func (s *stepper) condition(typ string, ok bool, reason, format string, args ...any) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&s.st.Conditions, metav1.Condition{Type: typ, Status: status, Reason: reason,
		Message: fmt.Sprintf(format, args...), LastTransitionTime: metav1.NewTime(s.now)})
}

// summarise sets the phase, message and the conditions that follow from
// the whole status, so `kubectl get lmsdeploy` says where things stand.
func (s *stepper) summarise(generation int64) {
	st := s.st
	st.ObservedGeneration = generation
	active, ok := s.obs.Colors[""], false
	if st.Active != nil {
		active, ok = s.obs.Colors[st.Active.Color]
	}
	st.AvailableReplicas = 0
	if ok {
		st.AvailableReplicas = active.ReadyReplicas
	}
	available := st.AvailableReplicas > 0
	if available {
		s.condition(platformv1.DeploymentConditionAvailable, true, platformv1.ReasonActiveAvailable, "%d active pod(s) of revision %d Ready", st.AvailableReplicas, st.Active.Revision)
	} else {
		s.condition(platformv1.DeploymentConditionAvailable, false, platformv1.ReasonNoActiveReplicas, "no active pod is Ready")
	}

	r := st.Rollout
	inProgress := r != nil && !ended(r.Step)
	if inProgress {
		s.condition(platformv1.DeploymentConditionProgressing, true, platformv1.ReasonRolloutStarted, "rollout of revision %d at %s", r.Revision, r.Step)
	} else {
		reason := platformv1.ReasonCompleted
		if r != nil && r.Step != platformv1.StepCompleted {
			reason = string(r.Step)
		}
		s.condition(platformv1.DeploymentConditionProgressing, false, reason, "no rollout in progress")
		st.NextWindowStart = nil
	}
	if !inProgress || r.Step != platformv1.StepWaitingForWindow {
		meta.RemoveStatusCondition(&st.Conditions, platformv1.DeploymentConditionInWindow)
	}

	phase, reason, msg := s.phase()
	st.Phase, st.Message = phase, msg
	s.condition(platformv1.ConditionReady, phase == platformv1.DeploymentHealthy, reason, "%s", msg)
}

func (s *stepper) phase() (platformv1.Phase, string, string) {
	st, r := s.st, s.st.Rollout
	switch {
	case r != nil && !ended(r.Step) && r.Step == platformv1.StepWaitingForWindow:
		return platformv1.DeploymentWaitingForWindow, platformv1.ReasonOutsideWindow, fmt.Sprintf("revision %d: %s", r.Revision, r.Message)
	case r != nil && !ended(r.Step) && s.paused:
		return platformv1.DeploymentPaused, platformv1.ReasonAwaitingPromotion, fmt.Sprintf("revision %d: %s", r.Revision, r.Message)
	case r != nil && !ended(r.Step):
		msg := fmt.Sprintf("revision %d at %s", r.Revision, r.Step)
		if r.Message != "" {
			msg += ": " + r.Message
		}
		return platformv1.DeploymentProgressing, platformv1.ReasonProgressing, msg
	case s.tgt.refused != "":
		return platformv1.DeploymentDegraded, platformv1.ReasonRollbackRefused, s.tgt.refused
	case r != nil && r.Step != platformv1.StepCompleted && (st.Active == nil || st.Active.TemplateHash != s.tgt.hash || r.Step == platformv1.StepFailed):
		msg := fmt.Sprintf("rollout of revision %d %s: %s", r.Revision, r.Step, r.Message)
		if st.Active != nil {
			msg += fmt.Sprintf("; revision %d serves", st.Active.Revision)
		}
		if r.Step == platformv1.StepFailed || r.Step == platformv1.StepAborted || r.Step == platformv1.StepRolledBack {
			msg += "; change spec.retry to try again"
		}
		return platformv1.DeploymentDegraded, string(r.Step), msg
	case st.Active == nil:
		return platformv1.DeploymentProgressing, platformv1.ReasonProgressing, "no version serves yet"
	case st.AvailableReplicas == 0:
		return platformv1.DeploymentDegraded, platformv1.ReasonNoActiveReplicas, fmt.Sprintf("revision %d serves but no active pod is Ready", st.Active.Revision)
	case s.spec.Abort:
		return platformv1.DeploymentHealthy, platformv1.ReasonReconciled, fmt.Sprintf("revision %d serves; spec.abort is set, so no rollout starts", st.Active.Revision)
	}
	// The image is in the Active column; the message stays short.
	return platformv1.DeploymentHealthy, platformv1.ReasonReconciled, fmt.Sprintf("revision %d serves", st.Active.Revision)
}
