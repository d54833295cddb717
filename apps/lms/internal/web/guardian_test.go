package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// newAssignment creates and publishes a points assignment due at due.
func newAssignment(t *testing.T, teacher *client, csrf, section, title string, due time.Time) string {
	t.Helper()
	res, body := teacher.post("/teach/sections/"+section+"/assignments", url.Values{"_csrf": {csrf}, "title": {title},
		"grading_type": {"points"}, "points_possible": {"10"}, "section_ids": {section}, "submission_types": {"text"},
		"due": {due.In(mustZone(t, "America/Chicago")).Format("2006-01-02T15:04")}})
	mustStatus(t, "create "+title, res, body, http.StatusSeeOther)
	id := locationID(t, res)
	res, body = teacher.post("/teach/assignments/"+id+"/publish", url.Values{"_csrf": {csrf}, "published": {"true"}})
	mustStatus(t, "publish "+title, res, body, http.StatusSeeOther)
	return id
}

// The guardian home across linked children: due this week, missing,
// recent posted grades, course grades and comments, where an unposted
// grade (its score, its comment, its effect on the course grade) never
// shows, on the home page or on the child's assignment page.
func TestGuardianHomeShowsOnlyPostedGrades(t *testing.T) {
	d := newDistrict(t, "guardianhome")
	teacher, tcsrf := d.session(db.Teacher)
	guardian, _ := d.session(db.Guardian)
	child := d.users[db.Student].ID

	res, body := guardian.get("/")
	mustStatus(t, "guardian home, no work yet", res, body, 200)
	mustContain(t, "guardian home, no work yet", body, "Student Test", "Nothing due in the next seven days.", "No missing work.",
		"No posted grades yet", "No grades posted in the last two weeks.", "No comments from teachers yet.")

	newAssignment(t, teacher, tcsrf, d.section, "Reading log", time.Now().Add(48*time.Hour))
	late := newAssignment(t, teacher, tcsrf, d.section, "Lab report", time.Now().Add(-48*time.Hour))
	newAssignment(t, teacher, tcsrf, d.section, "Term project", time.Now().Add(30*24*time.Hour))
	res, body = teacher.post("/teach/assignments/"+late+"/grade/"+child, url.Values{"_csrf": {tcsrf}, "score": {"7"},
		"comment": {"Secret draft remark"}, "reason": {"first pass"}})
	mustStatus(t, "grade the lab report", res, body, http.StatusSeeOther)

	res, body = guardian.get("/")
	mustStatus(t, "guardian home", res, body, 200)
	due := between(body, "Due this week", "Missing")
	mustContain(t, "due this week", due, "Reading log")
	if strings.Contains(due, "Term project") || strings.Contains(due, "Lab report") {
		t.Errorf("due this week lists work due later or already missing:\n%s", due)
	}
	mustContain(t, "missing", between(body, ">Missing<", "Course grades"), "Lab report")
	for _, hidden := range []string{"Secret draft remark", "7 / 10", "70.00%"} {
		if strings.Contains(body, hidden) {
			t.Errorf("the guardian home shows %q from an unposted grade", hidden)
		}
	}
	res, body = guardian.get("/guardian/children/" + child + "/assignments/" + late)
	mustStatus(t, "child's assignment before posting", res, body, 200)
	mustContain(t, "child's assignment before posting", body, "No grade posted yet", "Nothing handed in yet")
	if strings.Contains(body, "Secret draft remark") || strings.Contains(body, "<form") && strings.Contains(body, "submissions") {
		t.Error("the guardian's assignment page shows an unposted grade or a submit form")
	}

	res, body = teacher.post("/teach/assignments/"+late+"/post", url.Values{"_csrf": {tcsrf}})
	mustStatus(t, "post grades", res, body, http.StatusSeeOther)
	_, body = guardian.get("/")
	mustContain(t, "guardian home after posting", body, "70.00%", "Lab report</a>: <strong>7 / 10</strong>", "Secret draft remark")
	_, body = guardian.get("/guardian/children/" + child + "/assignments/" + late)
	mustContain(t, "child's assignment after posting", body, "7 / 10", "Teacher's comment:", "Secret draft remark")
}

// A guardian reads only their own linked children: another student's
// assignment page is not found, as is a draft, and a guardian with no
// children sees the empty state.
func TestGuardianReadsOnlyLinkedChildren(t *testing.T) {
	d := newDistrict(t, "guardianscope")
	teacher, tcsrf := d.session(db.Teacher)
	guardian, _ := d.session(db.Guardian)
	child := d.users[db.Student].ID
	asg := newAssignment(t, teacher, tcsrf, d.section, "Essay", time.Now().Add(24*time.Hour))

	res, _ := guardian.get("/guardian/children/" + child + "/assignments/" + asg)
	if res.StatusCode != 200 {
		t.Fatalf("linked child's assignment: %d", res.StatusCode)
	}
	stranger := d.newcomer(db.Guardian)
	res, body := stranger.get("/guardian/children/" + child + "/assignments/" + asg)
	mustStatus(t, "an unlinked guardian", res, body, http.StatusNotFound)
	res, body = stranger.get("/")
	mustStatus(t, "guardian without children", res, body, 200)
	mustContain(t, "guardian without children", body, "No children linked yet")

	res, body = teacher.post("/teach/sections/"+d.section+"/assignments", url.Values{"_csrf": {tcsrf}, "title": {"Draft quiz"},
		"grading_type": {"points"}, "points_possible": {"5"}, "section_ids": {d.section}})
	mustStatus(t, "a draft", res, body, http.StatusSeeOther)
	draft := locationID(t, res)
	res, body = guardian.get("/guardian/children/" + child + "/assignments/" + draft)
	mustStatus(t, "a draft", res, body, http.StatusNotFound)
	_, body = guardian.get("/")
	if strings.Contains(body, "Draft quiz") {
		t.Error("the guardian home lists a draft")
	}
}

// between returns the part of s after the first from and before the next to.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}
