//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"
)

// Journey 1: a platform engineer applies a Tenant and a School with the
// real kubectl; the Tenant becomes Ready and kubectl shows both healthy.
func TestPlatformEngineerProvisionsADistrict(t *testing.T) {
	keepLogsOnFailure(t)
	d := newTenant(t, "engineer")
	kubectl(t, "", "wait", "--for=jsonpath={.status.synced}=true", "-n", "tenant-"+d.Name, "school/middle", "--timeout=120s")
	out := kubectl(t, "", "get", "tenants,schools", "-A")
	// Each kind prints its own table; find our rows in them.
	var tenantRow, schoolRow string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case slices.Contains(f, "tenant.platform.bellwork.dev/"+d.Name):
			tenantRow = line
		case slices.Contains(f, "tenant-"+d.Name) && slices.Contains(f, "school.platform.bellwork.dev/middle"):
			schoolRow = line
		}
	}
	for row, wants := range map[*string][]string{
		&tenantRow: {"Ready", "bw_" + strings.ReplaceAll(d.Name, "-", "_")},
		&schoolRow: {"SCH-1", "America/Chicago", "true", "True"},
	} {
		for _, want := range wants {
			if !strings.Contains(*row, want) {
				t.Fatalf("kubectl get tenants,schools -A: a row lacks %q:\n%s", want, out)
			}
		}
	}
	if phase := kubectl(t, "", "get", "tenant", d.Name, "-o", "jsonpath={.status.phase}"); phase != "Ready" {
		t.Fatalf("phase %q", phase)
	}
	// A second School with the same code is refused at apply, saying why.
	out = kubectlRefused(t, fmt.Sprintf(`apiVersion: platform.bellwork.dev/v1
kind: School
metadata: {name: copy, namespace: tenant-%s}
spec: {tenant: %s, code: SCH-1, displayName: Copy School, timeZone: America/Chicago}
`, d.Name, d.Name), "apply", "-f", "-")
	if !strings.Contains(out, "code SCH-1 is already used by School middle") {
		t.Fatalf("duplicate School: kubectl said\n%s", out)
	}
	t.Logf("kubectl get tenants,schools -A:\n%s", out)
}

// adminImports signs the district admin in through the operator's link and
// imports the small OneRoster bundle through the browser.
func adminImports(t *testing.T, tb *tab, d *district) {
	t.Helper()
	adminImportsFiles(t, tb, d, fixtureFiles(t))
}

// adminImportsFiles is adminImports with the files of another bundle.
func adminImportsFiles(t *testing.T, tb *tab, d *district, files []string) {
	t.Helper()
	tb.setPassword(d.adminLink(t), "district admin password")
	tb.expect("District overview", "Getting started")
	tb.shot("admin-home")
	tb.open(d.Base + "/admin/imports")
	tb.do(chromedp.SetUploadFiles(chromedp.CSS("#files"), files))
	tb.clickAndWait(`form[enctype] button[type="submit"]`)
	tb.expect("What this import will do", "Apply this import")
	tb.shot("import-preview")
	tb.clickAndWait(`form[action$="/apply"] button`)
	tb.waitText("Applied", 60*time.Second)
	tb.shot("import-applied")
}

// Journey 2: the admin opens the sign-in link from the Secret, sets a
// password, imports a OneRoster bundle and sees its people and sections.
func TestAdminImportsARoster(t *testing.T) {
	keepLogsOnFailure(t)
	d := newTenant(t, "importer")
	tb := newTab(t)
	adminImports(t, tb, d)
	for role, names := range map[string][]string{"teacher": {"Ana Rivera", "Ben Okafor"}, "student": {"Leo Cruz", "Mai Nguyen"}, "guardian": {"Rosa Cruz"}} {
		tb.open(d.Base + "/admin/users?role=" + role)
		tb.expect(names...)
		tb.shot("users-" + role)
	}
	tb.open(d.Base + "/report")
	tb.expect("Life Science - P2", "Math 7 - P3")
	tb.shot("report")
}

