//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Journey: a platform engineer turns the roster download on for one
// school of a district with kubectl (a FeatureFlag in the tenant's
// namespace, overriding the platform's). The school's teacher sees
// "Download roster (CSV)" appear on their section page, without any
// restart, and can download it; the other school's teacher sees nothing
// and their download answers 404; the district admin's flags page shows
// which school has it.
func TestFeatureTurnsOnForOneSchoolOnly(t *testing.T) {
	keepLogsOnFailure(t)
	d := newTenant(t, "flags")
	ns := "tenant-" + d.Name
	kubectl(t, fmt.Sprintf(`apiVersion: platform.bellwork.dev/v1
kind: School
metadata: {name: east, namespace: %s}
spec: {tenant: %s, code: SCH-2, displayName: E2E East School, timeZone: America/Chicago}
`, ns, d.Name), "apply", "-f", "-")
	kubectl(t, "", "wait", "--for=condition=Ready", "-n", ns, "school/east", "--timeout=120s")
	tb := newTab(t)
	adminImportsFiles(t, tb, d, rosterFiles(t, "oneroster-two-schools"))

	const link = "Download roster (CSV)"
	teachers := map[string]string{"ana.rivera@e2e.example": "Life Science - P2", "carla.diaz@e2e.example": "Art 7 - P4"}
	sections := map[string]string{}
	signIn := func(email, password string) {
		t.Helper()
		tb.clearCookies()
		tb.open(d.Base + "/signin")
		tb.submit(map[string]string{"#email": email, "#password": password}, `button[type="submit"].primary`)
	}
	for email, title := range teachers {
		signIn(d.AdminEmail, "district admin password")
		signInByReset(t, tb, d, email, "a password for "+email)
		ids := tb.apiIDs("/api/v1/sections")
		if len(ids) != 1 {
			t.Fatalf("%s teaches %d sections, want 1", email, len(ids))
		}
		sections[email] = d.Base + "/teach/sections/" + ids[0]
		tb.open(sections[email])
		tb.expect(title)
		if strings.Contains(tb.text(), link) {
			t.Fatalf("%s sees the roster download before any flag", email)
		}
	}

	kubectl(t, fmt.Sprintf(`apiVersion: platform.bellwork.dev/v1
kind: FeatureFlag
metadata: {name: roster-export, namespace: %s}
spec:
  description: Roster download, piloted at the middle school.
  variants: [{name: "on", value: true}, {name: "off", value: false}]
  defaultVariant: "off"
  overrides:
    schools: {SCH-1: "on"}
`, ns), "apply", "-f", "-")
	kubectl(t, "", "wait", "--for=condition=Ready", "-n", ns, "featureflag/roster-export", "--timeout=120s")

	// SCH-1's teacher: the link appears once the LMS has the new entry.
	signIn("ana.rivera@e2e.example", "a password for ana.rivera@e2e.example")
	waitFor(t, "the roster download at SCH-1", func() bool {
		tb.open(sections["ana.rivera@e2e.example"])
		txt, err := tb.readText()
		return err == nil && strings.Contains(txt, link)
	})
	tb.shot("flag-on-school-1")
	if st := tb.fetchStatus(strings.TrimPrefix(sections["ana.rivera@e2e.example"], d.Base) + "/roster.csv"); st != http.StatusOK {
		t.Fatalf("SCH-1 teacher's roster.csv: %d, want 200", st)
	}

	// SCH-2's teacher: nothing, and the download does not exist for them.
	signIn("carla.diaz@e2e.example", "a password for carla.diaz@e2e.example")
	tb.open(sections["carla.diaz@e2e.example"])
	tb.expect("Art 7 - P4", "Jin Park")
	if strings.Contains(tb.text(), link) {
		t.Fatal("SCH-2's teacher sees the roster download")
	}
	tb.shot("flag-off-school-2")
	if st := tb.fetchStatus(strings.TrimPrefix(sections["carla.diaz@e2e.example"], d.Base) + "/roster.csv"); st != http.StatusNotFound {
		t.Fatalf("SCH-2 teacher's roster.csv: %d, want 404", st)
	}

	// The district admin sees which school has it.
	signIn(d.AdminEmail, "district admin password")
	tb.open(d.Base + "/admin/flags")
	tb.expect("roster-export", "Whole district", "E2E Middle School", "Everyone at SCH-1 gets on")
	if strings.Contains(tb.text(), "E2E East School") {
		t.Fatal("the flags page lists SCH-2, which gets what the district gets")
	}
	tb.shot("admin-flags")
}
