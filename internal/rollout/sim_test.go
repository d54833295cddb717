package rollout

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// world is a simulated cluster for Step: colour Deployments that become
// Ready one pass after they are asked to, Jobs that finish one pass after
// they are created with scripted outcomes, and an active Service whose
// endpoints follow its selector one pass late (as a real EndpointSlice
// controller and proxy do).
type world struct {
	t       *testing.T
	spec    platformv1.DeploymentSpec
	status  platformv1.DeploymentStatus
	now     time.Time
	tenants []string
	schools []School

	colors    map[platformv1.Color]*simColor
	endpoints map[platformv1.Color]int
	selector  platformv1.Color

	// migrations and checkJobs are the Jobs by revision.
	migrations map[int64]map[MigrationKey][]JobRun
	checkJobs  map[int64]map[CheckJobKey]JobRun
	// created counts every create asked for, by Job identity.
	created map[string]int

	migrationFails func(tenant string, phase platformv1.MigrationPhase, attempt int32) string
	jobCheckFails  func(k CheckJobKey) string
	measure        func(stage platformv1.AnalysisStage, check string, now time.Time) Outcome

	events    []string
	passes    int
	roundTrip bool
	// dropActions, when it says so for a pass, loses that pass's actions
	// (the operator died after writing status, before acting).
	dropActions func(pass int) bool
	// promotedUnanalysed is set when the active Service ever selected a
	// colour whose rollout had not passed analysis.
	violations []string
}

type simColor struct {
	hash            string
	replicas, ready int32
	pendingReplicas int32
	pendingHash     string
}

func newWorld(t *testing.T, spec platformv1.DeploymentSpec) *world {
	return &world{t: t, spec: spec, now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), tenants: []string{"a", "b"},
		colors: map[platformv1.Color]*simColor{}, endpoints: map[platformv1.Color]int{},
		migrations: map[int64]map[MigrationKey][]JobRun{}, checkJobs: map[int64]map[CheckJobKey]JobRun{}, created: map[string]int{},
		migrationFails: func(string, platformv1.MigrationPhase, int32) string { return "" },
		jobCheckFails:  func(CheckJobKey) string { return "" },
		measure:        func(platformv1.AnalysisStage, string, time.Time) Outcome { return Successful },
		roundTrip:      true}
}

func (w *world) observe() Observed {
	o := Observed{Now: w.now, Colors: map[platformv1.Color]ColorObserved{}, ActiveEndpoints: map[platformv1.Color]int{},
		Tenants: w.tenants, Schools: w.schools, Migrations: map[MigrationKey][]JobRun{}, CheckJobs: map[CheckJobKey]JobRun{}}
	for c, sc := range w.colors {
		o.Colors[c] = ColorObserved{TemplateHash: sc.hash, Replicas: sc.replicas, ReadyReplicas: sc.ready, Updated: sc.ready == sc.replicas}
	}
	for c, n := range w.endpoints {
		o.ActiveEndpoints[c] = n
	}
	if r := w.status.Rollout; r != nil {
		o.JobsRevision = r.Revision
		for k, v := range w.migrations[r.Revision] {
			o.Migrations[k] = slices.Clone(v)
		}
		for k, v := range w.checkJobs[r.Revision] {
			o.CheckJobs[k] = v
		}
	}
	for _, ref := range DueMeasurements(w.spec, w.status, w.now) {
		o.Measurements = append(o.Measurements, Measurement{Stage: ref.Stage, Check: ref.Check.Name, Outcome: w.measure(ref.Stage, ref.Check.Name, w.now), Message: "measured"})
	}
	return o
}

