package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/pkg/directory"
)

// upload posts a multipart form as a browser does: the _csrf field first,
// then the fields, then the file.
func (c *client) uploadFile(path, csrf string, fields url.Values, name string, content []byte) (*http.Response, string) {
	c.d.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.d.http.URL+path, &body)
	req.Host = c.d.host
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.hc.Do(req)
	if err != nil {
		c.d.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, string(data)
}

func mustStatus(t *testing.T, what string, res *http.Response, body string, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, res.StatusCode, want, snippet(body))
	}
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: page lacks %q", what, w)
		}
	}
}

var idInLocation = regexp.MustCompile(`/([0-9a-f-]{36})(\?|$)`)

func locationID(t *testing.T, res *http.Response) string {
	t.Helper()
	m := idInLocation.FindStringSubmatch(res.Header.Get("Location"))
	if m == nil {
		t.Fatalf("no id in Location %q", res.Header.Get("Location"))
	}
	return m[1]
}

const pdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"

// The journey of issue 14's course delivery: a teacher builds a rubric and
// an assignment, publishes it; the student submits text and then a file;
// the teacher grades with the rubric and posts; the student sees the grade,
// which was invisible to them and their guardian before posting.
func TestTeacherPostsStudentSubmitsTeacherGradesWithRubric(t *testing.T) {
	d := newDistrict(t, "coursework")
	teacher, tcsrf := d.session(db.Teacher)
	student, scsrf := d.session(db.Student)
	guardian, _ := d.session(db.Guardian)
	sec := "/teach/sections/" + d.section

	res, body := teacher.get(sec)
	mustStatus(t, "section home", res, body, 200)
	mustContain(t, "empty section home", body, "No assignments yet", "No announcements yet")

	res, body = teacher.post("/teach/rubrics", url.Values{"_csrf": {tcsrf}, "title": {"Essay rubric"},
		"criterion_0": {"Thesis"}, "levels_0": {"5 Clear\n2 Vague"}, "criterion_1": {"Evidence"}, "levels_1": {"4 Strong\n1 Thin"}})
	mustStatus(t, "create rubric", res, body, http.StatusSeeOther)
	rubric := locationID(t, res)

	res, body = teacher.post(sec+"/assignments", url.Values{"_csrf": {tcsrf}, "grading_type": {"points"}, "points_possible": {"9"},
		"section_ids": {d.section}})
	mustStatus(t, "assignment without a title", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "invalid assignment", body, "Give the assignment a title.", `aria-invalid="true"`)

	tomorrow := time.Now().Add(24 * time.Hour).In(mustZone(t, "America/Chicago")).Format("2006-01-02T15:04")
	res, body = teacher.post(sec+"/assignments", url.Values{"_csrf": {tcsrf}, "title": {"Persuasive essay"},
		"instructions": {`<p>Argue <b>one</b> side.</p><script>alert(1)</script>`}, "grading_type": {"points"}, "points_possible": {"9"},
		"section_ids": {d.section}, "submission_types": {"text", "file", "link"}, "due": {tomorrow}, "rubric_id": {rubric}})
	mustStatus(t, "create assignment", res, body, http.StatusSeeOther)
	asg := locationID(t, res)

	res, body = teacher.get("/teach/assignments/" + asg)
	mustStatus(t, "teacher's assignment page", res, body, 200)
	mustContain(t, "teacher's assignment page", body, "Draft", "<b>one</b>", "Essay rubric", "Not submitted")
	if strings.Contains(body, "<script>alert") {
		t.Error("instructions kept a script")
	}
	// A draft is invisible to the student.
	res, _ = student.get("/learn/assignments/" + asg)
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("student opened a draft: %d", res.StatusCode)
	}
	res, body = teacher.post("/teach/assignments/"+asg+"/publish", url.Values{"_csrf": {tcsrf}, "published": {"true"}})
	mustStatus(t, "publish", res, body, http.StatusSeeOther)

	res, body = student.get("/learn/sections/" + d.section)
	mustStatus(t, "student's class page", res, body, 200)
	mustContain(t, "student's class page", body, "Persuasive essay", "Not submitted")
	res, body = student.get("/learn/assignments/" + asg)
	mustStatus(t, "student's assignment page", res, body, 200)
	mustContain(t, "student's assignment page", body, "<b>one</b>", "How it will be graded: Essay rubric", "Submit text")

	res, body = student.post("/learn/assignments/"+asg+"/submissions", url.Values{"_csrf": {scsrf}, "kind": {"link"}, "url": {"javascript:alert(1)"}})
	mustStatus(t, "a javascript: link", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "a javascript: link", body, "Enter a full web address starting with https://.")
	res, body = student.post("/learn/assignments/"+asg+"/submissions", url.Values{"_csrf": {scsrf}, "kind": {"text"}, "body": {"My first draft."}})
	mustStatus(t, "submit text", res, body, http.StatusSeeOther)
	res, body = student.uploadFile("/learn/assignments/"+asg+"/upload", scsrf, nil, "essay.pdf", []byte("<!DOCTYPE html><script>steal()</script>"))
	mustStatus(t, "HTML named .pdf", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "HTML named .pdf", body, "not a kind Bellwork takes", "a web page")
	res, body = student.uploadFile("/learn/assignments/"+asg+"/upload", "forged", nil, "essay.pdf", []byte(pdf))
	mustStatus(t, "an upload without the CSRF token", res, body, http.StatusForbidden)
	res, body = student.uploadFile("/learn/assignments/"+asg+"/upload", scsrf, nil, "essay.pdf", []byte(pdf))
	mustStatus(t, "resubmit as a file", res, body, http.StatusSeeOther)
	res, body = student.get("/learn/assignments/" + asg)
	mustContain(t, "student's attempts", body, "Attempt 2", "Attempt 1", "essay.pdf", "My first draft.", "Submitted")
	fileID := regexp.MustCompile(`/files/([0-9a-f-]{36})`).FindStringSubmatch(body)
	if fileID == nil {
		t.Fatal("no file link on the student's page")
	}

	// The teacher downloads the file; a teacher of another section cannot.
	res, body = teacher.get("/files/" + fileID[1])
	mustStatus(t, "teacher downloads", res, body, 200)
	if body != pdf || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %q %s %s", snippet(body), res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	if res, _ := d.otherTeacher().get("/files/" + fileID[1]); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher downloaded the file: %d", res.StatusCode)
	}

	// Grading: the first student, the rubric fills the score.
	res, _ = teacher.get("/teach/assignments/" + asg + "/grade")
	mustStatus(t, "grading view", res, "", http.StatusSeeOther)
	stu := d.users[db.Student].ID
	res, body = teacher.get("/teach/assignments/" + asg + "/grade/" + stu)
	mustStatus(t, "grading a student", res, body, 200)
	mustContain(t, "grading view", body, "essay.pdf", "Earlier attempts", `name="rubric_0"`, `aria-keyshortcuts`, "1 of 1")
	res, body = teacher.post("/teach/assignments/"+asg+"/grade/"+stu, url.Values{"_csrf": {tcsrf}, "rubric_0": {"0"}, "score": {""}})
	mustStatus(t, "a half-rated rubric", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "a half-rated rubric", body, "Rate every criterion")
	res, body = teacher.post("/teach/assignments/"+asg+"/grade/"+stu, url.Values{"_csrf": {tcsrf}, "rubric_0": {"0"}, "rubric_1": {"1"},
		"comment": {"Strong thesis."}, "reason": {"first pass"}})
	mustStatus(t, "grade with the rubric", res, body, http.StatusSeeOther)
	res, body = teacher.get("/teach/assignments/" + asg + "/grade/" + stu)
	mustContain(t, "saved grade", body, `value="6"`, "Strong thesis.", "first pass", "History of this grade (1)")

	// Unposted: neither the student nor the guardian sees it.
	_, body = student.get("/learn/assignments/" + asg)
	if strings.Contains(body, "Your grade") || strings.Contains(body, "Strong thesis.") {
		t.Error("the student sees an unposted grade")
	}
	_, body = guardian.get("/learn/sections/" + d.section)
	mustContain(t, "guardian's class page", body, "Persuasive essay")
	if strings.Contains(body, "Strong thesis.") {
		t.Error("the guardian sees an unposted grade")
	}
	res, body = teacher.post("/teach/assignments/"+asg+"/post", url.Values{"_csrf": {tcsrf}})
	mustStatus(t, "post grades", res, body, http.StatusSeeOther)
	_, body = student.get("/learn/assignments/" + asg)
	mustContain(t, "posted grade", body, "Your grade", "6 / 9", "Strong thesis.", "Clear (5 of 5)", "Thin (1 of 4)")
	_, body = student.get("/learn/sections/" + d.section)
	mustContain(t, "student's class page after grading", body, "6 / 9")

	// The first grade reached the onboarding milestone the operator reads.
	err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		ms, err := schools.Milestones(context.Background(), s)
		if _, ok := ms[directory.MilestoneFirstGrade]; err == nil && !ok {
			t.Error("no FirstAssignmentGraded milestone after grading")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Due dates: a student override moves one student's due date; a closed
// assignment takes no submission and says so; a student of the section
// sees the empty states.
func TestOverridesClosedWorkAndEmptyStates(t *testing.T) {
	d := newDistrict(t, "cwdates")
	teacher, tcsrf := d.session(db.Teacher)
	student, scsrf := d.session(db.Student)
	res, body := student.get("/learn/sections/" + d.section)
	mustStatus(t, "empty class page", res, body, 200)
	mustContain(t, "empty class page", body, "Nothing posted yet", "No announcements.")
	res, body = teacher.get("/teach/rubrics")
	mustContain(t, "no rubrics", body, "No rubrics yet")

	zone := mustZone(t, "America/Chicago")
	past := time.Now().Add(-48 * time.Hour).In(zone).Format("2006-01-02T15:04")
	closed := time.Now().Add(-time.Hour).In(zone).Format("2006-01-02T15:04")
	res, body = teacher.post("/teach/sections/"+d.section+"/assignments", url.Values{"_csrf": {tcsrf}, "title": {"Lab report"},
		"grading_type": {"complete_incomplete"}, "section_ids": {d.section}, "submission_types": {"text"}, "due": {past}, "lock": {closed}})
	mustStatus(t, "create", res, body, http.StatusSeeOther)
	asg := locationID(t, res)
	_, _ = teacher.post("/teach/assignments/"+asg+"/publish", url.Values{"_csrf": {tcsrf}, "published": {"true"}})
	_, body = teacher.get("/teach/assignments/" + asg)
	mustContain(t, "past due, nothing handed in", body, "Missing")

	res, body = student.post("/learn/assignments/"+asg+"/submissions", url.Values{"_csrf": {scsrf}, "kind": {"text"}, "body": {"late work"}})
	mustStatus(t, "submit to closed work", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "closed work", body, "not open for submissions")

	later := time.Now().Add(72 * time.Hour).In(zone).Format("2006-01-02T15:04")
	res, body = teacher.post("/teach/assignments/"+asg+"/overrides", url.Values{"_csrf": {tcsrf},
		"target": {"student:" + d.users[db.Student].ID}, "due": {later}})
	mustStatus(t, "student override", res, body, http.StatusSeeOther)
	_, body = teacher.get("/teach/assignments/" + asg)
	mustContain(t, "after the override", body, "Student Test: ", "Not submitted")
	if strings.Contains(body, `badge missing`) {
		t.Error("the student is still missing after their due date moved")
	}
	res, body = teacher.post("/teach/sections/"+d.section+"/announcements", url.Values{"_csrf": {tcsrf}, "title": {""}})
	mustStatus(t, "empty announcement", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "empty announcement", body, "Give the announcement a title")
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
