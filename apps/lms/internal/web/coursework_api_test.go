package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
)

func (c *client) api(method, path, csrf string, body any) (*http.Response, string) {
	c.d.t.Helper()
	data, _ := json.Marshal(body)
	if body == nil {
		data = nil
	}
	return c.doBody(method, path, string(data), http.Header{"X-Csrf-Token": {csrf}, "Content-Type": {"application/json"}})
}

func decodeJSON[T any](t *testing.T, what, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, snippet(body))
	}
	return v
}

// The same journey through the JSON API: create, publish, submit, grade,
// post; unposted grades are absent for the student and the guardian, and
// the field messages are the forms' own.
func TestCourseDeliveryThroughTheAPI(t *testing.T) {
	d := newDistrict(t, "cwapi")
	teacher, tcsrf := d.session(db.Teacher)
	student, scsrf := d.session(db.Student)
	guardian, _ := d.session(db.Guardian)

	res, body := teacher.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, coursework.AssignmentInput{GradingType: "points", PointsPossible: "10"})
	mustStatus(t, "invalid assignment", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "invalid assignment", body, `"field":"title"`, "Give the assignment a title.")

	due := time.Now().Add(24 * time.Hour).In(mustZone(t, "America/Chicago")).Format("2006-01-02T15:04")
	res, body = teacher.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, coursework.AssignmentInput{
		Title: "Reading log", GradingType: "points", PointsPossible: "10", SubmissionTypes: []string{"text", "link"}, Due: due})
	mustStatus(t, "create", res, body, http.StatusCreated)
	a := decodeJSON[coursework.Assignment](t, "created", body)
	if a.Published || len(a.SectionIDs) != 1 || a.SectionIDs[0] != d.section || a.DueAt == nil ||
		coursework.FormatLocal(a.DueAt, "America/Chicago") != due {
		t.Fatalf("created: %+v", a)
	}
	res, _ = student.get("/api/v1/assignments/" + a.ID)
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("a student read a draft: %d", res.StatusCode)
	}
	res, body = teacher.api("POST", "/api/v1/assignments/"+a.ID+"/publish", tcsrf, map[string]bool{"published": true})
	mustStatus(t, "publish", res, body, 200)

	res, body = student.api("POST", "/api/v1/assignments/"+a.ID+"/submissions", scsrf, coursework.SubmissionInput{Kind: "text", Body: "Chapters 1-3."})
	mustStatus(t, "submit", res, body, http.StatusCreated)
	if sub := decodeJSON[coursework.Submission](t, "submission", body); sub.Attempt != 1 || sub.Kind != "text" {
		t.Errorf("submission: %+v", sub)
	}
	res, body = student.api("POST", "/api/v1/assignments/"+a.ID+"/submissions", scsrf, coursework.SubmissionInput{Kind: "file"})
	mustStatus(t, "a file through the API", res, body, http.StatusUnprocessableEntity)

	res, body = teacher.api("PUT", "/api/v1/assignments/"+a.ID+"/grades/"+d.users[db.Student].ID, tcsrf,
		coursework.GradeInput{Score: "eleventy"})
	mustStatus(t, "a bad score", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "a bad score", body, "Enter the score as a number of points")
	res, body = teacher.api("PUT", "/api/v1/assignments/"+a.ID+"/grades/"+d.users[db.Student].ID, tcsrf,
		coursework.GradeInput{Score: "8", Comment: "Keep going.", Reason: "API"})
	mustStatus(t, "grade", res, body, 200)
	if g := decodeJSON[coursework.Grade](t, "grade", body); g.Score == nil || *g.Score != 8 || g.Posted {
		t.Errorf("grade: %+v", g)
	}
	res, body = teacher.get("/api/v1/assignments/" + a.ID + "/work")
	mustStatus(t, "work", res, body, 200)
	work := decodeJSON[struct{ Items []coursework.StudentWork }](t, "work", body)
	if len(work.Items) != 1 || work.Items[0].State != coursework.StateSubmitted || work.Items[0].Attempts != 1 {
		t.Errorf("work: %+v", work.Items)
	}

	res, body = student.get("/api/v1/assignments/" + a.ID + "/my-work")
	mustStatus(t, "my work", res, body, 200)
	if strings.Contains(body, "Keep going.") || strings.Contains(body, `"grade"`) {
		t.Errorf("the student reads an unposted grade: %s", body)
	}
	res, body = teacher.api("POST", "/api/v1/assignments/"+a.ID+"/grades/post", tcsrf, nil)
	mustStatus(t, "post", res, body, 200)
	mustContain(t, "post", body, `"posted":1`)
	_, body = student.get("/api/v1/assignments/" + a.ID + "/my-work")
	mine := decodeJSON[myWork](t, "my work", body)
	if mine.Work.Grade == nil || *mine.Work.Grade.Score != 8 || mine.Work.Grade.Comment != "Keep going." || len(mine.Attempts) != 1 {
		t.Errorf("posted grade for the student: %s", body)
	}
	res, body = guardian.get("/api/v1/sections/" + d.section + "/assignments")
	mustStatus(t, "guardian's list", res, body, 200)
	mustContain(t, "guardian's list", body, "Reading log")
}

type myWork struct {
	Work     coursework.StudentWork  `json:"work"`
	Attempts []coursework.Submission `json:"attempts"`
}
