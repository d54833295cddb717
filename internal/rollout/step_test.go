package rollout

import (
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

func notified(st platformv1.DeploymentStatus) []platformv1.NotificationEvent {
	var out []platformv1.NotificationEvent
	for _, n := range st.PendingNotifications {
		out = append(out, n.Event)
	}
	return out
}

func TestFirstVersionMigratesStartsAndContracts(t *testing.T) {
	w := newWorld(t, baseSpec("lms:1"))
	w.run(20, 5*time.Second, settledAt(platformv1.StepCompleted))
	st := w.status
	if st.Active.Color != platformv1.Blue || st.Active.Revision != 1 || w.replicas(platformv1.Blue) != 3 {
		t.Errorf("active %+v with %d replicas, want revision 1 on blue with 3", st.Active, w.replicas(platformv1.Blue))
	}
	if w.replicas(platformv1.Green) != 0 {
		t.Errorf("green has %d replicas", w.replicas(platformv1.Green))
	}
	if len(st.History) != 1 || st.History[0].Outcome != platformv1.OutcomeSucceeded || st.History[0].Trigger != platformv1.TriggerInitial || !st.History[0].Contracted {
		t.Errorf("history %+v", st.History)
	}
	if len(st.Rollout.Analysis) != 0 {
		t.Errorf("the first version was analysed: %+v", st.Rollout.Analysis)
	}
	for _, tenant := range w.tenants {
		for _, phase := range []platformv1.MigrationPhase{platformv1.MigrationExpand, platformv1.MigrationContract} {
			if runs := w.runs(tenant, phase); len(runs) != 1 || runs[0].State != JobSucceeded {
				t.Errorf("%s %s: %+v", tenant, phase, runs)
			}
		}
	}
	if got := notified(st); !slices.Equal(got, []platformv1.NotificationEvent{platformv1.NotifyStarted, platformv1.NotifyPromoted, platformv1.NotifyCompleted}) {
		t.Errorf("notifications %v", got)
	}
	w.noMigrationTwice()
}

func TestHappyPath(t *testing.T) {
	w := deployed(t)
	w.spec.Image = "lms:2"
	sawPreview := false
	for range 40 {
		w.pass(5 * time.Second)
		st := w.status
		if st.Rollout.Step == platformv1.StepPrePromotionAnalysis {
			sawPreview = true
			if st.Preview == nil || st.Preview.Image != "lms:2" || w.selector != platformv1.Blue || w.replicas(platformv1.Green) != 1 {
				t.Fatalf("during analysis: preview %+v, active selector %s, green replicas %d", st.Preview, w.selector, w.replicas(platformv1.Green))
			}
		}
		if st.Rollout.Step == platformv1.StepPostPromotionAnalysis && w.replicas(platformv1.Blue) != 3 {
			t.Fatalf("previous version scaled down during post-promotion analysis")
		}
		if st.Rollout.Step == platformv1.StepCompleted {
			break
		}
	}
	st := w.status
	if !sawPreview || st.Rollout.Step != platformv1.StepCompleted {
		t.Fatalf("rollout %+v", st.Rollout)
	}
	if st.Active.Image != "lms:2" || st.Active.Color != platformv1.Green || st.Active.Revision != 2 || st.Phase != platformv1.DeploymentHealthy {
		t.Errorf("active %+v phase %s", st.Active, st.Phase)
	}
	if w.replicas(platformv1.Blue) != 0 || w.replicas(platformv1.Green) != 3 {
		t.Errorf("blue %d green %d", w.replicas(platformv1.Blue), w.replicas(platformv1.Green))
	}
	for _, c := range []string{"smoke", "signin"} {
		if r := findResult(st.Rollout.Analysis, platformv1.PrePromotion, c); r == nil || r.State != platformv1.AnalysisPassed {
			t.Errorf("check %s: %+v", c, r)
		}
	}
	if r := findResult(st.Rollout.Analysis, platformv1.PostPromotion, "errors"); r == nil || r.State != platformv1.AnalysisPassed || r.Successes < 2 {
		t.Errorf("post check: %+v", r)
	}
	if len(st.History) != 2 || st.History[0].Revision != 2 || st.History[0].Trigger != platformv1.TriggerSpecChange || st.History[1].RetiredTime == nil {
		t.Errorf("history %+v", st.History)
	}
	want := []string{platformv1.ReasonRolloutStarted, platformv1.ReasonInsideWindow, platformv1.ReasonPreviewStarting, platformv1.ReasonAnalysing,
		platformv1.ReasonPromoted, platformv1.ReasonPromoted, platformv1.ReasonAnalysisPassed, platformv1.ReasonScalingDown, platformv1.ReasonCompleted}
	if !slices.Equal(w.events, want) {
		t.Errorf("events\n %v\nwant\n %v", w.events, want)
	}
	if got := notified(st); !slices.Equal(got, []platformv1.NotificationEvent{platformv1.NotifyStarted, platformv1.NotifyPromoted, platformv1.NotifyCompleted}) {
		t.Errorf("notifications %v", got)
	}
	w.noViolations()
	w.noMigrationTwice()
}

func TestReplicasApplyInPlace(t *testing.T) {
	w := deployed(t)
	w.spec.Replicas = 5
	w.pass(time.Second)
	if w.status.Rollout.Revision != 1 || w.replicas(platformv1.Blue) != 5 || len(w.events) != 0 {
		t.Fatalf("replicas change started a rollout or was not applied: %+v, blue %d, events %v", w.status.Rollout, w.replicas(platformv1.Blue), w.events)
	}
}

func TestExpandMigrationFailureStopsBeforeTrafficMoves(t *testing.T) {
	w := deployed(t)
	w.migrationFails = func(tenant string, phase platformv1.MigrationPhase, attempt int32) string {
		if tenant == "b" && attempt == 1 {
			return `pq: column "grade" already exists`
		}
		return ""
	}
	w.spec.Image = "lms:2"
	w.run(10, 5*time.Second, at2(platformv1.StepFailed))
	st := w.status
	if st.Phase != platformv1.DeploymentDegraded || !strings.Contains(st.Message, `expand migration failed for tenant b: pq: column "grade" already exists`) {
		t.Errorf("phase %s message %q", st.Phase, st.Message)
	}
	if st.Active.Revision != 1 || w.selector != platformv1.Blue || w.replicas(platformv1.Green) != 0 || st.Preview != nil {
		t.Errorf("traffic or preview moved: active %+v selector %s green %d", st.Active, w.selector, w.replicas(platformv1.Green))
	}
	if !slices.Contains(notified(st), platformv1.NotifyFailed) {
		t.Errorf("no failure notification: %v", notified(st))
	}
	// Nothing happens until spec.retry changes.
	w.pass(time.Minute)
	if w.status.Rollout.Step != platformv1.StepFailed {
		t.Fatalf("restarted on its own: %+v", w.status.Rollout)
	}
	w.spec.Retry = "1"
	w.run(40, 5*time.Second, settledAt(platformv1.StepCompleted))
	if runs := w.runs("a", platformv1.MigrationExpand); len(runs) != 1 {
		t.Errorf("tenant a's expand migration ran %d times; it had succeeded", len(runs))
	}
	if runs := w.runs("b", platformv1.MigrationExpand); len(runs) != 2 || runs[1].State != JobSucceeded {
		t.Errorf("tenant b's runs %+v", runs)
	}
	if w.status.Active.Image != "lms:2" || w.status.History[0].Trigger != platformv1.TriggerRetry || w.status.History[1].Outcome != platformv1.OutcomeFailed {
		t.Errorf("active %+v history %+v", w.status.Active, w.status.History)
	}
	w.noViolations()
	w.noMigrationTwice()
}

func TestFailedSmokeJobFailsTheRollout(t *testing.T) {
	w := deployed(t)
	w.jobCheckFails = func(k CheckJobKey) string { return "sign-in as probe@lincoln failed: 500" }
	w.spec.Image = "lms:2"
	w.run(20, 5*time.Second, at2(platformv1.StepFailed))
	st := w.status
	if !strings.Contains(st.Message, "pre-promotion check smoke failed: Job failed: sign-in as probe@lincoln failed: 500") {
		t.Errorf("message %q", st.Message)
	}
	if st.Active.Revision != 1 || st.Preview != nil {
		t.Errorf("active %+v preview %+v", st.Active, st.Preview)
	}
	w.pass(time.Second)
	if w.replicas(platformv1.Green) != 0 {
		t.Errorf("failed preview still has %d replicas", w.replicas(platformv1.Green))
	}
	w.noViolations()
}

func TestWebCheckFailuresBeyondTheLimitFail(t *testing.T) {
	w := deployed(t)
	w.spec.Analysis.PrePromotion = []platformv1.AnalysisCheck{webCheck("signin", 5)}
	w.spec.Analysis.PrePromotion[0].FailureLimit = 1
	n := 0
	w.measure = func(_ platformv1.AnalysisStage, _ string, _ time.Time) Outcome {
		n++
		if n%2 == 0 {
			return Failed
		}
		return Successful
	}
	w.spec.Image = "lms:2"
	w.run(30, 5*time.Second, at2(platformv1.StepFailed))
	r := findResult(w.status.Rollout.Analysis, platformv1.PrePromotion, "signin")
	if r.Failures != 2 || r.State != platformv1.AnalysisFailed {
		t.Errorf("result %+v", r)
	}
	w.noViolations()
}

func TestInconclusiveMetricsPauseUntilPromoted(t *testing.T) {
	w := deployed(t)
	w.spec.Analysis.PrePromotion = []platformv1.AnalysisCheck{{Name: "p99", Metrics: &platformv1.MetricsCheck{URL: "http://127.0.0.1/metrics"},
		Count: 2, Interval: metav1.Duration{Duration: 5 * time.Second}}}
	w.measure = func(stage platformv1.AnalysisStage, _ string, _ time.Time) Outcome {
		if stage == platformv1.PrePromotion {
			return Inconclusive
		}
		return Successful
	}
	w.spec.Image = "lms:2"
	w.run(20, 5*time.Second, func(w *world) bool { return w.status.Phase == platformv1.DeploymentPaused })
	if !strings.Contains(w.status.Message, "check p99 is inconclusive") || w.status.Active.Revision != 1 {
		t.Fatalf("message %q active %+v", w.status.Message, w.status.Active)
	}
	for range 3 {
		w.pass(time.Minute)
	}
	if w.status.Phase != platformv1.DeploymentPaused {
		t.Fatalf("left the pause on its own: %s", w.status.Phase)
	}
	w.spec.Promote = "lms:2"
	w.run(20, 5*time.Second, settledAt(platformv1.StepCompleted))
	if w.status.Active.Revision != 2 {
		t.Errorf("active %+v", w.status.Active)
	}
	w.noViolations()
}

func TestRetryAnalysesAPausedRolloutAfresh(t *testing.T) {
	w := deployed(t)
	w.spec.Analysis.PrePromotion = []platformv1.AnalysisCheck{webCheck("signin", 2)}
	flaky := true
	w.measure = func(platformv1.AnalysisStage, string, time.Time) Outcome {
		if flaky {
			return Inconclusive
		}
		return Successful
	}
	w.spec.Image = "lms:2"
	w.run(20, 5*time.Second, func(w *world) bool { return w.status.Phase == platformv1.DeploymentPaused })
	flaky = false
	w.spec.Retry = "again"
	w.run(30, 5*time.Second, settledAt(platformv1.StepCompleted))
	if w.status.Rollout.Attempt != 2 || w.status.Active.Revision != 2 {
		t.Errorf("rollout %+v", w.status.Rollout)
	}
	w.noViolations()
}

func TestManualPromotionWaitsForSpecPromote(t *testing.T) {
	w := deployed(t)
	w.spec.AutoPromote = false
	w.spec.Image = "lms:2"
	w.run(20, 5*time.Second, at2(platformv1.StepAwaitingPromotion))
	if w.status.Phase != platformv1.DeploymentPaused || !strings.Contains(w.status.Message, `set spec.promote to "lms:2"`) {
		t.Errorf("phase %s message %q", w.status.Phase, w.status.Message)
	}
	w.pass(time.Hour)
	if w.status.Rollout.Step != platformv1.StepAwaitingPromotion {
		t.Fatalf("promoted without spec.promote")
	}
	w.spec.Promote = "lms:1" // an old approval does not count
	w.pass(time.Second)
	if w.status.Rollout.Step != platformv1.StepAwaitingPromotion {
		t.Fatalf("promoted on another image's approval")
	}
	w.spec.Promote = "lms:2"
	w.run(30, 5*time.Second, settledAt(platformv1.StepCompleted))
	w.noViolations()
}

func TestAbortBeforePromotionReturnsToTheActiveVersion(t *testing.T) {
	w := deployed(t)
	w.spec.Image = "lms:2"
	w.run(20, 5*time.Second, at2(platformv1.StepPrePromotionAnalysis))
	w.spec.Abort = true
	w.pass(time.Second)
	st := w.status
	if st.Rollout.Step != platformv1.StepAborted || st.Phase != platformv1.DeploymentDegraded || st.Preview != nil || st.Active.Revision != 1 {
		t.Fatalf("rollout %+v phase %s", st.Rollout, st.Phase)
	}
	w.pass(time.Second)
	if w.replicas(platformv1.Green) != 0 {
		t.Errorf("aborted preview runs %d replicas", w.replicas(platformv1.Green))
	}
	// Clearing abort does not restart it; retry does.
	w.spec.Abort = false
	w.pass(time.Second)
	if w.status.Rollout.Step != platformv1.StepAborted {
		t.Fatalf("restarted without retry")
	}
	w.spec.Retry = "go"
	w.run(40, 5*time.Second, settledAt(platformv1.StepCompleted))
	if w.status.Active.Revision != 2 {
		t.Errorf("active %+v", w.status.Active)
	}
	w.noViolations()
	w.noMigrationTwice()
}

func TestAbortAfterPromotionSwitchesBackAndDrains(t *testing.T) {
	w := deployed(t)
	w.spec.Image = "lms:2"
	w.run(30, 5*time.Second, at2(platformv1.StepPostPromotionAnalysis))
	w.spec.Abort = true
	w.pass(time.Second)
	st := w.status
	if st.Active.Revision != 1 || st.Rollout.Step != platformv1.StepAborted || !st.Rollout.Draining {
		t.Fatalf("active %+v rollout %+v", st.Active, st.Rollout)
	}
	if w.replicas(platformv1.Green) != 3 {
		t.Fatalf("the aborted colour scaled down before the active Service's endpoints left it")
	}
	w.run(10, time.Second, func(w *world) bool { return !w.status.Rollout.Draining })
	w.pass(time.Second)
	if w.replicas(platformv1.Green) != 0 || w.selector != platformv1.Blue {
		t.Errorf("green %d selector %s", w.replicas(platformv1.Green), w.selector)
	}
	if !slices.Contains(notified(w.status), platformv1.NotifyAborted) {
		t.Errorf("notifications %v", notified(w.status))
	}
}

func TestFailedPostPromotionCheckRollsBackAutomatically(t *testing.T) {
	w := deployed(t)
	w.measure = func(stage platformv1.AnalysisStage, _ string, _ time.Time) Outcome {
		if stage == platformv1.PostPromotion {
			return Failed
		}
		return Successful
	}
	w.spec.Image = "lms:2"
	w.run(30, 5*time.Second, at2(platformv1.StepRolledBack))
	st := w.status
	if st.Active.Revision != 1 || st.Phase != platformv1.DeploymentDegraded || !strings.Contains(st.Message, "post-promotion check errors failed") {
		t.Errorf("active %+v phase %s message %q", st.Active, st.Phase, st.Message)
	}
	if st.History[0].Outcome != platformv1.OutcomeRolledBack || st.History[1].RetiredTime != nil {
		t.Errorf("history %+v", st.History)
	}
	if !slices.Contains(notified(st), platformv1.NotifyRolledBack) {
		t.Errorf("notifications %v", notified(st))
	}
	if runs := w.runs("a", platformv1.MigrationContract); len(runs) != 0 {
		t.Errorf("a contract migration ran for the rolled-back version: %+v", runs)
	}
	w.run(10, time.Second, func(w *world) bool { return !w.status.Rollout.Draining })
	w.pass(time.Second)
	if w.replicas(platformv1.Green) != 0 {
		t.Errorf("rolled-back colour still runs")
	}
	// It stays rolled back.
	w.pass(time.Hour)
	if w.status.Active.Revision != 1 || w.status.Rollout.Step != platformv1.StepRolledBack {
		t.Errorf("after an hour: %+v", w.status.Rollout)
	}
}

func TestGitOpsRevertWhileThePreviousVersionRunsSwitchesAtOnce(t *testing.T) {
	w := deployed(t)
	w.spec.Image = "lms:2"
	w.run(30, 5*time.Second, at2(platformv1.StepScaleDown))
	w.spec.Image = "lms:1"
	w.pass(time.Second)
	st := w.status
	if st.Active.Revision != 1 || st.Phase != platformv1.DeploymentHealthy || st.History[0].Trigger != platformv1.TriggerRevert || st.History[1].Outcome != platformv1.OutcomeRolledBack {
		t.Fatalf("active %+v phase %s history %+v", st.Active, st.Phase, st.History)
	}
	if w.selector != platformv1.Blue || w.replicas(platformv1.Green) != 3 {
		t.Errorf("after the revert the active Service selects %s; green runs %d (draining)", w.selector, w.replicas(platformv1.Green))
	}
	w.noViolations()
}

func TestGitOpsRevertAfterCompletionSkipsMigrationsAndAnalysis(t *testing.T) {
	w := deployed(t)
	w.spec.Migrations.Disabled = true
	w.spec.Image = "lms:2"
	w.run(40, 5*time.Second, settledAt(platformv1.StepCompleted))
	w.spec.Image = "lms:1"
	w.run(20, 5*time.Second, settledAt(platformv1.StepCompleted))
	st := w.status
	if st.Active.Revision != 1 || st.Active.Color != platformv1.Blue || st.Rollout.Trigger != platformv1.TriggerRevert || len(st.Rollout.Analysis) != 0 {
		t.Errorf("active %+v rollout %+v", st.Active, st.Rollout)
	}
	if st.LastRevision != 2 {
		t.Errorf("a revert took a new revision number: %d", st.LastRevision)
	}
	w.noViolations()
}

func TestRollbackToIsRefusedOutsideTheWindowOrPastAContract(t *testing.T) {
	w := deployed(t)
	w.spec.Image = "lms:2"
	w.run(40, 5*time.Second, settledAt(platformv1.StepCompleted))
	one := int64(1)
	w.spec.RollbackTo = &one
	w.pass(time.Second)
	if w.status.Phase != platformv1.DeploymentDegraded || !strings.Contains(w.status.Message, "revision 2's contract migration has run since") || w.status.Active.Revision != 2 {
		t.Errorf("phase %s message %q active %+v", w.status.Phase, w.status.Message, w.status.Active)
	}
	w2 := deployed(t)
	w2.spec.Migrations.Disabled = true
	w2.spec.RollbackWindow = metav1.Duration{Duration: time.Hour}
	w2.spec.Image = "lms:2"
	w2.run(40, 5*time.Second, settledAt(platformv1.StepCompleted))
	w2.now = w2.now.Add(2 * time.Hour)
	w2.spec.RollbackTo = &one
	w2.pass(time.Second)
	if !strings.Contains(w2.status.Message, "longer ago than rollbackWindow (1h0m0s)") || w2.status.Active.Revision != 2 {
		t.Errorf("message %q", w2.status.Message)
	}
	seven := int64(7)
	w2.spec.RollbackTo = &seven
	w2.pass(time.Second)
	if !strings.Contains(w2.status.Message, "rollbackTo revision 7 refused: it is not a succeeded rollout in status.history") {
		t.Errorf("message %q", w2.status.Message)
	}
}

func TestRollbackToWithinTheWindow(t *testing.T) {
	w := deployed(t)
	w.spec.Migrations.Disabled = true
	w.spec.Image = "lms:2"
	w.run(40, 5*time.Second, settledAt(platformv1.StepCompleted))
	one := int64(1)
	w.spec.RollbackTo = &one
	w.run(20, 5*time.Second, settledAt(platformv1.StepCompleted))
	st := w.status
	if st.Active.Revision != 1 || st.Active.Image != "lms:1" || st.Rollout.Trigger != platformv1.TriggerRollback || st.Phase != platformv1.DeploymentHealthy {
		t.Errorf("active %+v rollout %+v phase %s", st.Active, st.Rollout, st.Phase)
	}
}

func TestWaitingForAWindowInTheSchoolsZone(t *testing.T) {
	w := deployed(t)
	w.schools = []School{{Name: "tenant-a/lincoln-high", TimeZone: "America/Chicago", Calendar: platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{schoolDay}}}}
	// Monday 2026-11-23 10:00 in Chicago: school is in session until 15:00.
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	w.spec.Image = "lms:2"
	d := w.pass(time.Second)
	st := w.status
	want := time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC)
	if st.Phase != platformv1.DeploymentWaitingForWindow || st.NextWindowStart == nil || !st.NextWindowStart.Time.Equal(want) {
		t.Fatalf("phase %s next %v", st.Phase, st.NextWindowStart)
	}
	if !strings.Contains(st.Message, "school tenant-a/lincoln-high is in session until 15:00 (America/Chicago)") {
		t.Errorf("message %q", st.Message)
	}
	if d.Wake != want.Sub(time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("wake in %s, want at the window's start", d.Wake)
	}
	if len(d.Migrations) != 0 || w.replicas(platformv1.Green) != 0 {
		t.Errorf("rollout began outside the window")
	}
	w.now = want
	w.pass(time.Second)
	if w.status.Rollout.Step == platformv1.StepWaitingForWindow || w.status.NextWindowStart != nil {
		t.Errorf("still waiting at the window's start: %+v", w.status.Rollout)
	}
}