// signInByReset has the admin e-mail a reset link to a user, then signs
// that user in through it in a clean browser.
func signInByReset(t *testing.T, tb *tab, d *district, email, password string) {
	t.Helper()
	tb.open(d.Base + "/admin/users?q=" + email)
	tb.clickAndWait("table a")
	tb.clickAndWait(`form[action$="/reset"] button`)
	tb.expect("reset link was e-mailed")
	link := d.mailedResetLink(t, email)
	tb.clearCookies()
	tb.setPassword(link, password)
}

// Journey 3: a teacher sees their sections, a student their courses, a
// guardian only their linked child.
func TestEachRoleSeesTheirOwnHome(t *testing.T) {
	keepLogsOnFailure(t)
	d := newTenant(t, "roles")
	tb := newTab(t)
	adminImports(t, tb, d)
	check := func(email, shot string, want, hidden []string) {
		t.Helper()
		tb.clearCookies()
		tb.open(d.Base + "/signin")
		tb.submit(map[string]string{"#email": d.AdminEmail, "#password": "district admin password"}, `button[type="submit"].primary`)
		signInByReset(t, tb, d, email, "a password for "+email)
		tb.expect(want...)
		txt := tb.text()
		for _, h := range hidden {
			if strings.Contains(txt, h) {
				t.Fatalf("%s sees %q", email, h)
			}
		}
		tb.shot(shot)
	}
	check("ana.rivera@e2e.example", "teacher-home", []string{"My sections", "Life Science - P2"}, []string{"Math 7 - P3"})
	check("leo.cruz@e2e.example", "student-home", []string{"My classes", "Life Science - P2", "Ana Rivera"}, []string{"Math 7 - P3"})
	check("rosa.cruz@e2e.example", "guardian-home", []string{"what your children have due", "Leo Cruz", "Life Science - P2"}, []string{"Mai Nguyen", "Math 7"})
	// A student cannot open a teacher's page.
	tb.clearCookies()
	tb.open(d.Base + "/signin")
	tb.submit(map[string]string{"#email": "leo.cruz@e2e.example", "#password": "a password for leo.cruz@e2e.example"}, `button[type="submit"].primary`)
	tb.open(d.Base + "/teach")
	tb.expect("Not for your role")
	tb.shot("student-on-teacher-page")
}

