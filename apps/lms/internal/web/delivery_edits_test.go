package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
)

// otherTeacherWithToken signs in a second teacher of school A who teaches
// nothing, with their CSRF token.
func (d *district) otherTeacherWithToken() (*client, string) {
	var u *people.User
	err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) (err error) {
		u, err = people.CreateUser(context.Background(), s, people.NewUser{Email: "colleague@" + d.host + ".org", GivenName: "Col", FamilyName: "League"}, db.Teacher, d.schoolA)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return d.sessionFor(u, db.Teacher)
}

// owner connects as the tenant database's owner, which sees deleted work.
func (d *district) owner() *pgx.Conn {
	conn, err := pgx.Connect(context.Background(), d.entry.Database.OwnerURL())
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func chicago(t *testing.T, d time.Duration) string {
	return time.Now().Add(d).In(mustZone(t, "America/Chicago")).Format(coursework.LocalLayout)
}

var fileLink = regexp.MustCompile(`/files/([0-9a-f-]{36})`)

// Before an assignment opens a student or guardian sees its title, due
// date and when it opens, not its instructions, rubric, files or submit
// forms, in pages and the API, and GET /files/{id} refuses its files;
// after it closes they see it all but cannot submit. Teachers always see it.
func TestWorkIsWithheldUntilItOpens(t *testing.T) {
	d := newDistrict(t, "unlock")
	teacher, tcsrf := d.session(db.Teacher)
	student, scsrf := d.session(db.Student)
	guardian, _ := d.session(db.Guardian)
	res, body := teacher.api("POST", "/api/v1/rubrics", tcsrf, rubrics.Input{Title: "Lab rubric", Criteria: []rubrics.InputCriterion{{Title: "Method", Levels: "3 Sound\n1 Shaky"}}})
	mustStatus(t, "rubric", res, body, http.StatusCreated)
	rub := decodeJSON[rubrics.Rubric](t, "rubric", body)
	in := coursework.AssignmentInput{Title: "Titration lab", Instructions: "<p>Secret procedure</p>", GradingType: "points", PointsPossible: "10",
		SectionIDs: []string{d.section}, SubmissionTypes: []string{"text", "file"}, Due: chicago(t, 72*time.Hour), Unlock: chicago(t, 48*time.Hour), RubricID: rub.ID}
	res, body = teacher.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, in)
	mustStatus(t, "create", res, body, http.StatusCreated)
	a := decodeJSON[coursework.Assignment](t, "create", body)
	res, body = teacher.uploadFile("/teach/assignments/"+a.ID+"/attachments", tcsrf, nil, "procedure.pdf", []byte(pdf))
	mustStatus(t, "attach", res, body, http.StatusSeeOther)
	res, body = teacher.api("POST", "/api/v1/assignments/"+a.ID+"/publish", tcsrf, map[string]bool{"published": true})
	mustStatus(t, "publish", res, body, 200)
	_, body = teacher.get("/teach/assignments/" + a.ID)
	mustContain(t, "teacher's page before it opens", body, "Secret procedure", "procedure.pdf", "Lab rubric")
	m := fileLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no attachment link on the teacher's page")
	}
	file := m[1]

	hidden := func(who, body string) {
		t.Helper()
		for _, secret := range []string{"Secret procedure", "procedure.pdf", "Lab rubric", "Submit text", "/files/" + file} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows %q before the work opens", who, secret)
			}
		}
	}
	res, body = student.get("/learn/assignments/" + a.ID)
	mustStatus(t, "student's page before it opens", res, body, 200)
	mustContain(t, "student's page before it opens", body, "Titration lab", "Available from", "due ")
	hidden("the student's page", body)
	res, body = guardian.get("/guardian/children/" + d.users[db.Student].ID + "/assignments/" + a.ID)
	mustStatus(t, "guardian's page before it opens", res, body, 200)
	mustContain(t, "guardian's page before it opens", body, "Titration lab", "Available from")
	hidden("the guardian's page", body)
	for who, c := range map[string]*client{"student": student, "guardian": guardian} {
		if res, _ := c.get("/files/" + file); res.StatusCode != http.StatusNotFound {
			t.Errorf("the %s downloaded an attachment before the work opens: %d", who, res.StatusCode)
		}
		res, body = c.get("/api/v1/assignments/" + a.ID)
		mustStatus(t, who+" API read", res, body, 200)
		got := decodeJSON[coursework.Assignment](t, who+" API read", body)
		if !got.LockedForUser || got.InstructionsHTML != "" || got.RubricID != nil || !strings.HasPrefix(got.LockExplanation, "Available from") {
			t.Errorf("%s API read before it opens: %+v", who, got)
		}
		res, body = c.get("/api/v1/assignments/" + a.ID + "/attachments")
		mustStatus(t, who+" attachments", res, body, 200)
		if strings.Contains(body, file) {
			t.Errorf("the %s lists the attachments before the work opens", who)
		}
		res, body = c.get("/api/v1/sections/" + d.section + "/assignments")
		if strings.Contains(body, "Secret procedure") {
			t.Errorf("the %s's section list shows the instructions", who)
		}
	}
	res, body = student.post("/learn/assignments/"+a.ID+"/submissions", url.Values{"_csrf": {scsrf}, "kind": {"text"}, "body": {"early"}})
	mustStatus(t, "submitting before it opens", res, body, http.StatusUnprocessableEntity)
	res, body = student.api("POST", "/api/v1/assignments/"+a.ID+"/submissions", scsrf, coursework.SubmissionInput{Kind: "text", Body: "early"})
	mustStatus(t, "API submission before it opens", res, body, http.StatusUnprocessableEntity)
	res, body = teacher.get("/api/v1/assignments/" + a.ID)
	if got := decodeJSON[coursework.Assignment](t, "teacher API read", body); got.LockedForUser || got.InstructionsHTML == "" {
		t.Errorf("the teacher's API read withholds: %+v", got)
	}
	if res, _ := teacher.get("/files/" + file); res.StatusCode != 200 {
		t.Errorf("the teacher cannot download their attachment: %d", res.StatusCode)
	}

	// Opened: everything shows and the file downloads.
	in.Unlock, in.Due = chicago(t, -time.Hour), chicago(t, 24*time.Hour)
	res, body = teacher.api("PUT", "/api/v1/assignments/"+a.ID, tcsrf, in)
	mustStatus(t, "open it", res, body, 200)
	_, body = student.get("/learn/assignments/" + a.ID)
	mustContain(t, "student's page once open", body, "Secret procedure", "procedure.pdf", "Lab rubric", "Submit text")
	if res, _ := guardian.get("/files/" + file); res.StatusCode != 200 {
		t.Errorf("the guardian cannot download the attachment once open: %d", res.StatusCode)
	}

	// Closed: instructions stay, submissions are refused.
	in.Unlock, in.Lock, in.Due = chicago(t, -48*time.Hour), chicago(t, -time.Hour), chicago(t, -2*time.Hour)
	res, body = teacher.api("PUT", "/api/v1/assignments/"+a.ID, tcsrf, in)
	mustStatus(t, "close it", res, body, 200)
	_, body = student.get("/learn/assignments/" + a.ID)
	mustContain(t, "student's page once closed", body, "Secret procedure", "procedure.pdf", "no longer takes submissions")
	if strings.Contains(body, "Submit text") {
		t.Error("a closed assignment shows the submit form")
	}
	res, body = student.api("POST", "/api/v1/assignments/"+a.ID+"/submissions", scsrf, coursework.SubmissionInput{Kind: "text", Body: "late"})
	mustStatus(t, "API submission once closed", res, body, http.StatusUnprocessableEntity)
}

