//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/dev/platform"
)

// Journey 6: a GitOps change of the LMS image, outside any deploy window,
// rolls the operator-managed fleet (the one every journey uses) forward
// while a district admin stays signed in: kubectl patch sets the new image
// with a window override; the expand migration runs for the district; the
// preview serves the new version on its own port, where the same browser
// session works; analysis passes; a second patch promotes; after the
// switch the session is still signed in and pages load.
func TestRolloutKeepsTheBrowserSignedIn(t *testing.T) {
	keepLogsOnFailure(t)
	d := newTenant(t, "rollout")
	tb := newTab(t)
	tb.setPassword(d.adminLink(t), "district admin password")
	tb.expect("District overview")
	tb.shot("before-rollout")

	// The platform starts serving as soon as the first revision is
	// active; its contract step may still be finishing.
	before := waitFleet(t, "the first revision completed", 2*time.Minute, func(f *platformv1.Deployment) bool {
		return f.Status.Active != nil && f.Status.Phase == platformv1.DeploymentHealthy && f.Status.Rollout != nil && f.Status.Rollout.Step == platformv1.StepCompleted
	})
	image := strings.TrimSuffix(before.Spec.Image, ":"+tagOf(before.Spec.Image)) + ":e2e-" + fmt.Sprint(time.Now().Unix())
	// The sample's checks load the sample district's sign-in page; this
	// platform serves the journey's district instead. Promotion waits for
	// the second patch, so the preview can be looked at first.
	patch := fmt.Sprintf(`{"spec": {"image": %q, "autoPromote": false, "windowOverride": {"reason": "e2e: journey %s"},
  "scaleDownDelay": "5s",
  "analysis": {"prePromotion": [{"name": "preview-signin", "web": {"url": "$(PREVIEW_URL)/signin", "host": %q}, "interval": "1s", "count": 3}],
               "postPromotion": {"duration": "5s", "checks": [{"name": "active-signin", "web": {"url": "$(ACTIVE_URL)/signin", "host": %q}, "interval": "1s", "count": 2}]}}}}`,
		image, t.Name(), d.Host, d.Host)
	kubectl(t, "", "patch", "lmsdeploy", "-n", platform.Namespace, platform.FleetName, "--type=merge", "-p", patch)

	// The window override starts it at once; the expand migration runs for
	// this district; the preview comes up and analysis passes.
	f := waitFleet(t, "analysis passed, awaiting promotion", 4*time.Minute, func(f *platformv1.Deployment) bool {
		return f.Status.Rollout != nil && f.Status.Rollout.Image == image && f.Status.Rollout.Step == platformv1.StepAwaitingPromotion
	})
	r := f.Status.Rollout
	if r.WindowOverride != "e2e: journey "+t.Name() {
		t.Errorf("window override recorded as %q", r.WindowOverride)
	}
	if !slices.ContainsFunc(r.Migrations, func(m platformv1.MigrationResult) bool {
		return m.Tenant == d.Name && m.Phase == platformv1.MigrationExpand && m.State == platformv1.MigrationSucceeded
	}) {
		t.Errorf("no successful expand migration for %s: %+v", d.Name, r.Migrations)
	}
	if !slices.ContainsFunc(r.Analysis, func(a platformv1.AnalysisResult) bool {
		return a.Name == "preview-signin" && a.State == platformv1.AnalysisPassed
	}) {
		t.Errorf("pre-promotion analysis: %+v", r.Analysis)
	}
	if f.Status.Preview == nil || f.Status.Preview.Image != image || f.Status.Active.Image != before.Spec.Image {
		t.Fatalf("preview %+v active %+v", f.Status.Preview, f.Status.Active)
	}
	// kubectl get lmsdeploy, without -o wide, says where the rollout is
	// (Paused at AwaitingPromotion) and why (what to set to promote).
	got := kubectl(t, "", "get", "lmsdeploy", "-n", platform.Namespace, platform.FleetName)
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "NAME PHASE ACTIVE PREVIEW STEP AGE MESSAGE" ||
		!strings.Contains(lines[1], "Paused") || !strings.Contains(lines[1], "AwaitingPromotion") ||
		!strings.Contains(lines[1], fmt.Sprintf("analysis passed; set spec.promote to %q to promote", image)) {
		t.Errorf("kubectl get lmsdeploy while awaiting promotion:\n%s", got)
	}
	// The preview Service has its own port; cookies are per host, not per
	// port, so the admin's session works there too.
	tb.open(fmt.Sprintf("http://%s:%d/", d.Host, plat.Opts.PreviewPort))
	tb.expect("District overview")
	tb.shot("preview")
	tb.open(d.Base + "/admin/schools")
	tb.expect("Schools")
	tb.shot("active-during-rollout")

	kubectl(t, "", "patch", "lmsdeploy", "-n", platform.Namespace, platform.FleetName, "--type=merge", "-p", fmt.Sprintf(`{"spec": {"promote": %q}}`, image))
	f = waitFleet(t, "promoted and completed", 4*time.Minute, func(f *platformv1.Deployment) bool {
		return f.Status.Active != nil && f.Status.Active.Image == image && f.Status.Rollout != nil && f.Status.Rollout.Step == platformv1.StepCompleted
	})
	if f.Status.Phase != platformv1.DeploymentHealthy || f.Status.History[0].Outcome != platformv1.OutcomeSucceeded {
		t.Errorf("after promotion: phase %s history %+v", f.Status.Phase, f.Status.History[0])
	}

	// The same browser, without signing in again, on the new version.
	tb.open(d.Base + "/")
	if loc := tb.location(); strings.Contains(loc, "/signin") {
		t.Fatalf("the rollout signed the browser out: %s", loc)
	}
	tb.expect("District overview")
	tb.shot("after-promotion")
	tb.open(d.Base + "/admin/users")
	tb.expect("Users")
	tb.shot("after-promotion-users")
	t.Logf("kubectl get lmsdeploy:\n%s", kubectl(t, "", "get", "lmsdeploy", "-n", platform.Namespace, "-o", "wide"))
}

func tagOf(image string) string {
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		return image[i+1:]
	}
	return ""
}

// fleet reads the platform's lmsdeploy with kubectl.
func fleet(t *testing.T) *platformv1.Deployment {
	t.Helper()
	var f platformv1.Deployment
	if err := json.Unmarshal([]byte(kubectl(t, "", "get", "lmsdeploy", "-n", platform.Namespace, platform.FleetName, "-o", "json")), &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// waitFleet waits until ok holds of the lmsdeploy, logging each step it
// passes through, and fails on a rollout that failed.
func waitFleet(t *testing.T, what string, limit time.Duration, ok func(*platformv1.Deployment) bool) *platformv1.Deployment {
	t.Helper()
	deadline := time.Now().Add(limit)
	last := ""
	for {
		f := fleet(t)
		step := ""
		if f.Status.Rollout != nil {
			step = string(f.Status.Rollout.Step)
		}
		if now := string(f.Status.Phase) + "/" + step; now != last {
			t.Logf("lmsdeploy: phase %s, step %s: %s", f.Status.Phase, step, f.Status.Message)
			last = now
		}
		if ok(f) {
			return f
		}
		if step == string(platformv1.StepFailed) || step == string(platformv1.StepRolledBack) {
			t.Fatalf("waiting for %s, the rollout ended %s: %s", what, step, f.Status.Message)
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: gave up after %s at phase %s, step %s: %s", what, limit, f.Status.Phase, step, f.Status.Message)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