// Journey 4: a user of district A reaches nothing of district B, and B's
// admin nothing of A, by changing the host, ids or cookies; pages and API
// alike answer "not found" or send the stranger to sign in.
func TestDistrictsAreIsolated(t *testing.T) {
	keepLogsOnFailure(t)
	a := newTenant(t, "isoa")
	b := newTenant(t, "isob")

	// A's admin imports a roster in the browser: A has sections and an import.
	tb := newTab(t)
	adminImports(t, tb, a)
	importID := importIDLink.FindStringSubmatch(tb.location())
	aSections := tb.apiIDs("/api/v1/sections")
	aUsers := tb.apiIDs("/api/v1/users")
	if importID == nil || len(aSections) == 0 || len(aUsers) == 0 {
		t.Fatalf("district A has no import, sections or users to aim at (%s, %v, %v)", tb.location(), aSections, aUsers)
	}

	// B's admin, signed in over plain HTTP, has B's ids and session.
	bAdmin := newWeb(t, b)
	bAdmin.acceptInvitation(b.adminLink(t), "district b password")
	bUsers, bSchools := bAdmin.apiIDs("/api/v1/users"), bAdmin.apiIDs("/api/v1/schools")
	if len(bUsers) == 0 || len(bSchools) == 0 {
		t.Fatal("district B lists no users or schools")
	}

	// B's ids on A's host: not found, in pages and in the API.
	for _, path := range []string{"/admin/users/" + bUsers[0], "/admin/schools/" + bSchools[0]} {
		tb.open(a.Base + path)
		tb.expect("Page not found")
	}
	tb.shot("b-ids-from-a")
	for _, path := range []string{"/api/v1/users/" + bUsers[0]} {
		if status := tb.fetchStatus(path); status != http.StatusNotFound {
			t.Errorf("A's admin GET %s (B's id) = %d, want 404", path, status)
		}
	}
	// A's ids on B's host, asked by B's admin: not found.
	for _, path := range []string{"/api/v1/users/" + aUsers[0], "/api/v1/sections/" + aSections[0] + "/roster",
		"/api/v1/imports/" + importID[1], "/admin/users/" + aUsers[0], "/admin/imports/" + importID[1]} {
		if code, _ := bAdmin.do("GET", path, nil); code != http.StatusNotFound {
			t.Errorf("B's admin GET %s (A's id) = %d, want 404", path, code)
		}
	}

	// A's session cookie, replayed on B's host, is nobody there.
	var aSession string
	for _, c := range tb.cookies() {
		if c.Name == "bw_session" {
			aSession = c.Value
		}
	}
	if aSession == "" {
		t.Fatal("no session cookie in A's browser")
	}
	if err := tb.b.SetCookie(b.Host, "bw_session", aSession); err != nil {
		t.Fatal(err)
	}
	tb.open(b.Base + "/admin/users")
	if !strings.Contains(tb.location(), "/signin") {
		t.Fatalf("A's cookie opened B's admin pages: %s", tb.location())
	}
	tb.shot("a-cookie-on-b")
	if status := tb.fetchStatus("/api/v1/me"); status != http.StatusUnauthorized {
		t.Errorf("B's API with A's cookie = %d, want 401", status)
	}
	// B's session cookie, sent to A's host: sent to sign in, 401 from the API.
	stranger := newWeb(t, a)
	if bAdmin.session() == "" {
		t.Fatal("B's admin has no session")
	}
	stranger.cookies["bw_session"] = bAdmin.session()
	if code, _ := stranger.do("GET", "/admin/users", nil); code != http.StatusSeeOther {
		t.Errorf("A's admin page with B's cookie = %d, want a redirect to sign in", code)
	}
	if code, _ := stranger.do("GET", "/api/v1/users", nil); code != http.StatusUnauthorized {
		t.Errorf("A's API with B's cookie = %d, want 401", code)
	}
}

var importIDLink = regexp.MustCompile(`/admin/imports/([0-9a-f-]{36})`)

// Journey 5: deleting the School archives it in the LMS; deleting the
// Tenant (Retain) takes it out of the directory, the LMS stops serving it
// with a clear page, and its database is kept.
func TestDeletingSchoolAndTenant(t *testing.T) {
	keepLogsOnFailure(t)
	d := newTenant(t, "leaving")
	admin := newWeb(t, d)
	admin.acceptInvitation(d.adminLink(t), "leaving admin password")
	kubectl(t, "", "delete", "school", "middle", "-n", "tenant-"+d.Name, "--timeout=120s")
	waitFor(t, "school archived in the LMS", func() bool {
		_, page := admin.do("GET", "/admin/schools", nil)
		return strings.Contains(page, "E2E Middle School") && strings.Contains(page, "Archived")
	})
	tb := newTab(t)
	tb.open(d.Base + "/signin")
	tb.submit(map[string]string{"#email": d.AdminEmail, "#password": "leaving admin password"}, `button[type="submit"].primary`)
	tb.open(d.Base + "/admin/schools")
	tb.expect("Archived")
	tb.shot("school-archived")

	kubectl(t, "", "delete", "tenant", d.Name, "--timeout=120s")
	waitFor(t, "district no longer served", func() bool {
		code, page := admin.do("GET", "/signin", nil)
		return code == http.StatusNotFound && strings.Contains(page, "No district here")
	})
	tb.open(d.Base + "/signin")
	tb.expect("No district here")
	tb.shot("district-gone")
	conn, err := pgx.Connect(context.Background(), plat.Postgres.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var kept bool
	db := "bw_" + strings.ReplaceAll(d.Name, "-", "_")
	if err := conn.QueryRow(context.Background(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", db).Scan(&kept); err != nil || !kept {
		t.Fatalf("database %s not kept after a Retain deletion: %v", db, err)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
