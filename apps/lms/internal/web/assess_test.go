package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

var navLinks = regexp.MustCompile(`<nav[^>]*aria-label="Main"[^>]*>(?s:(.*?))</nav>`)

// Each role's navigation lists the areas it may open, in the order
// Plan, Teach, Learn, Alerts, Assess, Report, Admin.
func TestNavigationFollowsTheRole(t *testing.T) {
	d := newDistrict(t, "nav")
	want := map[db.Role][]string{
		db.DistrictAdmin: {"Home", "Report", "Admin"},
		db.SchoolAdmin:   {"Home", "Report", "Admin"},
		db.Teacher:       {"Home", "Plan", "Teach", "Assess", "Report"},
		db.Student:       {"Home", "Learn"},
		db.Guardian:      {"Home", "Learn", "Alerts"},
	}
	for role, labels := range want {
		c, _ := d.session(role)
		_, body := c.get("/")
		m := navLinks.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no main navigation", role)
		}
		var got []string
		for _, a := range regexp.MustCompile(`<a [^>]*>([^<]+)</a>`).FindAllStringSubmatch(m[1], -1) {
			got = append(got, strings.TrimSpace(a[1]))
		}
		if strings.Join(got, ",") != strings.Join(labels, ",") {
			t.Errorf("%s navigation = %v, want %v", role, got, labels)
		}
	}
}

// A teacher's Assess area lists the gradebooks of their sections; a
// gradebook has a row per student and none for teachers. Another
// teacher's section is not found.
func TestTeacherGradebooks(t *testing.T) {
	d := newDistrict(t, "assess")
	c, _ := d.session(db.Teacher)
	res, body := c.get("/assess")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Algebra I - P1") || !strings.Contains(body, "1 student in the gradebook") {
		t.Fatalf("/assess: %d\n%s", res.StatusCode, snippet(body))
	}
	res, body = c.get("/assess/sections/" + d.section)
	student, teacher := d.users[db.Student].DisplayName, d.users[db.Teacher].DisplayName
	// Each row's header links to the student's course grade page.
	if res.StatusCode != http.StatusOK || !strings.Contains(body, ">"+student+"</a></th>") || strings.Contains(body, ">"+teacher+"</a></th>") {
		t.Fatalf("gradebook: %d; want a row for %q and none for %q\n%s", res.StatusCode, student, teacher, snippet(body))
	}
	if !strings.Contains(body, `<th scope="col">Current</th>`) || !strings.Contains(body, "gradebook.csv") {
		t.Fatalf("the gradebook should show the course grade columns and the export\n%s", snippet(body))
	}
	res, body = c.get("/assess/sections/" + d.emptySection())
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "No students yet") {
		t.Fatalf("an empty gradebook: %d\n%s", res.StatusCode, snippet(body))
	}
	other := d.otherTeacher()
	res, _ = other.get("/assess/sections/" + d.section)
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("another teacher's gradebook: %d, want 404", res.StatusCode)
	}
	res, body = other.get("/assess")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "No gradebooks yet") {
		t.Fatalf("a teacher without sections: %d\n%s", res.StatusCode, snippet(body))
	}
}

// The student home lists the student's classes and says that each opens
// on its work and grades; a student in no class gets an empty state that
// says what to do.
func TestStudentHomeSaysWhatItDoes(t *testing.T) {
	d := newDistrict(t, "learner")
	c, _ := d.session(db.Student)
	res, body := c.get("/")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Algebra I - P1") || !strings.Contains(body, "Open a class for its announcements, your assignments and your grades") {
		t.Fatalf("student home: %d\n%s", res.StatusCode, snippet(body))
	}
	if strings.Contains(body, "show up") {
		t.Fatalf("student home promises assignments\n%s", snippet(body))
	}
	res, body = d.newcomer(db.Student).get("/")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "No classes yet") || !strings.Contains(body, "tell your teacher or the school office") {
		t.Fatalf("student home without classes: %d\n%s", res.StatusCode, snippet(body))
	}
}
