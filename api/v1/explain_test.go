package v1_test

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// kubectl explain, run by the real kubectl against the API server, shows a
// platform engineer the doc comments of each kind's fields.
func TestKubectlExplainDescribesTheFields(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Fatal("kubectl is not installed (make deps installs it)")
	}
	for resource, phrases := range map[string][]string{
		"tenant.spec":                         {"Admins are the e-mail addresses", "ReclaimPolicy says what happens to the database"},
		"tenant.spec.database":                {"CloudNativePG places the database", "ConnectionLimit caps the connections"},
		"school.spec.calendar":                {"holidays", "terms"},
		"featureflag.spec":                    {"defaultVariant", "variants"},
		"lmsdeploy.spec":                      {"DeployWindows are when a rollout may start", "RollbackTo runs the image of this revision"},
		"lmsdeploy.status.rollout":            {"Migrations are the migration Jobs' results"},
		"alertrule.status":                    {"state"},
		"alertrule.spec.check":                {"ReplicationLag is active when a Postgres server's standbys fall behind"},
		"alertrule.spec.check.replicationLag": {"MinStandbys is how many standbys must be connected"},
		"backuppolicy.spec":                   {"Schedule of the logical backups"},
		"tenant.status.onboarding":            {"progress from provisioning to first grade", "RosterImported"},
		"tenant.status":                       {"ProvisionedTime is when the tenant first became Ready", "AppliedGeneration is the spec generation", "AnnouncedNotReady is the NotReady Event"},
	} {
		out, err := explain(t, resource)
		if err != nil {
			t.Errorf("kubectl explain %s: %v\n%s", resource, err, out)
			continue
		}
		// kubectl wraps descriptions; compare with the wrapping undone.
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, p := range phrases {
			if !strings.Contains(text, p) {
				t.Errorf("kubectl explain %s lacks %q:\n%s", resource, p, out)
			}
		}
	}
}

// explain runs kubectl explain, waiting while the API server has not yet
// published the OpenAPI of CRDs installed moments ago.
func explain(t *testing.T, resource string) ([]byte, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := exec.CommandContext(t.Context(), "kubectl", "--kubeconfig", env.KubeconfigPath, "explain", resource).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "couldn't find resource") || time.Now().After(deadline) {
			return out, err
		}
		time.Sleep(500 * time.Millisecond)
	}
}
