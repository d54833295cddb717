//go:build e2e

package rollouttest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// A new image goes through expand migrations, a preview, analysis,
// promotion, scale-down and contract migrations while a client on the
// active Service sees no failure.
func TestHappyPath(t *testing.T) {
	f := newFleet(t, "happy", "registry.example/bellwork/fakelms:1", nil)
	f.serving("registry.example/bellwork/fakelms:1")
	load := f.load(t)
	f.rollTo("registry.example/bellwork/fakelms:2", nil)
	d := f.serving("registry.example/bellwork/fakelms:2")
	load.finish(t)
	if _, ok := load.images.Load("registry.example/bellwork/fakelms:2"); !ok {
		t.Errorf("the client never reached the new version")
	}
	if d.Status.Active.Revision != 2 || len(d.Status.History) != 2 || d.Status.History[0].Outcome != platformv1.OutcomeSucceeded {
		t.Errorf("status %+v", d.Status)
	}
	// kubectl get lmsdeploy tells an SRE where the fleet stands and why,
	// without -o wide.
	out, err := exec.Command("kubectl", "--kubeconfig", env.KubeconfigPath, "get", "lmsdeploy", "-n", lmsNamespace, "happy").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl get lmsdeploy: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "NAME PHASE ACTIVE PREVIEW STEP AGE MESSAGE" ||
		!strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "happy Healthy registry.example/bellwork/fakelms:2 Completed") ||
		!strings.HasSuffix(strings.Join(strings.Fields(lines[1]), " "), " revision 2 serves") {
		t.Errorf("kubectl get lmsdeploy:\n%s", out)
	}
	runs := f.migrations()
	for _, tenant := range []string{"alpha", "beta"} {
		for _, phase := range []string{"expand", "contract"} {
			want := tenant + "|" + phase + "|registry.example/bellwork/fakelms:2"
			if n := countOf(runs, want); n != 1 {
				t.Errorf("%s ran %d times; runs %v", want, n, runs)
			}
		}
	}
}

// An expand migration that fails stops the rollout before traffic moves,
// with the tenant and the error in status.
func TestExpandMigrationFailure(t *testing.T) {
	f := newFleet(t, "expandfail", "registry.example/bellwork/fakelms:1", nil)
	f.serving("registry.example/bellwork/fakelms:1")
	f.rollTo("registry.example/bellwork/fakelms:2", map[string]string{"FAKE_MIGRATE_FAIL": "beta/expand", "FAKE_MIGRATE_ERROR": `column "grade" already exists`})
	d := f.waitFor("the failed rollout", 2*time.Minute, func(d *platformv1.Deployment) bool { return step(d) == platformv1.StepFailed })
	if d.Status.Phase != platformv1.DeploymentDegraded || !strings.Contains(d.Status.Message, `expand migration failed for tenant beta: lms migrate: tenant beta: column "grade" already exists`) {
		t.Errorf("phase %s message %q", d.Status.Phase, d.Status.Message)
	}
	if d.Status.Active.Image != "registry.example/bellwork/fakelms:1" {
		t.Errorf("active %+v", d.Status.Active)
	}
	if body, err := get(f.active + "/"); err != nil || !strings.HasSuffix(body, " registry.example/bellwork/fakelms:1") {
		t.Errorf("active Service answers %q, %v", body, err)
	}
}

// A smoke Job that fails fails the rollout and scales the preview down.
func TestFailedSmokeJob(t *testing.T) {
	f := newFleet(t, "smokefail", "registry.example/bellwork/fakelms:1", func(s *platformv1.DeploymentSpec) {
		s.Analysis.PrePromotion = []platformv1.AnalysisCheck{{Name: "smoke", Job: &platformv1.JobCheck{ProbeAccountSecret: probeSecret}}}
	})
	f.serving("registry.example/bellwork/fakelms:1")
	f.rollTo("registry.example/bellwork/fakelms:2", map[string]string{"FAKE_SMOKE_FAIL": "sign-in as probe@alpha failed: status 500"})
	d := f.waitFor("the failed rollout", 2*time.Minute, func(d *platformv1.Deployment) bool { return step(d) == platformv1.StepFailed })
	if !strings.Contains(d.Status.Message, "check smoke failed: Job failed: lms smoke: sign-in as probe@alpha failed: status 500") {
		t.Errorf("message %q", d.Status.Message)
	}
	if d.Status.Active.Image != "registry.example/bellwork/fakelms:1" || d.Status.Preview != nil {
		t.Errorf("active %+v preview %+v", d.Status.Active, d.Status.Preview)
	}
}

func countOf(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	_ = slices.Contains(list, s)
	return n
}
