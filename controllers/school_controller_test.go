package controllers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/pkg/directory"
)

func getSchool(t testing.TB, ns, name string) *platformv1.School {
	t.Helper()
	s := &platformv1.School{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
		t.Fatal(err)
	}
	return s
}

// waitSchoolCondition waits for a School condition's status and reason.
func waitSchoolCondition(t testing.TB, ns, name, typ string, status metav1.ConditionStatus, reason string) *metav1.Condition {
	t.Helper()
	var c *metav1.Condition
	eventually(t, 30*time.Second, func() (bool, string) {
		s := getSchool(t, ns, name)
		c = meta.FindStatusCondition(s.Status.Conditions, typ)
		return c != nil && c.Status == status && c.Reason == reason, fmt.Sprintf("school %s: %s", name, conditions(s.Status.Conditions))
	})
	return c
}

// statusTable creates operator_status as the LMS's migrations do (owner)
// and returns a function that writes a row as the LMS would.
func statusTable(t testing.TB, db string, owner map[string]string) func(key string, value any) {
	conn := connectAs(t, db, owner)
	mustExec(t, conn, `CREATE TABLE IF NOT EXISTS operator_status (key text PRIMARY KEY, value jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`)
	return func(key string, value any) {
		data, err := json.Marshal(value)
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, conn, `INSERT INTO operator_status (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`, key, data)
	}
}

// Schools are checked, published in their tenant's entry, marked Synced
// when the LMS reports their version, and held on deletion until the LMS
// has archived them. The onboarding checklist follows the LMS's reports
// and the tenant's BackupPolicies and AlertRules.
func TestSchoolsArePublishedSyncedAndArchived(t *testing.T) {
	ctx := context.Background()
	startManager(t, nil)
	tn := externalTenant("sch")
	tn.Spec.Admins = []string{"admin@sch.example"}
	create(t, tn)
	waitTenant(t, "sch", metav1.ConditionTrue, 60*time.Second)

	create(t, school("sch", "first", "S-1"))
	time.Sleep(1100 * time.Millisecond) // creation timestamps have one-second resolution
	create(t, school("sch", "copycat", "S-1"),
		school("sch", "martian", "S-3", func(s *platformv1.School) { s.Spec.TimeZone = "Mars/Olympus_Mons" }))
	ensureNamespace(t, "tenant-elsewhere")
	create(t, school("elsewhere", "lost", "S-4", func(s *platformv1.School) { s.Namespace = "tenant-sch" }))

	c := waitSchoolCondition(t, "tenant-sch", "copycat", platformv1.ConditionReady, metav1.ConditionFalse, platformv1.ReasonDuplicateCode)
	if !strings.Contains(c.Message, "School first") {
		t.Errorf("duplicate message does not name the school holding the code: %q", c.Message)
	}
	c = waitSchoolCondition(t, "tenant-sch", "lost", platformv1.ConditionReady, metav1.ConditionFalse, platformv1.ReasonWrongNamespace)
	if !strings.Contains(c.Message, "tenant-elsewhere") {
		t.Errorf("wrong-namespace message does not name the right namespace: %q", c.Message)
	}
	waitSchoolCondition(t, "tenant-sch", "martian", platformv1.ConditionReady, metav1.ConditionFalse, platformv1.ReasonUnknownTimeZone)
	// kubectl apply accepted them, so each refusal is also a Warning Event.
	waitObjectEvent(t, "School", "copycat", "Warning", platformv1.ReasonDuplicateCode, "School first")
	waitObjectEvent(t, "School", "lost", "Warning", platformv1.ReasonWrongNamespace, "tenant-elsewhere")
	waitObjectEvent(t, "School", "martian", "Warning", platformv1.ReasonUnknownTimeZone, "Mars/Olympus_Mons")
	waitSchoolCondition(t, "tenant-sch", "first", platformv1.SchoolPublished, metav1.ConditionTrue, platformv1.ReasonPublished)
	waitSchoolCondition(t, "tenant-sch", "first", platformv1.ConditionReady, metav1.ConditionFalse, platformv1.ReasonAwaitingLMS)
	if e := entryOf(t, "sch"); len(e.Schools) != 1 || e.Schools[0].Code != "S-1" || e.Schools[0].Name != "School first" {
		t.Fatalf("entry schools = %+v", e.Schools)
	}

	// The LMS stores the school and reports it, and a milestone.
	report := statusTable(t, "bw_sch", secretData(t, "tenant-sch", "db-owner"))
	first := getSchool(t, "tenant-sch", "first")
	synced := time.Now().UTC().Truncate(time.Second)
	report(directory.SchoolKey("S-1"), directory.SchoolStatus{Hash: builders.SchoolHash(first), SyncedAt: synced, ActiveStudents: 42})
	report(directory.MilestoneKey(directory.MilestoneAdminInvited), directory.MilestoneStatus{ReachedAt: synced})
	waitSchoolCondition(t, "tenant-sch", "first", platformv1.ConditionReady, metav1.ConditionTrue, platformv1.ReasonReconciled)
	first = getSchool(t, "tenant-sch", "first")
	if !first.Status.Synced || first.Status.SyncedTime == nil || !first.Status.SyncedTime.Time.Equal(synced) || first.Status.ActiveStudents != 42 {
		t.Errorf("school status = %+v", first.Status)
	}

	// Backups and alerts configured complete two more milestones.
	for _, f := range []string{"30_backuppolicy.yaml", "40_alertrule_backup_age.yaml"} {
		createSample(t, f, "tenant-sch")
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		st := getTenant(t, "sch").Status
		done := map[string]bool{}
		for _, s := range st.Onboarding {
			done[s.Name] = s.Done
		}
		ok := st.OnboardingProgress == "4/10" && done[platformv1.OnboardingAdminInvited] && done[platformv1.OnboardingSchoolsSynced] &&
			done[platformv1.OnboardingBackupsConfigured] && done[platformv1.OnboardingAlertsConfigured]
		return ok, fmt.Sprintf("onboarding %s: %+v", st.OnboardingProgress, st.Onboarding)
	})

	// Deleting the school removes it from the entry; the finalizer holds
	// until the LMS reports it archived. The copycat then takes the code.
	if err := env.Client.Delete(ctx, first); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, func() (bool, string) {
		e := entryOf(t, "sch")
		for _, s := range e.Schools {
			if s.Code == "S-1" && s.Name == "School first" {
				return false, "deleted school still in the entry"
			}
		}
		return true, ""
	})
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(first), &platformv1.School{}); err != nil {
		t.Fatalf("school released before the LMS archived it: %v", err)
	}
	report(directory.SchoolKey("S-1"), directory.SchoolStatus{Hash: builders.SchoolHash(first), SyncedAt: synced, Archived: true})
	eventually(t, 20*time.Second, func() (bool, string) {
		err := env.Client.Get(ctx, client.ObjectKeyFromObject(first), &platformv1.School{})
		return err != nil, "school still held"
	})
	waitSchoolCondition(t, "tenant-sch", "copycat", platformv1.SchoolPublished, metav1.ConditionTrue, platformv1.ReasonPublished)
}

// createSample creates one of config/samples in another namespace.
func createSample(t testing.TB, file, ns string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(env.Root, "config", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &u.Object); err != nil {
		t.Fatal(err)
	}
	u.SetNamespace(ns)
	if err := env.Client.Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}