func TestWindowOverrideStartsNowAndIsRecorded(t *testing.T) {
	w := deployed(t)
	w.schools = []School{{Name: "tenant-a/lincoln-high", TimeZone: "America/Chicago", Calendar: platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{schoolDay}}}}
	w.now = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	w.spec.Image = "lms:2"
	w.spec.WindowOverride = &platformv1.WindowOverride{Reason: "INC-4121: grade export broken"}
	w.pass(time.Second)
	if w.status.Rollout.Step == platformv1.StepWaitingForWindow || w.status.History[0].WindowOverride != "INC-4121: grade export broken" {
		t.Errorf("rollout %+v history %+v", w.status.Rollout, w.status.History[0])
	}
}

func TestANewerSpecSupersedesAPreview(t *testing.T) {
	w := deployed(t)
	w.spec.Image = "lms:2"
	w.run(20, 5*time.Second, at2(platformv1.StepPrePromotionAnalysis))
	w.spec.Image = "lms:3"
	w.pass(time.Second)
	st := w.status
	if st.Rollout.Revision != 3 || st.Rollout.Color != platformv1.Green || st.History[1].Outcome != platformv1.OutcomeSuperseded {
		t.Fatalf("rollout %+v history %+v", st.Rollout, st.History)
	}
	w.run(40, 5*time.Second, settledAt(platformv1.StepCompleted))
	if w.status.Active.Image != "lms:3" {
		t.Errorf("active %+v", w.status.Active)
	}
	w.noViolations()
}

