package rollout

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// CheckRef is a check to measure now.
type CheckRef struct {
	Stage platformv1.AnalysisStage
	Check platformv1.AnalysisCheck
}

// stageOf is the analysis stage of a step, or "".
func stageOf(step platformv1.RolloutStep) platformv1.AnalysisStage {
	switch step {
	case platformv1.StepPrePromotionAnalysis:
		return platformv1.PrePromotion
	case platformv1.StepPostPromotionAnalysis:
		return platformv1.PostPromotion
	}
	return ""
}

func checksOf(spec platformv1.DeploymentSpec, stage platformv1.AnalysisStage) []platformv1.AnalysisCheck {
	if stage == platformv1.PostPromotion {
		return spec.Analysis.PostPromotion.Checks
	}
	return spec.Analysis.PrePromotion
}

// DueMeasurements are the web and metrics checks of the rollout's current
// analysis stage whose interval has passed: the controller measures these
// and hands the results to Step in Observed.Measurements.
func DueMeasurements(spec platformv1.DeploymentSpec, st platformv1.DeploymentStatus, now time.Time) []CheckRef {
	r := st.Rollout
	if r == nil || ended(r.Step) || spec.Abort {
		return nil
	}
	stage := stageOf(r.Step)
	if stage == "" {
		return nil
	}
	spec = spec.WithDefaults()
	var due []CheckRef
	for _, c := range checksOf(spec, stage) {
		if c.Job != nil {
			continue
		}
		res := findResult(r.Analysis, stage, c.Name)
		if res != nil && res.State != platformv1.AnalysisRunning {
			continue
		}
		if res == nil || res.LastMeasured == nil || !now.Before(res.LastMeasured.Add(c.Interval.Duration)) {
			due = append(due, CheckRef{Stage: stage, Check: c})
		}
	}
	return due
}

func findResult(results []platformv1.AnalysisResult, stage platformv1.AnalysisStage, name string) *platformv1.AnalysisResult {
	for i := range results {
		if results[i].Stage == stage && results[i].Name == name {
			return &results[i]
		}
	}
	return nil
}

// analyse folds this pass's measurements and Job runs into the stage's
// results, asks for the Jobs and wake-ups the checks need, and says how the
// stage stands: passed, failed (and which check), or inconclusive.
func (s *stepper) analyse(r *platformv1.RolloutStatus, stage platformv1.AnalysisStage, final bool) (state platformv1.AnalysisState, msg string) {
	checks := checksOf(s.spec, stage)
	state = platformv1.AnalysisPassed
	for _, c := range checks {
		res := findResult(r.Analysis, stage, c.Name)
		if res == nil {
			r.Analysis = append(r.Analysis, platformv1.AnalysisResult{Name: c.Name, Stage: stage, State: platformv1.AnalysisRunning})
			res = &r.Analysis[len(r.Analysis)-1]
		}
		if res.State == platformv1.AnalysisRunning {
			s.measure(r, stage, c, res)
			judge(c, res, stage, final)
		}
		switch res.State {
		case platformv1.AnalysisFailed:
			return platformv1.AnalysisFailed, fmt.Sprintf("check %s failed: %s", c.Name, res.Message)
		case platformv1.AnalysisInconclusive:
			state, msg = platformv1.AnalysisInconclusive, fmt.Sprintf("check %s is inconclusive: %s", c.Name, res.Message)
		case platformv1.AnalysisRunning:
			if state == platformv1.AnalysisPassed {
				state, msg = platformv1.AnalysisRunning, fmt.Sprintf("check %s: %d of %d successful measurement(s)", c.Name, res.Successes, c.Count)
			}
		}
	}
	return state, msg
}

// measure takes in this pass's result for a check: the web or metrics
// measurement the controller took, or the Job of the next measurement.
func (s *stepper) measure(r *platformv1.RolloutStatus, stage platformv1.AnalysisStage, c platformv1.AnalysisCheck, res *platformv1.AnalysisResult) {
	due := res.LastMeasured == nil || !s.now.Before(res.LastMeasured.Add(c.Interval.Duration))
	if c.Job == nil {
		for _, m := range s.obs.Measurements {
			if m.Stage == stage && m.Check == c.Name {
				count(res, m.Outcome, m.Message, s.now)
				due = false
			}
		}
		if !due {
			s.wake(c.Interval.Duration)
		} else {
			s.wake(time.Second)
		}
		return
	}
	key := CheckJobKey{Stage: stage, Check: c.Name, Attempt: r.Attempt, Index: res.Successes + res.Failures + res.Inconclusive}
	run, ok := s.obs.CheckJobs[key]
	if s.obs.JobsRevision != r.Revision {
		run, ok = JobRun{}, false
	}
	switch {
	case !ok && due:
		s.out.CheckJobs = append(s.out.CheckJobs, key)
		res.Message = fmt.Sprintf("measurement %d running", key.Index+1)
	case !ok:
		s.wake(res.LastMeasured.Add(c.Interval.Duration).Sub(s.now))
	case run.State == JobSucceeded:
		count(res, Successful, "Job succeeded", s.now)
		s.wake(c.Interval.Duration)
	case run.State == JobFailed:
		count(res, Failed, "Job failed: "+run.Message, s.now)
		s.wake(c.Interval.Duration)
	}
}

