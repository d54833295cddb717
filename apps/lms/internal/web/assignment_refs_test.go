package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// A teacher who knows the id of a group of a section they do not teach, or
// of another school's rubric, cannot file their work there: the form and
// the API answer 422 on the group or rubric field, and nothing is saved.
func TestAssignmentRefusesAnotherSectionsGroupAndAnotherSchoolsRubric(t *testing.T) {
	d := newDistrict(t, "groupguard")
	tc, tcsrf := d.session(db.Teacher)
	ctx := context.Background()
	var foreignGroup, ownGroup, foreignRubric, asg string
	inSystem(t, d, func(s *db.Scope) error {
		var other, schoolB string
		if err := s.Tx.QueryRow(ctx, `INSERT INTO sections (school_id, course_id, title)
			SELECT school_id, course_id, 'Algebra I - P9' FROM sections WHERE id = $1 RETURNING id`, d.section).Scan(&other); err != nil {
			return err
		}
		if err := s.Tx.QueryRow(ctx, `INSERT INTO assignment_groups (section_id, school_id, name) VALUES ($1, $2, 'Theirs') RETURNING id`,
			other, d.schoolA).Scan(&foreignGroup); err != nil {
			return err
		}
		if err := s.Tx.QueryRow(ctx, `INSERT INTO assignment_groups (section_id, school_id, name) VALUES ($1, $2, 'Mine') RETURNING id`,
			d.section, d.schoolA).Scan(&ownGroup); err != nil {
			return err
		}
		if err := s.Tx.QueryRow(ctx, "INSERT INTO schools (code, name, time_zone) VALUES ('GB', 'School GB', 'UTC') RETURNING id").Scan(&schoolB); err != nil {
			return err
		}
		owner, err := people.CreateUser(ctx, s, people.NewUser{Email: "owner.b@groupguard.org", GivenName: "B", FamilyName: "Owner"}, db.Teacher, schoolB)
		if err != nil {
			return err
		}
		if err := s.Tx.QueryRow(ctx, `INSERT INTO rubrics (school_id, owner_id, title) VALUES ($1, $2, 'Elsewhere') RETURNING id`,
			schoolB, owner.ID).Scan(&foreignRubric); err != nil {
			return err
		}
		return s.Tx.QueryRow(ctx, `INSERT INTO assignments (school_id, section_ids, title, grading_type, points_possible)
			VALUES ($1, ARRAY[$2::uuid], 'Mine', 'points', 10) RETURNING id`, d.schoolA, d.section).Scan(&asg)
	})
	count := func() int {
		return d.count(t, "SELECT count(*) FROM assignments WHERE group_id = $1 OR rubric_id = $2", foreignGroup, foreignRubric)
	}

	form := url.Values{"_csrf": {tcsrf}, "title": {"Stray"}, "grading_type": {"points"}, "points_possible": {"10"},
		"section_ids": {d.section}, "group_id": {foreignGroup}}
	res, body := tc.post("/teach/sections/"+d.section+"/assignments", form)
	mustStatus(t, "form, another section's group", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "form, another section's group", body, "Choose a group of one of the sections", `aria-describedby="group-error"`)
	form.Set("group_id", ownGroup)
	form.Set("rubric_id", foreignRubric)
	res, body = tc.post("/teach/assignments/"+asg, form)
	mustStatus(t, "edit form, another school's rubric", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "edit form, another school's rubric", body, "Choose one of your school&#39;s rubrics", `aria-describedby="rubric-error"`)

	in := coursework.AssignmentInput{Title: "Stray", GradingType: "points", PointsPossible: "10", SectionIDs: []string{d.section}, GroupID: foreignGroup}
	res, body = tc.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, in)
	mustStatus(t, "API, another section's group", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "API, another section's group", body, `"groupId"`, "Choose a group of one of the sections")
	in.GroupID, in.RubricID = "", foreignRubric
	res, body = tc.api("PUT", "/api/v1/assignments/"+asg, tcsrf, in)
	mustStatus(t, "API, another school's rubric", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "API, another school's rubric", body, `"rubricId"`, "Choose one of your school's rubrics")
	in.RubricID = "not-a-uuid"
	res, body = tc.api("PUT", "/api/v1/assignments/"+asg, tcsrf, in)
	mustStatus(t, "API, a rubric id that is no id", res, body, http.StatusUnprocessableEntity)
	if n := count(); n != 0 {
		t.Errorf("%d assignments saved with the foreign group or rubric", n)
	}

	// The teacher's own group still files the work.
	in.RubricID, in.GroupID = "", ownGroup
	res, body = tc.api("PUT", "/api/v1/assignments/"+asg, tcsrf, in)
	mustStatus(t, "API, own group", res, body, http.StatusOK)
}

// The guardian overview's list of published work withholds what has not
// opened yet, as every other list does.
func TestPublishedInSectionsWithholdsUnopenedWork(t *testing.T) {
	d := newDistrict(t, "publishedwithhold")
	ctx := context.Background()
	var asg string
	inSystem(t, d, func(s *db.Scope) error {
		return s.Tx.QueryRow(ctx, `INSERT INTO assignments (school_id, section_ids, title, instructions_html, grading_type, points_possible, published, unlock_at)
			VALUES ($1, ARRAY[$2::uuid], 'Later', '<p>Secret</p>', 'points', 10, true, $3) RETURNING id`,
			d.schoolA, d.section, time.Now().Add(48*time.Hour)).Scan(&asg)
	})
	for _, role := range []db.Role{db.Guardian, db.Student, db.Teacher} {
		c, _ := d.session(role)
		var got []coursework.Assignment
		if err := d.db.InTx(ctx, d.actorOf(c, role), func(s *db.Scope) (err error) {
			got, err = coursework.PublishedInSections(ctx, s, []string{d.section})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != asg {
			t.Fatalf("%s: %d assignments", role, len(got))
		}
		withheld := got[0].InstructionsHTML == "" && got[0].LockedForUser
		if want := role != db.Teacher; withheld != want || !strings.Contains(got[0].Title, "Later") {
			t.Errorf("%s: withheld %v, want %v (%+v)", role, withheld, want, got[0])
		}
	}
}