func TestFailedContractMigrationKeepsTheNewVersionAndRetriesOnlyIt(t *testing.T) {
	w := deployed(t)
	w.migrationFails = func(tenant string, phase platformv1.MigrationPhase, attempt int32) string {
		if phase == platformv1.MigrationContract && attempt == 1 {
			return "lock timeout"
		}
		return ""
	}
	w.spec.Image = "lms:2"
	w.run(40, 5*time.Second, at2(platformv1.StepFailed))
	if w.status.Active.Revision != 2 || w.status.Phase != platformv1.DeploymentDegraded || !strings.Contains(w.status.Message, "contract migration failed for tenant a: lock timeout") {
		t.Fatalf("active %+v phase %s message %q", w.status.Active, w.status.Phase, w.status.Message)
	}
	w.spec.Retry = "x"
	w.run(10, 5*time.Second, settledAt(platformv1.StepCompleted))
	if runs := w.runs("a", platformv1.MigrationExpand); len(runs) != 1 {
		t.Errorf("expand ran again on a contract retry: %+v", runs)
	}
	if runs := w.runs("a", platformv1.MigrationContract); len(runs) != 2 || runs[1].State != JobSucceeded {
		t.Errorf("contract runs %+v", runs)
	}
	w.noMigrationTwice()
}

