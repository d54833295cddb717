package web

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// actorOf is the database actor of a signed-in client (its session cookie).
func (d *district) actorOf(c *client, role db.Role) db.Actor {
	base, _ := url.Parse("http://" + d.host + "/")
	for _, ck := range c.jar.Cookies(base) {
		return db.Actor{UserID: d.users[role].ID, Role: role, SchoolID: d.schoolA, Session: ck.Value}
	}
	d.t.Fatal("no session cookie")
	return db.Actor{}
}

// gradedSection is a section with weighted groups (Homework 40% dropping
// its lowest score, Tests 60%), a scheme, two students and grades, one of
// them unposted.
type gradedSection struct {
	hw1, hw2, test, other string
}

func (d *district) gradeSection(t *testing.T, teacher db.Actor) gradedSection {
	t.Helper()
	ctx := context.Background()
	var g gradedSection
	err := d.db.InTx(ctx, teacher, func(s *db.Scope) error {
		_, err := grading.SaveSettings(ctx, s, d.section, grading.SettingsInput{Weighting: "percent", PostPolicy: "manual",
			Scheme: "A 90, B 80, C 70, F 0"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		other, err := people.CreateUser(ctx, s, people.NewUser{Email: "other.student@" + d.host + ".org", GivenName: "Other", FamilyName: "Student"}, db.Student, d.schoolA)
		if err != nil {
			return err
		}
		g.other = other.ID
		if _, err := s.Tx.Exec(ctx, `INSERT INTO enrollments (section_id, school_id, user_id, role) VALUES ($1, $2, $3, 'student')`, d.section, d.schoolA, other.ID); err != nil {
			return err
		}
		var hw, tests string
		if err := s.Tx.QueryRow(ctx, `INSERT INTO assignment_groups (section_id, school_id, name, weight, drop_lowest, position)
			VALUES ($1, $2, 'Homework', 40, 1, 1) RETURNING id`, d.section, d.schoolA).Scan(&hw); err != nil {
			return err
		}
		if err := s.Tx.QueryRow(ctx, `INSERT INTO assignment_groups (section_id, school_id, name, weight, position)
			VALUES ($1, $2, 'Tests', 60, 2) RETURNING id`, d.section, d.schoolA).Scan(&tests); err != nil {
			return err
		}
		asg := func(title, group string, points, dueDays int) string {
			var id string
			if err := s.Tx.QueryRow(ctx, `INSERT INTO assignments (school_id, section_ids, group_id, title, grading_type, points_possible,
				published, due_at) VALUES ($1, ARRAY[$2::uuid], $3, $4, 'points', $5, true, now() + make_interval(days => $6)) RETURNING id`,
				d.schoolA, d.section, group, title, points, dueDays).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		g.hw1, g.hw2, g.test = asg("HW 1", hw, 10, -3), asg("HW 2", hw, 10, -2), asg("Unit test", tests, 100, -1)
		student := d.users[db.Student].ID
		for _, gr := range []struct {
			a, st  string
			score  float64
			posted bool
		}{{g.hw1, student, 10, true}, {g.hw2, student, 5, true}, {g.test, student, 80, false}, {g.hw1, other.ID, 7, true}} {
			if _, err := s.Tx.Exec(ctx, `INSERT INTO grades (assignment_id, student_id, school_id, section_id, score, posted)
				VALUES ($1, $2, $3, $4, $5, $6)`, gr.a, gr.st, d.schoolA, d.section, gr.score, gr.posted); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func shownOf(g calc.Grade) string {
	if g.Percent == nil {
		return "none"
	}
	return g.Percent.String() + " " + g.Letter
}

// The grading read API computes through calc with the section's settings,
// as each role may see it: the teacher every grade of every student, the
// student and the guardian only the child's posted grades.
func TestGradingReadsASectionAsEachRoleMaySee(t *testing.T) {
	d := newDistrict(t, "gradingread")
	tc, _ := d.session(db.Teacher)
	sc, _ := d.session(db.Student)
	gc, _ := d.session(db.Guardian)
	teacher, student, guardian := d.actorOf(tc, db.Teacher), d.actorOf(sc, db.Student), d.actorOf(gc, db.Guardian)
	g := d.gradeSection(t, teacher)
	ctx := context.Background()
	me := d.users[db.Student].ID
	read := func(a db.Actor) *grading.Section {
		t.Helper()
		var sec *grading.Section
		if err := d.db.InTx(ctx, a, func(s *db.Scope) (err error) {
			sec, err = grading.ForSection(ctx, s, d.section, time.Now())
			return err
		}); err != nil {
			t.Fatalf("%s: %v", a.Role, err)
		}
		return sec
	}

	tsec := read(teacher)
	if len(tsec.Students) != 2 || len(tsec.Columns) != 3 {
		t.Fatalf("teacher sees %d students, %d columns", len(tsec.Students), len(tsec.Columns))
	}
	mine := tsec.Student(me).Result
	// Homework: HW 2 (5/10) dropped → 100%; Tests 80% → 0.4×100 + 0.6×80 = 88.
	if got := shownOf(mine.Current); got != "88.00 B" {
		t.Errorf("teacher's current for the student: %s", got)
	}
	if d := mine.Groups[0].Current.Dropped; len(d) != 1 || d[0].AssignmentID != g.hw2 || d[0].Reason != calc.DroppedLowest {
		t.Errorf("dropped: %+v", d)
	}

	for _, viewer := range []db.Actor{student, guardian} {
		sec := read(viewer)
		if len(sec.Students) != 1 || sec.Students[0].StudentID != me {
			t.Fatalf("%s sees students %+v", viewer.Role, sec.Students)
		}
		r := sec.Students[0].Result
		// The unposted test counts as ungraded: current is homework only, final counts it as zero.
		if got, fin := shownOf(r.Current), shownOf(r.Final); got != "100.00 A" || fin != "40.00 F" {
			t.Errorf("%s: current %s, final %s", viewer.Role, got, fin)
		}
		for _, it := range r.Items {
			if it.AssignmentID == g.test && (it.Score != nil || it.State != calc.Ungraded) {
				t.Errorf("%s sees the unposted test: %+v", viewer.Role, it)
			}
		}
	}
	var err error
	if err = d.db.InTx(ctx, student, func(s *db.Scope) error {
		_, _, err := grading.ForStudent(ctx, s, d.section, g.other, time.Now())
		return err
	}); !errors.Is(err, grading.ErrNotVisible) {
		t.Errorf("a student read a classmate's grades: %v", err)
	}
}

// The grades API per role: the teacher reads every student with drops and
// why; the student only themselves and only posted grades; the guardian
// only their child, posted only; a classmate's grades are not found.
func TestGradesAPIPerRole(t *testing.T) {
	d := newDistrict(t, "gradesapi")
	tc, _ := d.session(db.Teacher)
	sc, _ := d.session(db.Student)
	gc, _ := d.session(db.Guardian)
	g := d.gradeSection(t, d.actorOf(tc, db.Teacher))
	me := d.users[db.Student].ID
	type reports struct {
		Items []grading.Report `json:"items"`
	}
	pct := func(p *string) string {
		if p == nil {
			return "none"
		}
		return *p
	}

	res, body := tc.get("/api/v1/sections/" + d.section + "/grades")
	mustStatus(t, "teacher grades", res, body, 200)
	all := decodeJSON[reports](t, "teacher grades", body)
	if len(all.Items) != 2 {
		t.Fatalf("teacher sees %d students", len(all.Items))
	}
	res, body = tc.get("/api/v1/sections/" + d.section + "/grades/" + me)
	mustStatus(t, "teacher student grades", res, body, 200)
	r := decodeJSON[grading.Report](t, "teacher student", body)
	if pct(r.Current.Percent) != "88.00" || r.Current.Letter != "B" || pct(r.Final.Percent) != "88.00" {
		t.Errorf("teacher: current %s %s, final %s", pct(r.Current.Percent), r.Current.Letter, pct(r.Final.Percent))
	}
	if len(r.Groups) != 2 || r.Groups[0].Name != "Homework" || len(r.Groups[0].Current.Dropped) != 1 ||
		r.Groups[0].Current.Dropped[0].AssignmentID != g.hw2 || r.Groups[0].Current.Dropped[0].Why == "" ||
		pct(r.Groups[0].Current.Percent) != "100.00" || pct(r.Groups[1].Current.Percent) != "80.00" {
		t.Errorf("groups: %s", body)
	}

	for _, who := range []struct {
		name string
		c    *client
	}{{"student", sc}, {"guardian", gc}} {
		res, body := who.c.get("/api/v1/sections/" + d.section + "/grades")
		mustStatus(t, who.name+" grades", res, body, 200)
		got := decodeJSON[reports](t, who.name, body)
		if len(got.Items) != 1 || got.Items[0].StudentID != me {
			t.Fatalf("%s sees %s", who.name, body)
		}
		r := got.Items[0]
		if pct(r.Current.Percent) != "100.00" || r.Current.Letter != "A" || pct(r.Final.Percent) != "40.00" {
			t.Errorf("%s: current %s %s, final %s", who.name, pct(r.Current.Percent), r.Current.Letter, pct(r.Final.Percent))
		}
		if strings.Contains(body, `"80.00"`) {
			t.Errorf("%s sees the unposted test score: %s", who.name, body)
		}
		res, _ = who.c.get("/api/v1/sections/" + d.section + "/grades/" + g.other)
		if res.StatusCode != 404 {
			t.Errorf("%s read a classmate's grades: %d", who.name, res.StatusCode)
		}
	}
	// A teacher of another section sees nothing of this one.
	other := d.otherTeacher()
	res, body = other.get("/api/v1/sections/" + d.section + "/grades")
	if res.StatusCode != 404 && !(res.StatusCode == 200 && strings.Contains(body, `"items":[]`)) {
		t.Errorf("another teacher: %d %s", res.StatusCode, snippet(body))
	}
}
