//go:build e2e

package rollouttest

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/pkg/directory"
)

// A new image goes through expand migrations, a preview, analysis,
// promotion, scale-down and contract migrations while a client on the
// active Service sees no failure.
func TestHappyPath(t *testing.T) {
	f := newFleet(t, "happy", lmsV1, nil)
	f.serving(lmsV1)
	load := f.load(t)
	f.rollTo(lmsV2)
	d := f.serving(lmsV2)
	load.finish(t)
	if _, ok := load.images.Load(lmsV2); !ok {
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
		!strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "happy Healthy "+lmsV2+" Completed") ||
		!strings.HasSuffix(strings.Join(strings.Fields(lines[1]), " "), " revision 2 serves") {
		t.Errorf("kubectl get lmsdeploy:\n%s", out)
	}
	runs := f.migrations()
	for _, tenant := range []string{"alpha", "beta"} {
		for _, phase := range []string{"expand", "contract"} {
			want := tenant + "|" + phase + "|r2"
			if n := countOf(runs, want); n != 1 {
				t.Errorf("%s ran %d times; runs %v", want, n, runs)
			}
		}
	}
}

// An expand migration that fails stops the rollout before traffic moves,
// with the tenant and the error in status. The failure is real: district
// delta's database stops accepting connections after the first version
// serves, so the real lms migrate of the next one cannot reach it (serving
// pods keep their open connections, and readiness does not hang on one
// district's database).
func TestExpandMigrationFailure(t *testing.T) {
	ctx := context.Background()
	tn := &platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: "delta", Labels: map[string]string{"fleet": "expandfail"}},
		Spec: platformv1.TenantSpec{DisplayName: "District delta", Hosts: []string{"delta.localhost"}, TimeZone: "America/Chicago",
			Database: platformv1.TenantDatabase{External: &platformv1.ExternalDatabase{Host: pg.Host, Port: int32(pg.Port),
				AdminSecret: adminSecret, AdminSecretNamespace: lmsNamespace, SSLMode: "disable"}}}}
	if err := env.Client.Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
	f := newFleet(t, "expandfail", lmsV1, func(s *platformv1.DeploymentSpec) {
		s.TenantSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "fleet", Operator: metav1.LabelSelectorOpIn, Values: []string{"test", "expandfail"}}}}
	})
	f.serving(lmsV1)
	var entry corev1.Secret
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: lmsNamespace, Name: directory.SecretName("delta")}, &entry); err != nil {
		t.Fatal(err)
	}
	e, err := directory.Unmarshal(entry.Data[directory.EntryKey])
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, pg.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	allow := func(on bool) {
		if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s ALLOW_CONNECTIONS %t", pgx.Identifier{e.Database.Name}.Sanitize(), on)); err != nil {
			t.Fatal(err)
		}
	}
	allow(false)
	t.Cleanup(func() { allow(true); admin.Close(ctx) })

	f.rollTo(lmsV2)
	d := f.waitFor("the failed rollout", 2*time.Minute, func(d *platformv1.Deployment) bool { return step(d) == platformv1.StepFailed })
	want := "expand migration failed for tenant delta: lms migrate: tenant delta: "
	if d.Status.Phase != platformv1.DeploymentDegraded || !strings.Contains(d.Status.Message, want) ||
		!strings.Contains(d.Status.Message, "is not currently accepting connections") {
		t.Errorf("phase %s message %q", d.Status.Phase, d.Status.Message)
	}
	failed := false
	for _, m := range d.Status.Rollout.Migrations {
		failed = failed || (m.Tenant == "delta" && m.Phase == platformv1.MigrationExpand && m.State == platformv1.MigrationFailed &&
			strings.Contains(m.Message, "is not currently accepting connections"))
	}
	if !failed {
		t.Errorf("no failed expand migration of delta in status: %+v", d.Status.Rollout.Migrations)
	}
	if d.Status.Active.Image != lmsV1 {
		t.Errorf("active %+v", d.Status.Active)
	}
	if a, err := f.answer(f.active); err != nil || a.image != lmsV1 {
		t.Errorf("active Service answers %+v, %v", a, err)
	}
}

// A smoke Job that fails fails the rollout and scales the preview down: a
// real lms smoke signs in on the preview with the probe account's e-mail
// and a wrong password.
func TestFailedSmokeJob(t *testing.T) {
	f := newFleet(t, "smokefail", lmsV1, func(s *platformv1.DeploymentSpec) {
		s.Analysis.PrePromotion = []platformv1.AnalysisCheck{{Name: "smoke", Job: &platformv1.JobCheck{ProbeAccountSecret: "wrong-probe"}}}
	})
	f.serving(lmsV1)
	probeAccount(t, f)
	wrong := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "wrong-probe", Namespace: lmsNamespace},
		StringData: map[string]string{"host": "alpha.localhost", "email": "admin@alpha.org", "password": "not " + probePassword}}
	if err := env.Client.Create(context.Background(), wrong); err != nil {
		t.Fatal(err)
	}
	f.rollTo(lmsV2)
	d := f.waitFor("the failed rollout", 2*time.Minute, func(d *platformv1.Deployment) bool { return step(d) == platformv1.StepFailed })
	if !strings.Contains(d.Status.Message, "check smoke failed: Job failed: lms smoke: ") ||
		!strings.Contains(d.Status.Message, "the LMS refused the account (wrong password, locked, or passwords off)") {
		t.Errorf("message %q", d.Status.Message)
	}
	if d.Status.Active.Image != lmsV1 || d.Status.Preview != nil {
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
	return n
}
