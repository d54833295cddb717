package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// refusedBy runs one statement in a savepoint and answers the constraint
// the database named when refusing it ("" when it was accepted).
func refusedBy(t *testing.T, tx pgx.Tx, sql string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	mustExec(t, tx, "SAVEPOINT attempt")
	_, err := tx.Exec(ctx, sql, args...)
	if err == nil {
		mustExec(t, tx, "RELEASE SAVEPOINT attempt")
		return ""
	}
	mustExec(t, tx, "ROLLBACK TO SAVEPOINT attempt")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Fatalf("%s: %v", sql, err)
	}
	if pgErr.Code != "23514" {
		return "code " + pgErr.Code
	}
	return pgErr.ConstraintName
}

// A teacher cannot file work in another section's group, nor use another
// school's rubric, though both ids pass the foreign keys (which ignore
// row-level security): the check_assignment_refs trigger refuses them.
func TestAssignmentGroupAndRubricBelongWithIt(t *testing.T) {
	w := seed(t)
	c := w.cw
	ctx := context.Background()
	newIn := func(section, group, rubric any) (string, []any) {
		return `INSERT INTO assignments (school_id, section_ids, group_id, rubric_id, title, grading_type)
			VALUES ($1, ARRAY[$2::uuid], $3, $4, 'x', 'points')`, []any{w.schoolA, section, group, rubric}
	}

	t2 := w.begin(t, w.teacher2, "teacher", w.schoolA)
	defer t2.Rollback(ctx)
	sql, args := newIn(w.section2, c.group, nil)
	if got := refusedBy(t, t2, sql, args...); got != "assignment_group_section" {
		t.Errorf("teacher2 creating work in section1's group: refused by %q, want assignment_group_section", got)
	}
	if got := refusedBy(t, t2, "UPDATE assignments SET group_id = $1 WHERE id = $2", c.group, c.asg2); got != "assignment_group_section" {
		t.Errorf("teacher2 moving their work into section1's group: refused by %q, want assignment_group_section", got)
	}
	// The school's rubric is teacher2's to reuse.
	sql, args = newIn(w.section2, nil, c.rubric)
	if got := refusedBy(t, t2, sql, args...); got != "" {
		t.Errorf("teacher2 reusing the school's rubric: refused by %q", got)
	}
	var ownGroup string
	if err := t2.QueryRow(ctx, "INSERT INTO assignment_groups (section_id, school_id, name) VALUES ($1, $2, 'Mine') RETURNING id",
		w.section2, w.schoolA).Scan(&ownGroup); err != nil {
		t.Fatal(err)
	}
	if got := refusedBy(t, t2, "UPDATE assignments SET group_id = $1 WHERE id = $2", ownGroup, c.asg2); got != "" {
		t.Errorf("teacher2 filing work in their own group: refused by %q", got)
	}
	_ = t2.Rollback(ctx)

	tB := w.begin(t, w.teacherB, "teacher", w.schoolB)
	defer tB.Rollback(ctx)
	if got := refusedBy(t, tB, `INSERT INTO assignments (school_id, section_ids, rubric_id, title, grading_type)
		VALUES ($1, ARRAY[$2::uuid], $3, 'x', 'points')`, w.schoolB, w.sectionB, c.rubric); got != "assignment_rubric_school" {
		t.Errorf("teacherB using school A's rubric: refused by %q, want assignment_rubric_school", got)
	}
	if got := refusedBy(t, tB, "UPDATE assignments SET rubric_id = $1 WHERE id = $2", c.rubric, c.asgB); got != "assignment_rubric_school" {
		t.Errorf("teacherB setting school A's rubric on their work: refused by %q, want assignment_rubric_school", got)
	}
	_ = tB.Rollback(ctx)

	// Not the app role only: posting grouped work away from the group's
	// section is refused for the system too.
	sys, err := w.sys.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Rollback(ctx)
	if got := refusedBy(t, sys, "UPDATE assignments SET section_ids = ARRAY[$1::uuid] WHERE id = $2", w.section2, c.essay); got != "assignment_group_section" {
		t.Errorf("moving grouped work to another section: refused by %q, want assignment_group_section", got)
	}
	// Other edits of the grouped, rubric-graded essay go through.
	if got := refusedBy(t, sys, "UPDATE assignments SET title = 'Essay 2', group_id = group_id, rubric_id = rubric_id WHERE id = $1", c.essay); got != "" {
		t.Errorf("renaming the essay: refused by %q", got)
	}
}