func count(res *platformv1.AnalysisResult, o Outcome, msg string, now time.Time) {
	switch o {
	case Successful:
		res.Successes++
	case Failed:
		res.Failures++
	default:
		res.Inconclusive++
	}
	t := metav1.NewTime(now)
	res.LastMeasured = &t
	res.Message = msg
}

// judge turns a check's counts into its state. Post-promotion checks keep
// measuring until the stage's duration ends (final).
func judge(c platformv1.AnalysisCheck, res *platformv1.AnalysisResult, stage platformv1.AnalysisStage, final bool) {
	switch {
	case res.Failures > c.FailureLimit:
		res.State = platformv1.AnalysisFailed
	case res.Inconclusive > *c.InconclusiveLimit:
		res.State = platformv1.AnalysisInconclusive
	case stage == platformv1.PrePromotion && res.Successes >= c.Count:
		res.State = platformv1.AnalysisPassed
	case stage == platformv1.PostPromotion && final && res.Successes >= c.Count:
		res.State = platformv1.AnalysisPassed
	case stage == platformv1.PostPromotion && final:
		res.State = platformv1.AnalysisInconclusive
		res.Message = fmt.Sprintf("only %d of %d successful measurement(s) when post-promotion analysis ended", res.Successes, c.Count)
	}
}

func (s *stepper) prePromotionAnalysis(r *platformv1.RolloutStatus) {
	cond := platformv1.DeploymentConditionAnalysis
	if ready, msg := s.colorReady(r.Color, r.TemplateHash, s.spec.PreviewReplicas); !ready {
		r.Message = "preview no longer Ready: " + msg
		return
	}
	state, msg := s.analyse(r, platformv1.PrePromotion, false)
	switch state {
	case platformv1.AnalysisFailed:
		s.condition(cond, false, platformv1.ReasonAnalysisFailed, "%s", msg)
		s.fail(r, platformv1.ReasonAnalysisFailed, "pre-promotion "+msg)
	case platformv1.AnalysisInconclusive:
		s.condition(cond, false, platformv1.ReasonAnalysisPaused, "%s", msg)
		if s.spec.Promote == r.Image {
			s.to(r, platformv1.StepPromoting, platformv1.ReasonPromoted, "Promoting revision %d despite inconclusive analysis (spec.promote)", r.Revision)
			return
		}
		r.Message = fmt.Sprintf("paused: %s; set spec.promote to %q to promote anyway, change spec.retry to analyse again, or set spec.abort", msg, r.Image)
		s.paused = true
	case platformv1.AnalysisRunning:
		s.condition(cond, false, platformv1.ReasonAnalysing, "%s", msg)
		r.Message = "pre-promotion analysis: " + msg
	default:
		s.condition(cond, true, platformv1.ReasonAnalysisPassed, "pre-promotion analysis of revision %d passed", r.Revision)
		if s.spec.AutoPromote || s.spec.Promote == r.Image {
			s.to(r, platformv1.StepPromoting, platformv1.ReasonPromoted, "Analysis passed; promoting revision %d", r.Revision)
			return
		}
		s.to(r, platformv1.StepAwaitingPromotion, platformv1.ReasonAwaitingPromotion, "Analysis passed; revision %d awaits spec.promote", r.Revision)
	}
}

func (s *stepper) postPromotionAnalysis(r *platformv1.RolloutStatus) {
	cond := platformv1.DeploymentConditionAnalysis
	end := r.StepStartTime.Add(s.spec.Analysis.PostPromotion.Duration.Duration)
	final := !s.now.Before(end)
	state, msg := s.analyse(r, platformv1.PostPromotion, final)
	switch {
	case state == platformv1.AnalysisFailed && s.spec.AutoRollbackEnabled() && r.Previous != nil:
		s.condition(cond, false, platformv1.ReasonAnalysisFailed, "%s", msg)
		s.rollBack(r, platformv1.OutcomeRolledBack, "post-promotion %s", msg)
	case state == platformv1.AnalysisFailed || state == platformv1.AnalysisInconclusive:
		s.condition(cond, false, platformv1.ReasonAnalysisPaused, "%s", msg)
		r.Message = fmt.Sprintf("paused: post-promotion %s; set spec.abort to return to revision %d, or change spec.retry to analyse again", msg, previousRevision(r))
		s.paused = true
	case final && state == platformv1.AnalysisPassed:
		s.condition(cond, true, platformv1.ReasonAnalysisPassed, "post-promotion analysis of revision %d passed", r.Revision)
		s.to(r, platformv1.StepScaleDown, platformv1.ReasonAnalysisPassed, "Post-promotion analysis of revision %d passed", r.Revision)
	default:
		s.condition(cond, false, platformv1.ReasonAnalysing, "post-promotion analysis: %s", msg)
		r.Message = fmt.Sprintf("post-promotion analysis until %s: %s", end.UTC().Format(time.RFC3339), msg)
		s.wake(end.Sub(s.now))
	}
}
