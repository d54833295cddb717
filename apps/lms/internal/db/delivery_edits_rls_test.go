package db_test

import (
	"context"
	"sort"
	"testing"

	"github.com/jackc/pgx/v5"
)

// deleteAs calls bw_delete_assignment acting as a user, in a transaction
// that rolls back; it answers the function's result ("" for NULL) and
// whether it was refused.
func deleteAs(t *testing.T, w *rlsWorld, user, role, school, assignment string) (string, bool) {
	t.Helper()
	ctx := context.Background()
	tx := w.begin(t, user, role, school)
	defer tx.Rollback(ctx)
	var out *string
	if err := tx.QueryRow(ctx, "SELECT bw_delete_assignment($1)", assignment).Scan(&out); err != nil {
		return "", true
	}
	if out == nil {
		return "", false
	}
	return *out, false
}

// Only a district admin or a teacher of every section of the work deletes
// it, through bw_delete_assignment; graded or submitted work is marked
// deleted, never removed; work with neither is removed.
func TestOnlyTheSectionsTeacherDeletesWork(t *testing.T) {
	w := seed(t)
	c := w.cw
	for _, tc := range []struct {
		name, user, role, school, assignment, want string
		refused                                    bool
	}{
		{"teacher1, graded essay", w.teacher1, "teacher", w.schoolA, c.essay, "archived", false},
		{"teacher1, ungraded draft", w.teacher1, "teacher", w.schoolA, c.draft, "deleted", false},
		{"district admin, graded essay", w.dadmin, "district_admin", "", c.essay, "archived", false},
		{"teacher2, teacher1's essay", w.teacher2, "teacher", w.schoolA, c.essay, "", true},
		{"school admin A", w.sadminA, "school_admin", w.schoolA, c.essay, "", true},
		{"student1", w.student1, "student", w.schoolA, c.essay, "", true},
		{"guardian1", w.guardian1, "guardian", w.schoolA, c.essay, "", true},
		{"teacherB, another school's work", w.teacherB, "teacher", w.schoolB, c.asg2, "", true},
	} {
		got, refused := deleteAs(t, w, tc.user, tc.role, tc.school, tc.assignment)
		if got != tc.want || refused != tc.refused {
			t.Errorf("%s: got %q refused %v, want %q refused %v", tc.name, got, refused, tc.want, tc.refused)
		}
	}
	// The app role cannot bring deleted work back or reach it: the row is
	// invisible, so an UPDATE finds nothing.
	ctx := context.Background()
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	mustExec(t, tx, "SELECT bw_delete_assignment($1)", c.essay)
	tag, err := tx.Exec(ctx, "UPDATE assignments SET deleted_at = NULL WHERE id = $1", c.essay)
	if err == nil && tag.RowsAffected() != 0 {
		t.Error("a teacher restored deleted work by hand")
	}
}

// After deleting graded work, its grades and their trail stay, but nobody
// sees the work, grades it, submits to it or reads its files any more.
func TestDeletedWorkDisappearsButKeepsGradesAndTrail(t *testing.T) {
	w := seed(t)
	c := w.cw
	ctx := context.Background()
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	trail := countRows(t, tx, "SELECT count(*) FROM grade_audit WHERE assignment_id = '"+c.essay+"'")
	if trail == 0 {
		t.Fatal("the seeded essay grades have no trail")
	}
	mustExec(t, tx, "SELECT bw_delete_assignment($1)", c.essay)
	rows, _ := tx.Query(ctx, assignmentsQ)
	titles, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(titles)
	same(t, "teacher1 assignments after deleting the essay", titles, []string{"Quiz", "Draft"})
	if n := countRows(t, tx, "SELECT count(*) FROM grades WHERE assignment_id = '"+c.essay+"'"); n != 2 {
		t.Errorf("%d essay grades after deleting it, want 2", n)
	}
	if n := countRows(t, tx, "SELECT count(*) FROM grade_audit WHERE assignment_id = '"+c.essay+"'"); n != trail {
		t.Errorf("%d trail rows after deleting, want %d", n, trail)
	}
	if n := countRows(t, tx, "SELECT count(*) FROM assignment_attachments WHERE assignment_id = '"+c.essay+"'"); n != 0 {
		t.Errorf("the deleted essay's attachments are still listed (%d)", n)
	}
	// Grading deleted work is refused by the grades policy (it reads assignments).
	if try(t, tx, "INSERT INTO grades (assignment_id, student_id, school_id, section_id, score) VALUES ($1, $2, $3, $4, 1)",
		c.essay, w.student3, w.schoolA, w.section1) {
		if n := countRows(t, tx, "SELECT count(*) FROM grades WHERE assignment_id = '"+c.essay+"' AND score = 1"); n > 0 {
			t.Error("a teacher graded deleted work")
		}
	}
}

