package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
)

// apiUpload posts a multipart body with one file part, the CSRF token in
// the header, as an API client does.
func (c *client) apiUpload(path, csrf, name string, content []byte) (*http.Response, string) {
	c.d.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.d.http.URL+path, &body)
	req.Host = c.d.host
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Csrf-Token", csrf)
	res, err := c.hc.Do(req)
	if err != nil {
		c.d.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, string(data)
}

// secondTeacher signs in another teacher of school A, who teaches nothing,
// with their CSRF token.
func (d *district) secondTeacher() (*client, string) {
	var u *people.User
	err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) (err error) {
		u, err = people.CreateUser(context.Background(), s, people.NewUser{Email: "second.teacher@" + d.host + ".org", GivenName: "Second", FamilyName: "Teacher"}, db.Teacher, d.schoolA)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return d.sessionFor(u, db.Teacher)
}

// What the pages do and the first API lacked: rubrics (reused across
// assignments, changed only by their owner), assignment groups and
// announcements of a section home, editing an assignment, per-student due
// dates, attachments and file submissions checked by content, and a
// student's attempts for the grader.
func TestCourseDeliveryAPICoversTheTeachAndLearnPages(t *testing.T) {
	d := newDistrict(t, "cwapi2")
	teacher, tcsrf := d.session(db.Teacher)
	student, scsrf := d.session(db.Student)
	guardian, _ := d.session(db.Guardian)
	other, ocsrf := d.secondTeacher()
	stu := d.users[db.Student].ID

	// Rubrics.
	res, body := teacher.api("POST", "/api/v1/rubrics", tcsrf, rubrics.Input{Title: "Lab", Criteria: []rubrics.InputCriterion{{Title: "Method", Levels: "lots"}}})
	mustStatus(t, "invalid rubric", res, body, http.StatusUnprocessableEntity)
	res, body = teacher.api("POST", "/api/v1/rubrics", tcsrf, rubrics.Input{Title: "Lab rubric", Criteria: []rubrics.InputCriterion{
		{Title: "Method", Levels: "4 Sound\n1 Weak"}, {Title: "Results", Levels: "6 Complete\n2 Partial"}}})
	mustStatus(t, "rubric", res, body, http.StatusCreated)
	rub := decodeJSON[rubrics.Rubric](t, "rubric", body)
	if res.Header.Get("Location") != "/api/v1/rubrics/"+rub.ID || len(rub.Criteria) != 2 || rub.Points() != 10 {
		t.Fatalf("rubric: %s %+v", res.Header.Get("Location"), rub)
	}
	res, body = other.get("/api/v1/rubrics")
	mustStatus(t, "another teacher's list", res, body, 200)
	mustContain(t, "another teacher's list", body, "Lab rubric")
	res, body = other.api("PUT", "/api/v1/rubrics/"+rub.ID, ocsrf, rubrics.Input{Title: "Mine now", Criteria: []rubrics.InputCriterion{{Title: "X", Levels: "1 Y"}}})
	mustStatus(t, "another teacher changes it", res, body, http.StatusNotFound)
	res, body = teacher.api("PUT", "/api/v1/rubrics/"+rub.ID, tcsrf, rubrics.Input{Title: "Lab rubric v2", Criteria: []rubrics.InputCriterion{
		{Title: "Method", Levels: "4 Sound\n1 Weak"}, {Title: "Results", Levels: "6 Complete\n2 Partial"}}})
	mustStatus(t, "owner changes it", res, body, 200)
	mustContain(t, "owner changes it", body, "Lab rubric v2")

	// Groups and announcements of the section home.
	res, body = teacher.api("POST", "/api/v1/sections/"+d.section+"/groups", tcsrf, coursework.GroupInput{Name: "Labs", Weight: "40"})
	mustStatus(t, "group", res, body, http.StatusCreated)
	group := decodeJSON[coursework.Group](t, "group", body)
	res, body = teacher.api("POST", "/api/v1/sections/"+d.section+"/groups", tcsrf, coursework.GroupInput{Name: "Labs"})
	mustStatus(t, "same group again", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "same group again", body, "already has a group with that name")
	res, body = teacher.api("POST", "/api/v1/sections/"+d.section+"/announcements", tcsrf, map[string]string{"title": "Lab day", "body": "<p>Bring goggles</p><script>x()</script>"})
	mustStatus(t, "announce", res, body, http.StatusCreated)
	mustContain(t, "announce", body, "Lab day", "Bring goggles")
	res, body = other.api("POST", "/api/v1/sections/"+d.section+"/announcements", ocsrf, map[string]string{"title": "Not my class"})
	mustStatus(t, "a teacher of another section announces", res, body, http.StatusForbidden)
	for who, c := range map[string]*client{"student": student, "guardian": guardian} {
		res, body = c.get("/api/v1/sections/" + d.section + "/announcements")
		mustStatus(t, who+" reads announcements", res, body, 200)
		mustContain(t, who+" reads announcements", body, "Lab day", "Bring goggles")
		if bytes.Contains([]byte(body), []byte("<script")) {
			t.Errorf("an announcement kept its script: %s", body)
		}
		res, body = c.get("/api/v1/sections/" + d.section + "/groups")
		mustStatus(t, who+" reads groups", res, body, 200)
		mustContain(t, who+" reads groups", body, "Labs")
	}

	// Two assignments reuse the rubric; one is edited to take files and
	// gets a student's own due date.
	due := time.Now().Add(48 * time.Hour).In(mustZone(t, "America/Chicago")).Format("2006-01-02T15:04")
	in := coursework.AssignmentInput{Title: "Lab 1", GradingType: "points", PointsPossible: "10", RubricID: rub.ID, GroupID: group.ID,
		SubmissionTypes: []string{"text"}, Due: due}
	res, body = teacher.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, in)
	mustStatus(t, "lab 1", res, body, http.StatusCreated)
	a := decodeJSON[coursework.Assignment](t, "lab 1", body)
	in.Title = "Lab 2"
	res, body = teacher.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, in)
	mustStatus(t, "lab 2", res, body, http.StatusCreated)
	if b := decodeJSON[coursework.Assignment](t, "lab 2", body); b.RubricID == nil || *b.RubricID != rub.ID || a.RubricID == nil || *a.RubricID != rub.ID {
		t.Errorf("the rubric is not on both assignments: %v %v", a.RubricID, b.RubricID)
	}
	in.Title, in.SubmissionTypes, in.SectionIDs = "Lab 1: germination", []string{"text", "file"}, []string{d.section}
	res, body = teacher.api("PUT", "/api/v1/assignments/"+a.ID, tcsrf, coursework.AssignmentInput{Title: ""})
	mustStatus(t, "invalid edit", res, body, http.StatusUnprocessableEntity)
	res, body = teacher.api("PUT", "/api/v1/assignments/"+a.ID, tcsrf, in)
	mustStatus(t, "edit", res, body, 200)
	if e := decodeJSON[coursework.Assignment](t, "edit", body); e.Title != "Lab 1: germination" || !e.Accepts("file") {
		t.Errorf("edited: %+v", e)
	}
	res, body = other.api("PUT", "/api/v1/assignments/"+a.ID, ocsrf, in)
	mustStatus(t, "a teacher of another section edits", res, body, http.StatusNotFound)

	later := time.Now().Add(96 * time.Hour).In(mustZone(t, "America/Chicago")).Format("2006-01-02T15:04")
	res, body = teacher.api("PUT", "/api/v1/assignments/"+a.ID+"/overrides", tcsrf, map[string]string{"sectionId": d.section, "studentId": stu, "due": later})
	mustStatus(t, "an override for both", res, body, http.StatusUnprocessableEntity)
	res, body = teacher.api("PUT", "/api/v1/assignments/"+a.ID+"/overrides", tcsrf, map[string]string{"studentId": stu, "due": later})
	mustStatus(t, "student override", res, body, 200)
	dates := decodeJSON[dueDatesJSON](t, "due dates", body)
	if got, ok := dates.Students[stu]; !ok || got.In(mustZone(t, "America/Chicago")).Format("2006-01-02T15:04") != later || dates.TimeZone != "America/Chicago" {
		t.Errorf("due dates: %+v", dates)
	}
	_, body = teacher.get("/api/v1/assignments/" + a.ID + "/work")
	work := decodeJSON[struct{ Items []coursework.StudentWork }](t, "work", body)
	if len(work.Items) != 1 || work.Items[0].Due == nil || work.Items[0].Due.In(mustZone(t, "America/Chicago")).Format("2006-01-02T15:04") != later {
		t.Errorf("the student's effective due date is not the override: %+v", work.Items)
	}
	res, body = teacher.api("PUT", "/api/v1/assignments/"+a.ID+"/overrides", tcsrf, map[string]string{"studentId": stu, "due": ""})
	mustStatus(t, "remove the override", res, body, 200)
	if dates := decodeJSON[dueDatesJSON](t, "due dates", body); len(dates.Students) != 0 {
		t.Errorf("override not removed: %+v", dates)
	}

	// Attachments, checked by content.
	res, body = teacher.apiUpload("/api/v1/assignments/"+a.ID+"/attachments", tcsrf, "instructions.pdf", []byte("<html><script>alert(1)</script></html>"))
	mustStatus(t, "a web page named .pdf", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "a web page named .pdf", body, "reads as a web page")
	res, body = teacher.apiUpload("/api/v1/assignments/"+a.ID+"/attachments", tcsrf, "instructions.pdf", []byte(pdf))
	mustStatus(t, "attach", res, body, http.StatusCreated)
	att := decodeJSON[coursework.File](t, "attachment", body)
	if att.Name != "instructions.pdf" || att.ContentType != "application/pdf" {
		t.Errorf("attachment: %+v", att)
	}
	res, body = teacher.api("POST", "/api/v1/assignments/"+a.ID+"/publish", tcsrf, map[string]bool{"published": true})
	mustStatus(t, "publish", res, body, 200)
	for who, c := range map[string]*client{"student": student, "guardian": guardian} {
		res, body = c.get("/api/v1/assignments/" + a.ID + "/attachments")
		mustStatus(t, who+" lists attachments", res, body, 200)
		mustContain(t, who+" lists attachments", body, "instructions.pdf")
		res, body = c.get("/api/v1/rubrics/" + rub.ID)
		mustStatus(t, who+" reads the assignment's rubric", res, body, 200)
	}

	// A file handed in through the API, and the grader's view of attempts.
	res, body = student.apiUpload("/api/v1/assignments/"+a.ID+"/upload", scsrf, "report.pdf", []byte(pdf))
	mustStatus(t, "submit a file", res, body, http.StatusCreated)
	if sub := decodeJSON[coursework.Submission](t, "submission", body); sub.Kind != "file" || sub.Attempt != 1 || sub.FileName == nil || *sub.FileName != "report.pdf" {
		t.Errorf("submission: %+v", sub)
	}
	res, body = student.api("POST", "/api/v1/assignments/"+a.ID+"/submissions", scsrf, coursework.SubmissionInput{Kind: "text", Body: "Also: the seeds were old."})
	mustStatus(t, "resubmit as text", res, body, http.StatusCreated)
	res, body = student.apiUpload("/api/v1/assignments/"+a.ID+"/upload", scsrf, "report.pdf", nil)
	mustStatus(t, "an empty file", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "an empty file", body, "The file is empty")
	res, body = teacher.get("/api/v1/assignments/" + a.ID + "/submissions/" + stu)
	mustStatus(t, "attempts", res, body, 200)
	attempts := decodeJSON[struct{ Items []coursework.Submission }](t, "attempts", body)
	if len(attempts.Items) != 2 || attempts.Items[0].Attempt != 2 || attempts.Items[1].Kind != "file" {
		t.Errorf("attempts, newest first: %+v", attempts.Items)
	}
	res, body = other.get("/api/v1/assignments/" + a.ID + "/submissions/" + stu)
	mustStatus(t, "a teacher of another section reads attempts", res, body, http.StatusNotFound)

	// Lab 2 takes no files: the upload is refused with the form's message,
	// and nothing of it is kept.
	b := decodeJSON[coursework.Assignment](t, "lab 2", func() string {
		_, list := teacher.get("/api/v1/sections/" + d.section + "/assignments")
		l := decodeJSON[struct{ Items []coursework.Assignment }](t, "list", list)
		for _, x := range l.Items {
			if x.Title == "Lab 2" {
				_, one := teacher.get("/api/v1/assignments/" + x.ID)
				return one
			}
		}
		t.Fatal("no Lab 2")
		return ""
	}())
	res, body = teacher.api("POST", "/api/v1/assignments/"+b.ID+"/publish", tcsrf, map[string]bool{"published": true})
	mustStatus(t, "publish lab 2", res, body, 200)
	res, body = student.apiUpload("/api/v1/assignments/"+b.ID+"/upload", scsrf, "report.pdf", []byte(pdf))
	mustStatus(t, "a file where none is taken", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "a file where none is taken", body, "does not take that kind of submission")
	var files int
	if err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(context.Background(), `SELECT count(*) FROM files WHERE name = 'report.pdf'`).Scan(&files)
	}); err != nil {
		t.Fatal(err)
	}
	if files != 1 {
		t.Errorf("%d report.pdf file records, want 1 (the refused upload's record must not stay)", files)
	}
}

type dueDatesJSON struct {
	DueAt    *time.Time           `json:"dueAt"`
	Sections map[string]time.Time `json:"sections"`
	Students map[string]time.Time `json:"students"`
	TimeZone string               `json:"timeZone"`
}