// bw_rubric_use answers teachers and admins of the rubric's school; a
// student or guardian (who may see a rubric on their work) learns nothing.
func TestRubricUseIsForStaff(t *testing.T) {
	w := seed(t)
	c := w.cw
	for _, tc := range []struct {
		name, user, role, school string
		want                     int
	}{
		{"teacher1", w.teacher1, "teacher", w.schoolA, 1},
		{"teacher2 (same school)", w.teacher2, "teacher", w.schoolA, 1},
		{"school admin A", w.sadminA, "school_admin", w.schoolA, 1},
		{"district admin", w.dadmin, "district_admin", "", 1},
		{"student1", w.student1, "student", w.schoolA, 0},
		{"guardian1", w.guardian1, "guardian", w.schoolA, 0},
		{"teacherB", w.teacherB, "teacher", w.schoolB, 0},
	} {
		ctx := context.Background()
		tx := w.begin(t, tc.user, tc.role, tc.school)
		var used, graded int
		err := tx.QueryRow(ctx, "SELECT assignments, graded FROM bw_rubric_use($1)", c.rubric).Scan(&used, &graded)
		_ = tx.Rollback(ctx)
		if err != nil || used != tc.want || graded != 0 {
			t.Errorf("%s: rubric use %d/%d (%v), want %d/0", tc.name, used, graded, err, tc.want)
		}
	}
}

// Rows written before migration 00029 are not checked until their group,
// rubric, sections or school change: a stray row (made here by turning the
// trigger off as the owner) still takes an edit that saves the same
// references, as the LMS's update does.
func TestStrayRowsWrittenBeforeTheCheckStayEditable(t *testing.T) {
	w := seed(t)
	c := w.cw
	ctx := context.Background()
	owner, err := pgx.Connect(ctx, w.dir.OwnerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	tx, err := owner.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	mustExec(t, tx, "ALTER TABLE assignments DISABLE TRIGGER check_assignment_refs")
	mustExec(t, tx, "UPDATE assignments SET group_id = $1 WHERE id = $2", c.group, c.asg2)
	mustExec(t, tx, "ALTER TABLE assignments ENABLE TRIGGER check_assignment_refs")
	if got := refusedBy(t, tx, "UPDATE assignments SET title = 'Renamed', group_id = group_id, section_ids = section_ids WHERE id = $1", c.asg2); got != "" {
		t.Errorf("editing a stray row without changing its group: refused by %q", got)
	}
	if got := refusedBy(t, tx, "UPDATE assignments SET section_ids = section_ids || $1::uuid WHERE id = $2", w.sectionB, c.asg2); got != "assignment_group_section" {
		t.Errorf("changing a stray row's sections: refused by %q, want assignment_group_section", got)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// (Deferred: it runs before the owner's connection closes.)
	defer func() {
		if _, err := owner.Exec(ctx, "UPDATE assignments SET title = 'Algebra 2 homework', group_id = NULL WHERE id = $1", c.asg2); err != nil {
			t.Error(err)
		}
	}()

	// Deleting the group moves section1's work and ungroups the stray
	// work of section2 instead of moving it into another section1 group.
	// (A district admin, who sees both, deletes it.)
	da := w.begin(t, w.dadmin, "district_admin", "")
	defer da.Rollback(ctx)
	var other string
	if err := da.QueryRow(ctx, "INSERT INTO assignment_groups (section_id, school_id, name) VALUES ($1, $2, 'Tests') RETURNING id",
		w.section1, w.schoolA).Scan(&other); err != nil {
		t.Fatal(err)
	}
	mustExec(t, da, "SELECT bw_delete_group($1, $2)", c.group, other)
	var essayGroup, strayGroup *string
	if err := da.QueryRow(ctx, "SELECT (SELECT group_id::text FROM assignments WHERE id = $1), (SELECT group_id::text FROM assignments WHERE id = $2)",
		c.essay, c.asg2).Scan(&essayGroup, &strayGroup); err != nil {
		t.Fatal(err)
	}
	if essayGroup == nil || *essayGroup != other || strayGroup != nil {
		t.Errorf("after deleting the group: essay in %v, stray work in %v; want %s and none", essayGroup, strayGroup, other)
	}
}