// A group is deleted only with its assignments moved to another group of
// the same section (deleted work too, which the teacher no longer sees),
// and only by its section's teacher.
func TestGroupDeletionMovesItsWork(t *testing.T) {
	w := seed(t)
	c := w.cw
	ctx := context.Background()
	for _, who := range []struct{ user, role string }{{w.teacher2, "teacher"}, {w.student1, "student"}, {w.guardian1, "guardian"}, {w.sadminA, "school_admin"}} {
		other := w.begin(t, who.user, who.role, w.schoolA)
		var done bool
		err := other.QueryRow(ctx, "SELECT bw_delete_group($1, NULL)", c.group).Scan(&done)
		_ = other.Rollback(ctx)
		if err == nil {
			t.Errorf("%s deleting teacher1's group: answered %v, want refused", who.role, done)
		}
	}
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	if try(t, tx, "DELETE FROM assignment_groups WHERE id = $1", c.group) {
		t.Error("a group with assignments was deleted without moving them")
	}
	if try(t, tx, "SELECT bw_delete_group($1, NULL)", c.group) {
		t.Error("bw_delete_group deleted a group with assignments and no destination")
	}
	var other string
	if err := tx.QueryRow(ctx, "INSERT INTO assignment_groups (section_id, school_id, name) VALUES ($1, $2, 'Tests') RETURNING id",
		w.section1, w.schoolA).Scan(&other); err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, "SELECT bw_delete_assignment($1)", c.essay) // deleted work moves too
	mustExec(t, tx, "SELECT bw_delete_group($1, $2)", c.group, other)
	if n := countRows(t, tx, "SELECT count(*) FROM assignment_groups WHERE id = '"+c.group+"'"); n != 0 {
		t.Error("the group is still there")
	}
}

// A rubric that work uses is not deleted, nor are its criteria changed
// once a grade rated with it; bw_rubric_use counts across sections.
func TestUsedRubricIsKept(t *testing.T) {
	w := seed(t)
	c := w.cw
	ctx := context.Background()
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	if try(t, tx, "DELETE FROM rubrics WHERE id = $1", c.rubric) {
		t.Error("a rubric in use was deleted")
	}
	var used, graded int
	if err := tx.QueryRow(ctx, "SELECT assignments, graded FROM bw_rubric_use($1)", c.rubric).Scan(&used, &graded); err != nil {
		t.Fatal(err)
	}
	if used != 1 || graded != 0 {
		t.Errorf("rubric use %d/%d, want 1 assignment, 0 rated grades", used, graded)
	}
	// Unrated so far: its criteria may change.
	if !try(t, tx, `UPDATE rubrics SET criteria = '[{"title":"Thesis","levels":[{"title":"Clear","points":4}]}]' WHERE id = $1`, c.rubric) {
		t.Error("an unrated rubric could not be changed")
	}
	// Another school's teacher learns nothing about it. (One connection:
	// teacher1's transaction ends first; it also holds the rubric's row.)
	_ = tx.Rollback(ctx)
	txB := w.begin(t, w.teacherB, "teacher", w.schoolB)
	if err := txB.QueryRow(ctx, "SELECT assignments FROM bw_rubric_use($1)", c.rubric).Scan(&used); err != nil || used != 0 {
		t.Errorf("teacherB reads rubric use %d (%v), want 0", used, err)
	}
	_ = txB.Rollback(ctx)
	// Once a grade rated with it, the criteria stay.
	sys, err := w.sys.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Rollback(ctx)
	mustExec(t, sys, `UPDATE grades SET rubric_levels = '{"0": 0}' WHERE assignment_id = $1 AND student_id = $2`, c.essay, w.student1)
	if try(t, sys, `UPDATE rubrics SET criteria = '[]' WHERE id = $1`, c.rubric) {
		t.Error("a rubric that rated a grade was changed")
	}
	if !try(t, sys, `UPDATE rubrics SET title = 'Essay rubric (2026)' WHERE id = $1`, c.rubric) {
		t.Error("renaming a used rubric was refused")
	}
}

// Before an assignment opens, students and guardians see it (its title and
// dates) but not its files; teachers see them.
func TestFilesOfWorkThatHasNotOpenedAreHidden(t *testing.T) {
	w := seed(t)
	c := w.cw
	ctx := context.Background()
	if _, err := w.sys.Exec(ctx, "UPDATE assignments SET unlock_at = now() + interval '1 day' WHERE id = $1", c.essay); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = w.sys.Exec(ctx, "UPDATE assignments SET unlock_at = NULL WHERE id = $1", c.essay) }()
	same(t, "student1 assignments", w.as(t, w.student1, "student", w.schoolA, assignmentsQ), []string{"Essay", "Quiz"})
	same(t, "student1 files", w.as(t, w.student1, "student", w.schoolA, "SELECT name FROM files"), []string{"s1-essay.pdf"})
	same(t, "student1 attachments", w.as(t, w.student1, "student", w.schoolA, "SELECT file_id::text FROM assignment_attachments"), nil)
	same(t, "guardian1 files", w.as(t, w.guardian1, "guardian", w.schoolA, "SELECT name FROM files"), []string{"s1-essay.pdf"})
	same(t, "teacher1 attachments", w.as(t, w.teacher1, "teacher", w.schoolA, "SELECT file_id::text FROM assignment_attachments"), []string{c.fileTeacher1})
	same(t, "school admin A attachments", w.as(t, w.sadminA, "school_admin", w.schoolA, "SELECT file_id::text FROM assignment_attachments"), []string{c.fileTeacher1})
}