// Deleting graded work keeps its submissions, grades and trail in the
// database while it leaves every page, the gradebook and the API; work
// nobody handed in is removed. Only the section's teacher may, after a
// confirm page, with the CSRF token.
func TestDeletingWorkKeepsWhatWasGraded(t *testing.T) {
	d := newDistrict(t, "asgdelete")
	teacher, tcsrf := d.session(db.Teacher)
	student, scsrf := d.session(db.Student)
	guardian, _ := d.session(db.Guardian)
	admin, _ := d.session(db.DistrictAdmin)
	other, ocsrf := d.otherTeacherWithToken()
	stu := d.users[db.Student].ID
	create := func(title string) string {
		res, body := teacher.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, coursework.AssignmentInput{Title: title,
			GradingType: "points", PointsPossible: "10", SectionIDs: []string{d.section}, SubmissionTypes: []string{"text"}, Due: chicago(t, 24*time.Hour)})
		mustStatus(t, "create "+title, res, body, http.StatusCreated)
		id := decodeJSON[coursework.Assignment](t, title, body).ID
		res, body = teacher.api("POST", "/api/v1/assignments/"+id+"/publish", tcsrf, map[string]bool{"published": true})
		mustStatus(t, "publish "+title, res, body, 200)
		return id
	}
	graded, unused, viaAPI := create("Graded quiz"), create("Unused worksheet"), create("API exit ticket")
	res, body := student.api("POST", "/api/v1/assignments/"+graded+"/submissions", scsrf, coursework.SubmissionInput{Kind: "text", Body: "my answer"})
	mustStatus(t, "submit", res, body, http.StatusCreated)
	res, body = teacher.api("PUT", "/api/v1/assignments/"+graded+"/grades/"+stu, tcsrf, coursework.GradeInput{Score: "8", Reason: "first pass"})
	mustStatus(t, "grade", res, body, 200)
	res, body = teacher.api("POST", "/api/v1/assignments/"+graded+"/grades/post", tcsrf, nil)
	mustStatus(t, "post", res, body, 200)

	res, body = teacher.get("/teach/assignments/" + graded + "/delete")
	mustStatus(t, "confirm graded", res, body, 200)
	mustContain(t, "confirm graded", body, "Delete “Graded quiz”?", "1 submission and 1 grade", "kept in the district", `action="/teach/assignments/`+graded+`/delete"`, `name="_csrf"`, "Cancel")
	res, body = teacher.get("/teach/assignments/" + unused + "/delete")
	mustContain(t, "confirm unused", body, "removed for good")
	for who, c := range map[string]*client{"student": student, "guardian": guardian, "district admin": admin} {
		if res, _ := c.get("/teach/assignments/" + graded + "/delete"); res.StatusCode != http.StatusForbidden {
			t.Errorf("the %s opened the confirm page: %d", who, res.StatusCode)
		}
	}
	if res, _ := other.get("/teach/assignments/" + graded + "/delete"); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher opened the confirm page: %d", res.StatusCode)
	}
	if res, _ := other.post("/teach/assignments/"+graded+"/delete", url.Values{"_csrf": {ocsrf}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher deleted the work: %d", res.StatusCode)
	}
	if res, _ := teacher.post("/teach/assignments/"+graded+"/delete", url.Values{"_csrf": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a delete without the CSRF token: %d", res.StatusCode)
	}
	if res, _ := other.api("DELETE", "/api/v1/assignments/"+graded, ocsrf, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher deleted the work through the API: %d", res.StatusCode)
	}
	if res, _ := student.api("DELETE", "/api/v1/assignments/"+graded, scsrf, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a student deleted the work through the API: %d", res.StatusCode)
	}

	res, body = teacher.post("/teach/assignments/"+graded+"/delete", url.Values{"_csrf": {tcsrf}})
	mustStatus(t, "delete graded", res, body, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/teach/sections/"+d.section+"?done=assignment-archived" {
		t.Errorf("after deleting: Location %q", loc)
	}
	_, body = teacher.get(res.Header.Get("Location"))
	mustContain(t, "section after deleting", body, "Its submissions and grades are kept")
	res, body = teacher.post("/teach/assignments/"+unused+"/delete", url.Values{"_csrf": {tcsrf}})
	mustStatus(t, "delete unused", res, body, http.StatusSeeOther)
	if !strings.HasSuffix(res.Header.Get("Location"), "done=assignment-deleted") {
		t.Errorf("after deleting unused work: Location %q", res.Header.Get("Location"))
	}
	res, body = teacher.api("DELETE", "/api/v1/assignments/"+viaAPI, tcsrf, nil)
	mustStatus(t, "API delete", res, body, 200)
	mustContain(t, "API delete", body, `"result":"deleted"`)

	// Gone from pages, the gradebook, grades and the API.
	for what, c := range map[string]*client{"teacher": teacher, "student": student, "guardian": guardian} {
		for _, path := range []string{"/api/v1/assignments/" + graded, "/api/v1/sections/" + d.section + "/assignments", "/api/v1/sections/" + d.section + "/grades"} {
			_, body := c.get(path)
			if strings.Contains(body, graded) || strings.Contains(body, "Graded quiz") {
				t.Errorf("%s still reads the deleted work at %s", what, path)
			}
		}
	}
	for _, path := range []string{"/teach/sections/" + d.section, "/assess/sections/" + d.section, "/teach/assignments/" + graded} {
		if _, body := teacher.get(path); strings.Contains(body, "Graded quiz") {
			t.Errorf("the teacher still sees the deleted work at %s", path)
		}
	}
	if res, _ := teacher.get("/teach/assignments/" + graded + "/grade/" + stu); res.StatusCode != http.StatusNotFound {
		t.Errorf("the grading view of deleted work: %d", res.StatusCode)
	}
	if res, _ := teacher.api("PUT", "/api/v1/assignments/"+graded+"/grades/"+stu, tcsrf, coursework.GradeInput{Score: "9"}); res.StatusCode != http.StatusNotFound {
		t.Errorf("grading deleted work through the API: %d", res.StatusCode)
	}
	for _, path := range []string{"/learn/sections/" + d.section, "/"} {
		if _, body := student.get(path); strings.Contains(body, "Graded quiz") {
			t.Errorf("the student still sees the deleted work at %s", path)
		}
		if _, body := guardian.get(path); strings.Contains(body, "Graded quiz") {
			t.Errorf("the guardian still sees the deleted work at %s", path)
		}
	}

	// In the database: the row with deleted_at, its submission, grade and
	// trail; the unused work is gone; the audit log names both.
	conn := d.owner()
	var deleted bool
	var subs, grades, trail int
	if err := conn.QueryRow(context.Background(), `SELECT deleted_at IS NOT NULL, (SELECT count(*) FROM submissions WHERE assignment_id = $1),
		(SELECT count(*) FROM grades WHERE assignment_id = $1 AND score = 8 AND posted), (SELECT count(*) FROM grade_audit WHERE assignment_id = $1)
		FROM assignments WHERE id = $1`, graded).Scan(&deleted, &subs, &grades, &trail); err != nil {
		t.Fatal(err)
	}
	if !deleted || subs != 1 || grades != 1 || trail < 2 {
		t.Errorf("deleted work in the database: deleted %v, %d submissions, %d grades, %d trail rows; want true 1 1 ≥2", deleted, subs, grades, trail)
	}
	var left, audited int
	if err := conn.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM assignments WHERE id = ANY ($1::uuid[])),
		(SELECT count(*) FROM audit_log WHERE action IN ('assignment.archived', 'assignment.deleted'))`, []string{unused, viaAPI}).Scan(&left, &audited); err != nil {
		t.Fatal(err)
	}
	if left != 0 || audited != 3 {
		t.Errorf("unused work left %d rows (want 0); %d audit entries (want 3)", left, audited)
	}
}

// Groups: edit name and weight; deleting one with assignments asks where
// they go, refuses without a choice, and moves them; pages and API alike.
func TestGroupsAreEditedAndDeletedWithoutLosingWork(t *testing.T) {
	d := newDistrict(t, "groupedit")
	teacher, tcsrf := d.session(db.Teacher)
	student, scsrf := d.session(db.Student)
	other, ocsrf := d.otherTeacherWithToken()
	group := func(name string) coursework.Group {
		res, body := teacher.api("POST", "/api/v1/sections/"+d.section+"/groups", tcsrf, coursework.GroupInput{Name: name, Weight: "40"})
		mustStatus(t, "group "+name, res, body, http.StatusCreated)
		return decodeJSON[coursework.Group](t, name, body)
	}
	hw, tests, empty := group("Homework"), group("Tests"), group("Extra")
	res, body := teacher.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, coursework.AssignmentInput{Title: "Worksheet 1",
		GradingType: "points", PointsPossible: "10", SectionIDs: []string{d.section}, GroupID: hw.ID})
	mustStatus(t, "assignment in Homework", res, body, http.StatusCreated)
	asg := decodeJSON[coursework.Assignment](t, "assignment", body)

	_, body = teacher.get("/teach/sections/" + d.section)
	mustContain(t, "section page", body, "/teach/groups/"+hw.ID+"/edit", "/teach/groups/"+hw.ID+"/delete")
	res, body = teacher.get("/teach/groups/" + hw.ID + "/edit")
	mustStatus(t, "edit form", res, body, 200)
	mustContain(t, "edit form", body, `value="Homework"`, `value="40"`, "grading settings")
	res, body = teacher.post("/teach/groups/"+hw.ID, url.Values{"_csrf": {tcsrf}, "name": {"Tests"}, "weight": {"30"}})
	mustStatus(t, "a taken name", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "a taken name", body, "already has a group with that name")
	res, body = teacher.post("/teach/groups/"+hw.ID, url.Values{"_csrf": {tcsrf}, "name": {"Practice"}, "weight": {"30"}})
	mustStatus(t, "rename", res, body, http.StatusSeeOther)
	if res, _ := other.post("/teach/groups/"+hw.ID, url.Values{"_csrf": {ocsrf}, "name": {"Mine"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher renamed the group: %d", res.StatusCode)
	}
	if res, _ := student.get("/teach/groups/" + hw.ID + "/edit"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a student opened the group form: %d", res.StatusCode)
	}

	res, body = teacher.get("/teach/groups/" + hw.ID + "/delete")
	mustStatus(t, "confirm", res, body, 200)
	mustContain(t, "confirm", body, "Delete the group “Practice”?", "has 1 assignment.", `name="moveTo"`, `value="`+tests.ID+`"`)
	res, body = teacher.post("/teach/groups/"+hw.ID+"/delete", url.Values{"_csrf": {tcsrf}})
	mustStatus(t, "delete without a destination", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "delete without a destination", body, "Choose the group they move to")
	res, body = teacher.post("/teach/groups/"+hw.ID+"/delete", url.Values{"_csrf": {tcsrf}, "moveTo": {tests.ID}})
	mustStatus(t, "delete moving to Tests", res, body, http.StatusSeeOther)
	_, body = teacher.get("/api/v1/assignments/" + asg.ID)
	if got := decodeJSON[coursework.Assignment](t, "moved", body); got.GroupID == nil || *got.GroupID != tests.ID {
		t.Errorf("the assignment is in group %v, want Tests", got.GroupID)
	}

	// API: rename, refuse without moveTo, delete an empty one.
	res, body = teacher.api("PUT", "/api/v1/groups/"+tests.ID, tcsrf, coursework.GroupInput{Name: "Quizzes", Weight: "60"})
	mustStatus(t, "API rename", res, body, 200)
	mustContain(t, "API rename", body, `"name":"Quizzes"`, `"weight":60`)
	res, body = teacher.api("DELETE", "/api/v1/groups/"+tests.ID, tcsrf, nil)
	mustStatus(t, "API delete without moveTo", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "API delete without moveTo", body, `"field":"moveTo"`)
	if res, _ := student.api("DELETE", "/api/v1/groups/"+empty.ID, scsrf, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a student deleted a group: %d", res.StatusCode)
	}
	if res, _ := other.api("DELETE", "/api/v1/groups/"+empty.ID, ocsrf, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher deleted a group: %d", res.StatusCode)
	}
	res, body = teacher.api("DELETE", "/api/v1/groups/"+empty.ID, tcsrf, nil)
	mustStatus(t, "API delete an empty group", res, body, 200)
	_, body = teacher.get("/api/v1/sections/" + d.section + "/groups")
	if strings.Contains(body, empty.ID) || strings.Contains(body, hw.ID) || !strings.Contains(body, tests.ID) {
		t.Errorf("groups after deleting: %s", snippet(body))
	}
}

// Announcements: the section's teacher edits and deletes them (after a
// confirm page); nobody else may.
func TestAnnouncementsAreEditedAndDeleted(t *testing.T) {
	d := newDistrict(t, "annedit")
	teacher, tcsrf := d.session(db.Teacher)
	student, scsrf := d.session(db.Student)
	guardian, _ := d.session(db.Guardian)
	other, ocsrf := d.otherTeacherWithToken()
	res, body := teacher.post("/teach/sections/"+d.section+"/announcements", url.Values{"_csrf": {tcsrf}, "title": {"Quiz Friday"}, "body": {"<p>Bring a pencil</p>"}})
	mustStatus(t, "announce", res, body, http.StatusSeeOther)
	_, body = teacher.get("/teach/sections/" + d.section)
	m := regexp.MustCompile(`/teach/announcements/([0-9a-f-]{36})/edit`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no edit link for the announcement")
	}
	id := m[1]
	res, body = teacher.get("/teach/announcements/" + id + "/edit")
	mustStatus(t, "edit form", res, body, 200)
	mustContain(t, "edit form", body, `value="Quiz Friday"`, "Bring a pencil")
	res, body = teacher.post("/teach/announcements/"+id, url.Values{"_csrf": {tcsrf}, "title": {" "}})
	mustStatus(t, "no title", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "no title", body, "Give the announcement a title")
	res, body = teacher.post("/teach/announcements/"+id, url.Values{"_csrf": {tcsrf}, "title": {"Quiz Monday"}, "body": {"<p>Moved</p><script>x()</script>"}})
	mustStatus(t, "save", res, body, http.StatusSeeOther)
	_, body = student.get("/learn/sections/" + d.section)
	mustContain(t, "student's class page", body, "Quiz Monday", "Moved")
	if strings.Contains(body, "x()") {
		t.Error("an edited announcement kept a script")
	}
	for who, c := range map[string]*client{"student": student, "guardian": guardian} {
		if res, _ := c.get("/teach/announcements/" + id + "/edit"); res.StatusCode != http.StatusForbidden {
			t.Errorf("the %s opened the announcement form: %d", who, res.StatusCode)
		}
	}
	if res, _ := other.post("/teach/announcements/"+id, url.Values{"_csrf": {ocsrf}, "title": {"Hijacked"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher edited the announcement: %d", res.StatusCode)
	}
	if res, _ := other.api("DELETE", "/api/v1/announcements/"+id, ocsrf, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher deleted the announcement: %d", res.StatusCode)
	}
	if res, _ := student.api("PUT", "/api/v1/announcements/"+id, scsrf, map[string]string{"title": "x"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a student edited the announcement through the API: %d", res.StatusCode)
	}
	res, body = teacher.api("PUT", "/api/v1/announcements/"+id, tcsrf, map[string]string{"title": "Quiz Tuesday", "body": "Again"})
	mustStatus(t, "API edit", res, body, 200)
	mustContain(t, "API edit", body, `"title":"Quiz Tuesday"`, `"editedAt"`)

	res, body = teacher.get("/teach/announcements/" + id + "/delete")
	mustStatus(t, "confirm", res, body, 200)
	mustContain(t, "confirm", body, "Delete the announcement “Quiz Tuesday”?", "Delete announcement")
	res, body = teacher.post("/teach/announcements/"+id+"/delete", url.Values{"_csrf": {tcsrf}})
	mustStatus(t, "delete", res, body, http.StatusSeeOther)
	_, body = teacher.get(res.Header.Get("Location"))
	mustContain(t, "after deleting", body, "Announcement deleted.", "No announcements yet")
	if res, _ := teacher.api("DELETE", "/api/v1/announcements/"+id, tcsrf, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleting it twice: %d", res.StatusCode)
	}
}

// Rubrics: an unused one is deleted; a used one is not (the confirm page
// says why); once a grade rated with it, its criteria stay, its title may
// change.
func TestUsedRubricsAreKept(t *testing.T) {
	d := newDistrict(t, "rubricedit")
	teacher, tcsrf := d.session(db.Teacher)
	student, scsrf := d.session(db.Student)
	other, ocsrf := d.otherTeacherWithToken()
	mk := func(title string) string {
		res, body := teacher.api("POST", "/api/v1/rubrics", tcsrf, rubrics.Input{Title: title, Criteria: []rubrics.InputCriterion{{Title: "Clarity", Levels: "4 Clear\n1 Muddled"}}})
		mustStatus(t, "rubric "+title, res, body, http.StatusCreated)
		return decodeJSON[rubrics.Rubric](t, title, body).ID
	}
	unused, used := mk("Spare"), mk("Essay")
	res, body := teacher.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, coursework.AssignmentInput{Title: "Essay 1",
		GradingType: "points", PointsPossible: "4", SectionIDs: []string{d.section}, RubricID: used})
	mustStatus(t, "assignment", res, body, http.StatusCreated)
	asg := decodeJSON[coursework.Assignment](t, "assignment", body)

	_, body = teacher.get("/teach/rubrics/" + unused)
	mustContain(t, "rubric form", body, "/teach/rubrics/"+unused+"/delete")
	res, body = teacher.get("/teach/rubrics/" + unused + "/delete")
	mustStatus(t, "confirm unused", res, body, 200)
	mustContain(t, "confirm unused", body, "No assignment uses it", "Delete rubric")
	if res, _ := other.post("/teach/rubrics/"+unused+"/delete", url.Values{"_csrf": {ocsrf}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a colleague deleted the rubric: %d", res.StatusCode)
	}
	if res, _ := student.api("DELETE", "/api/v1/rubrics/"+unused, scsrf, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a student deleted the rubric: %d", res.StatusCode)
	}
	res, body = teacher.post("/teach/rubrics/"+unused+"/delete", url.Values{"_csrf": {tcsrf}})
	mustStatus(t, "delete unused", res, body, http.StatusSeeOther)

	res, body = teacher.get("/teach/rubrics/" + used + "/delete")
	mustStatus(t, "confirm used", res, body, 200)
	mustContain(t, "confirm used", body, "used by 1 assignment")
	if strings.Contains(body, `action="/teach/rubrics/`+used+`/delete"`) {
		t.Error("the confirm page of a used rubric offers to delete it")
	}
	res, body = teacher.post("/teach/rubrics/"+used+"/delete", url.Values{"_csrf": {tcsrf}})
	mustStatus(t, "delete used", res, body, http.StatusUnprocessableEntity)
	res, body = teacher.api("DELETE", "/api/v1/rubrics/"+used, tcsrf, nil)
	mustStatus(t, "API delete used", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "API delete used", body, "Assignments use this rubric (1)")

	// Not rated yet: its criteria may change.
	change := rubrics.Input{Title: "Essay", Criteria: []rubrics.InputCriterion{{Title: "Clarity", Levels: "5 Clear\n1 Muddled"}}}
	res, body = teacher.api("PUT", "/api/v1/rubrics/"+used, tcsrf, change)
	mustStatus(t, "change before grading", res, body, 200)
	// Rated: they stay; the title may change.
	res, body = teacher.api("PUT", "/api/v1/assignments/"+asg.ID+"/grades/"+d.users[db.Student].ID, tcsrf, coursework.GradeInput{RubricLevels: map[string]int{"0": 0}})
	mustStatus(t, "grade with the rubric", res, body, 200)
	change.Criteria[0].Levels = "3 Clear\n1 Muddled"
	res, body = teacher.api("PUT", "/api/v1/rubrics/"+used, tcsrf, change)
	mustStatus(t, "change after grading", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "change after grading", body, "already rated grades (1)")
	res, body = teacher.post("/teach/rubrics/"+used, url.Values{"_csrf": {tcsrf}, "title": {"Essay"}, "criterion_0": {"Clarity"}, "levels_0": {"2 Clear\n1 Muddled"}})
	mustStatus(t, "form change after grading", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "form change after grading", body, "already rated grades (1)")
	change.Title, change.Criteria[0].Levels = "Essay (2026)", "5 Clear\n1 Muddled"
	res, body = teacher.api("PUT", "/api/v1/rubrics/"+used, tcsrf, change)
	mustStatus(t, "rename after grading", res, body, 200)
}