// An operator that restarts at any pass, from the status the old one
// wrote, ends where an uninterrupted one does; a pass whose actions were
// lost (it died after writing status) is made good by the next; no
// migration runs twice; the active Service never selects an unanalysed
// version.
func TestOperatorRestartAtEveryStepResumes(t *testing.T) {
	reference := deployed(t)
	reference.spec.Image = "lms:2"
	reference.run(60, 5*time.Second, settledAt(platformv1.StepCompleted))
	total := reference.passes
	for crash := 1; crash <= total; crash++ {
		w := deployed(t)
		base := w.passes
		w.dropActions = func(pass int) bool { return pass == base+crash }
		w.spec.Image = "lms:2"
		w.run(60, 5*time.Second, settledAt(platformv1.StepCompleted))
		if w.status.Active.Image != "lms:2" || w.status.Phase != platformv1.DeploymentHealthy || w.status.History[0].Outcome != platformv1.OutcomeSucceeded {
			t.Errorf("crash at pass %d: active %+v phase %s", crash, w.status.Active, w.status.Phase)
		}
		if w.replicas(platformv1.Blue) != 0 {
			t.Errorf("crash at pass %d: blue still has %d replicas", crash, w.replicas(platformv1.Blue))
		}
		w.noViolations()
		w.noMigrationTwice()
	}
}