// The soft delete is real: the owner still reads the row with its
// deleted_at, and the grades and trail are there after commit.
func TestDeletedWorkStaysInTheDatabase(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	var asg string
	if err := w.sys.QueryRow(ctx, `INSERT INTO assignments (school_id, section_ids, title, grading_type, points_possible, published)
		VALUES ($1, ARRAY[$2::uuid], 'Kept', 'points', 10, true) RETURNING id`, w.schoolA, w.section1).Scan(&asg); err != nil {
		t.Fatal(err)
	}
	owner, err := pgx.Connect(ctx, w.dir.OwnerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	t.Cleanup(func() {
		_, _ = owner.Exec(ctx, "DELETE FROM grades WHERE assignment_id = $1", asg)
		_, _ = owner.Exec(ctx, "DELETE FROM assignments WHERE id = $1", asg)
	})
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	mustExec(t, tx, "SELECT set_config('bw.grade_reason', 'first', true)")
	mustExec(t, tx, "INSERT INTO grades (assignment_id, student_id, school_id, section_id, score) VALUES ($1, $2, $3, $4, 8)", asg, w.student3, w.schoolA, w.section1)
	mustExec(t, tx, "SELECT bw_delete_assignment($1)", asg)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var deleted, by bool
	var grades, trail int
	if err := owner.QueryRow(ctx, `SELECT deleted_at IS NOT NULL, deleted_by = $2,
		(SELECT count(*) FROM grades WHERE assignment_id = $1), (SELECT count(*) FROM grade_audit WHERE assignment_id = $1)
		FROM assignments WHERE id = $1`, asg, w.teacher1).Scan(&deleted, &by, &grades, &trail); err != nil {
		t.Fatal(err)
	}
	if !deleted || !by || grades != 1 || trail != 1 {
		t.Errorf("after the soft delete: deleted %v by teacher1 %v, %d grades, %d trail rows; want true true 1 1", deleted, by, grades, trail)
	}
}

// The section's teachers edit and delete its announcements, in their own
// name as editor; the author, section and posting time stay; nobody else
// changes them.
func TestAnnouncementsChangeOnlyByTheSectionsTeachers(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	// (One connection: each user's transaction ends before the next begins.)
	for _, who := range []struct{ user, role string }{{w.teacher2, "teacher"}, {w.student1, "student"}, {w.guardian1, "guardian"}, {w.sadminA, "school_admin"}} {
		other := w.begin(t, who.user, who.role, w.schoolA)
		for _, sql := range []string{"UPDATE announcements SET title = 'x', edited_by = '" + who.user + "' WHERE title = 'Quiz Friday'",
			"DELETE FROM announcements WHERE title = 'Quiz Friday'"} {
			tag, err := other.Exec(ctx, sql)
			if err == nil && tag.RowsAffected() > 0 {
				t.Errorf("%s changed section1's announcement: %s", who.role, sql)
			}
		}
		_ = other.Rollback(ctx)
	}
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `UPDATE announcements SET title = 'Quiz Monday', author_id = $1, section_id = $2,
		edited_by = $3, edited_at = now() WHERE title = 'Quiz Friday'`, w.teacher2, w.section2, w.teacher1)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("teacher1 edits their section's announcement: %v (%d rows)", err, tag.RowsAffected())
	}
	var author, section string
	if err := tx.QueryRow(ctx, "SELECT author_id::text, section_id::text FROM announcements WHERE title = 'Quiz Monday'").Scan(&author, &section); err != nil {
		t.Fatal(err)
	}
	if author != w.teacher1 || section != w.section1 {
		t.Errorf("an edit moved the announcement: author %s section %s", author, section)
	}
	if try(t, tx, "UPDATE announcements SET title = 'x', edited_by = $1 WHERE title = 'Quiz Monday'", w.teacher2) {
		t.Error("an edit was recorded in another teacher's name")
	}
	tag, err = tx.Exec(ctx, "DELETE FROM announcements WHERE title = 'Quiz Monday'")
	if err != nil || tag.RowsAffected() != 1 {
		t.Errorf("teacher1 deleted %d announcements (%v), want 1", tag.RowsAffected(), err)
	}
}