// pass runs one reconcile: observe, step, write status, act; then the
// world moves on by tick.
func (w *world) pass(tick time.Duration) Decision {
	w.t.Helper()
	w.passes++
	// Last pass's actions take effect: pods become Ready, Jobs finish,
	// endpoints follow the selector.
	for _, sc := range w.colors {
		if sc.pendingHash != "" {
			sc.hash, sc.pendingHash = sc.pendingHash, ""
			sc.ready = 0
		}
		sc.ready = sc.replicas
	}
	w.endpoints = map[platformv1.Color]int{}
	if sc, ok := w.colors[w.selector]; ok && w.selector != "" {
		w.endpoints[w.selector] = int(sc.ready)
	}
	for _, byKey := range w.migrations {
		for k, runs := range byKey {
			for i := range runs {
				if runs[i].State == JobRunning {
					if msg := w.migrationFails(k.Tenant, k.Phase, runs[i].Attempt); msg != "" {
						runs[i].State, runs[i].Message = JobFailed, msg
					} else {
						runs[i].State = JobSucceeded
					}
				}
			}
		}
	}
	for _, byKey := range w.checkJobs {
		for k, run := range byKey {
			if run.State == JobRunning {
				if msg := w.jobCheckFails(k); msg != "" {
					byKey[k] = JobRun{Attempt: k.Attempt, State: JobFailed, Message: msg}
				} else {
					byKey[k] = JobRun{Attempt: k.Attempt, State: JobSucceeded}
				}
			}
		}
	}

	before := w.status.Active
	d := Step(w.spec, 1, w.status, w.observe())
	st := d.Status
	if w.roundTrip {
		// A new leader reads status from the API server: only what
		// survives JSON survives.
		data, err := json.Marshal(st)
		if err != nil {
			w.t.Fatal(err)
		}
		st = platformv1.DeploymentStatus{}
		if err := json.Unmarshal(data, &st); err != nil {
			w.t.Fatal(err)
		}
	}
	w.checkPromotion(before, st)
	w.status = st
	if w.dropActions != nil && w.dropActions(w.passes) {
		w.now = w.now.Add(tick)
		return d
	}
	for _, e := range d.Events {
		w.events = append(w.events, e.Reason)
	}
	desired := Desired(w.spec, w.status)
	for c, dc := range desired.Colors {
		sc, ok := w.colors[c]
		if !ok {
			if dc.Replicas == 0 {
				continue
			}
			sc = &simColor{}
			w.colors[c] = sc
		}
		if sc.hash != dc.Version.TemplateHash {
			sc.pendingHash = dc.Version.TemplateHash
		}
		sc.replicas = dc.Replicas
		if sc.ready > sc.replicas {
			sc.ready = sc.replicas
		}
	}
	w.selector = desired.Active
	for _, m := range d.Migrations {
		key := fmt.Sprintf("migration %d %s %s %d", w.status.Rollout.Revision, m.Tenant, m.Phase, m.Attempt)
		w.created[key]++
		if w.created[key] > 1 {
			continue
		}
		rev := w.status.Rollout.Revision
		if w.migrations[rev] == nil {
			w.migrations[rev] = map[MigrationKey][]JobRun{}
		}
		mk := MigrationKey{Tenant: m.Tenant, Phase: m.Phase}
		w.migrations[rev][mk] = append(w.migrations[rev][mk], JobRun{Attempt: m.Attempt, State: JobRunning})
	}
	for _, k := range d.CheckJobs {
		key := fmt.Sprintf("check %d %+v", w.status.Rollout.Revision, k)
		w.created[key]++
		rev := w.status.Rollout.Revision
		if w.checkJobs[rev] == nil {
			w.checkJobs[rev] = map[CheckJobKey]JobRun{}
		}
		if _, ok := w.checkJobs[rev][k]; !ok {
			w.checkJobs[rev][k] = JobRun{Attempt: k.Attempt, State: JobRunning}
		}
	}
	w.now = w.now.Add(tick)
	return d
}

// checkPromotion records a switch of the active Service to a revision
// that did not pass pre-promotion analysis (and was not the first
// version, a rollback to a recorded one, or accepted by spec.promote).
func (w *world) checkPromotion(before *platformv1.ColorStatus, st platformv1.DeploymentStatus) {
	if st.Active == nil || (before != nil && before.Revision == st.Active.Revision) {
		return
	}
	r := st.Rollout
	if r == nil || r.Revision != st.Active.Revision {
		return // a rollback to the previous version
	}
	switch r.Trigger {
	case platformv1.TriggerInitial, platformv1.TriggerRollback, platformv1.TriggerRevert:
		return
	}
	if w.spec.Promote == r.Image {
		return
	}
	for _, c := range w.spec.Analysis.PrePromotion {
		res := findResult(r.Analysis, platformv1.PrePromotion, c.Name)
		if res == nil || res.State != platformv1.AnalysisPassed {
			w.violations = append(w.violations, fmt.Sprintf("pass %d: revision %d promoted with check %s not passed", w.passes, r.Revision, c.Name))
		}
	}
}

