//go:build e2e

package e2e

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// uploadRoster uploads files on the imports page and waits for the
// import's page.
func uploadRoster(tb *tab, d *district, files []string) {
	tb.t.Helper()
	tb.open(d.Base + "/admin/imports")
	tb.do(chromedp.SetUploadFiles(chromedp.CSS("#files"), files))
	tb.clickAndWait(`form[enctype] button[type="submit"]`)
}

// Journey (issue 15): the admin uploads an export that left courses.csv
// out although its manifest lists it. The preview warns once, naming the
// courses made from their classes, and the import keeps every class and
// enrollment; then a OneRoster 1.2 delta adds one enrollment, and the
// report shows it.
func TestAdminImportsWithoutCoursesThenADelta(t *testing.T) {
	keepLogsOnFailure(t)
	d := newTenant(t, "nocourses")
	tb := newTab(t)
	tb.setPassword(d.adminLink(t), "district admin password")
	tb.expect("District overview")

	full := fixtureFiles(t)
	withoutCourses := slices.DeleteFunc(slices.Clone(full), func(f string) bool { return filepath.Base(f) == "courses.csv" })
	uploadRoster(tb, d, withoutCourses)
	tb.expect("What this import will do", "courses.csv is missing, although manifest.csv lists it as bulk", `"SCI-7"`, `"MATH-7"`, "Apply this import")
	tb.shot("import-no-courses")
	tb.clickAndWait(`form[action$="/apply"] button`)
	tb.waitText("Applied", 60*time.Second)
	tb.open(d.Base + "/report")
	tb.expect("Life Science - P2", "Math 7 - P3")
	before := reportRow(tb, "Math 7 - P3")
	if !strings.HasSuffix(before, "1") {
		t.Fatalf("Math 7 - P3 before the delta: %q, want 1 student", before)
	}
	tb.shot("report-before-delta")

	uploadRoster(tb, d, rosterFiles(t, "oneroster-small-delta12"))
	tb.expect("What this import will do", "This is a delta", "Apply this import")
	tb.shot("delta-preview")
	tb.clickAndWait(`form[action$="/apply"] button`)
	tb.waitText("Applied", 60*time.Second)
	tb.open(d.Base + "/report")
	if after := reportRow(tb, "Math 7 - P3"); !strings.HasSuffix(after, "2") {
		t.Fatalf("Math 7 - P3 after the delta: %q, want 2 students", after)
	}
	tb.shot("report-after-delta")
}

// reportRow is the text of the report table's row for a section.
func reportRow(tb *tab, section string) string {
	tb.t.Helper()
	for _, line := range strings.Split(tb.text(), "\n") {
		if strings.Contains(line, section) {
			return strings.TrimSpace(line)
		}
	}
	tb.t.Fatalf("no row for %s in the report:\n%s", section, tb.text())
	return ""
}