// run passes until the rollout ends or settles, at most n passes.
func (w *world) run(n int, tick time.Duration, until func(*world) bool) {
	w.t.Helper()
	for range n {
		w.pass(tick)
		if until(w) {
			return
		}
	}
	w.t.Fatalf("not there after %d passes: phase %s, message %q, rollout %+v", n, w.status.Phase, w.status.Message, w.status.Rollout)
}

func settledAt(step platformv1.RolloutStep) func(*world) bool {
	return func(w *world) bool {
		return w.status.Rollout != nil && w.status.Rollout.Step == step && !w.status.Rollout.Draining
	}
}

func at2(step platformv1.RolloutStep) func(*world) bool {
	return func(w *world) bool { return w.status.Rollout != nil && w.status.Rollout.Step == step }
}

func (w *world) noViolations() {
	w.t.Helper()
	for _, v := range w.violations {
		w.t.Error(v)
	}
}

// noMigrationTwice fails when a migration Job was asked for twice, or when
// a tenant's phase of a revision got a Job after one had succeeded.
func (w *world) noMigrationTwice() {
	w.t.Helper()
	for k, n := range w.created {
		if n > 1 && k[:9] == "migration" {
			w.t.Errorf("%s asked for %d times", k, n)
		}
	}
	for rev, byKey := range w.migrations {
		for k, runs := range byKey {
			ok := 0
			for _, r := range runs {
				if r.State == JobSucceeded {
					ok++
				}
			}
			if ok > 1 {
				w.t.Errorf("revision %d: %s %s migrated %d times", rev, k.Tenant, k.Phase, ok)
			}
		}
	}
}

func webCheck(name string, count int32) platformv1.AnalysisCheck {
	return platformv1.AnalysisCheck{Name: name, Web: &platformv1.WebCheck{URL: "http://127.0.0.1/ok"}, Count: count,
		Interval: metav1.Duration{Duration: 5 * time.Second}}
}

func jobCheck(name string) platformv1.AnalysisCheck {
	return platformv1.AnalysisCheck{Name: name, Job: &platformv1.JobCheck{}, Interval: metav1.Duration{Duration: 5 * time.Second}}
}

func baseSpec(image string) platformv1.DeploymentSpec {
	return platformv1.DeploymentSpec{Image: image, Replicas: 3, PreviewReplicas: 1, AutoPromote: true,
		ScaleDownDelay: metav1.Duration{Duration: 30 * time.Second},
		Analysis: platformv1.AnalysisSettings{
			PrePromotion: []platformv1.AnalysisCheck{jobCheck("smoke"), webCheck("signin", 2)},
			PostPromotion: platformv1.PostPromotionAnalysis{Duration: metav1.Duration{Duration: 30 * time.Second},
				Checks: []platformv1.AnalysisCheck{webCheck("errors", 2)}},
		},
		Notifications: &platformv1.Notifications{WebhookURLSecret: platformv1.SecretKeyReference{Name: "slack", Key: "url"}}}
}

// deployed is a world where v1 was rolled out and completed.
func deployed(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, baseSpec("lms:1"))
	w.run(20, 5*time.Second, settledAt(platformv1.StepCompleted))
	if w.status.Active == nil || w.status.Active.Image != "lms:1" || w.status.Phase != platformv1.DeploymentHealthy {
		t.Fatalf("v1 not deployed: %+v", w.status)
	}
	w.status.PendingNotifications = nil
	w.events = nil
	return w
}

// runs are the migration Jobs of the newest revision for a tenant's phase.
func (w *world) runs(tenant string, phase platformv1.MigrationPhase) []JobRun {
	return w.migrations[w.status.LastRevision][MigrationKey{tenant, phase}]
}

func (w *world) replicas(c platformv1.Color) int32 {
	if sc, ok := w.colors[c]; ok {
		return sc.replicas
	}
	return 0
}
