package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/pkg/directory"
)

// courseworkWorld is the course delivery part of the RLS world (seeded
// through the system login, so the attack test reads these tables full):
// in section1 (teacher1; students 1 and 3) a published assignment with a
// rubric, an attachment and overrides, a published quiz and a draft; in
// section2 (teacher2; student2) and sectionB (teacherB; studentB) one
// published assignment each. Submissions and grades of each student, some
// grades posted, some not.
type courseworkWorld struct {
	rubric, group                  string
	essay, quiz, draft, asg2, asgB string
	fileStudent1, fileTeacher1     string
	fileStudent3Unattached         string
}

func seedCoursework(t *testing.T, w *rlsWorld) {
	t.Helper()
	ctx := context.Background()
	tx, err := w.sys.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	one := func(sql string, args ...any) string {
		var id string
		if err := tx.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return id
	}
	c := &w.cw
	c.rubric = one(`INSERT INTO rubrics (school_id, owner_id, title, criteria) VALUES ($1, $2, 'Essay rubric',
		'[{"title":"Thesis","levels":[{"title":"Clear","points":5},{"title":"Vague","points":2}]}]') RETURNING id`, w.schoolA, w.teacher1)
	c.group = one(`INSERT INTO assignment_groups (section_id, school_id, name, weight) VALUES ($1, $2, 'Homework', 40) RETURNING id`, w.section1, w.schoolA)
	asg := func(title string, school, section string, published bool) string {
		return one(`INSERT INTO assignments (school_id, section_ids, title, grading_type, points_possible, submission_types, published, due_at)
			VALUES ($1, ARRAY[$2::uuid], $3, 'points', 10, '{text,file,link}', $4, now() + interval '1 day') RETURNING id`, school, section, title, published)
	}
	c.essay = asg("Essay", w.schoolA, w.section1, true)
	mustExec(t, tx, `UPDATE assignments SET rubric_id = $1, group_id = $2 WHERE id = $3`, c.rubric, c.group, c.essay)
	c.quiz = asg("Quiz", w.schoolA, w.section1, true)
	c.draft = asg("Draft", w.schoolA, w.section1, false)
	c.asg2 = asg("Algebra 2 homework", w.schoolA, w.section2, true)
	c.asgB = asg("Cells", w.schoolB, w.sectionB, true)
	mustExec(t, tx, `INSERT INTO assignment_overrides (assignment_id, school_id, section_id, due_at) VALUES ($1, $2, $3, now() + interval '2 days')`, c.essay, w.schoolA, w.section1)
	mustExec(t, tx, `INSERT INTO assignment_overrides (assignment_id, school_id, student_id, due_at) VALUES ($1, $2, $3, now() + interval '3 days')`, c.essay, w.schoolA, w.student3)
	file := func(school, owner, key string) string {
		return one(`INSERT INTO files (school_id, uploaded_by, name, content_type, size_bytes, sha256, storage_key)
			VALUES ($1, $2, $3, 'application/pdf', 10, 'x', $3) RETURNING id`, school, owner, key)
	}
	c.fileStudent1 = file(w.schoolA, w.student1, "s1-essay.pdf")
	c.fileTeacher1 = file(w.schoolA, w.teacher1, "t1-handout.pdf")
	c.fileStudent3Unattached = file(w.schoolA, w.student3, "s3-draft.pdf")
	mustExec(t, tx, `INSERT INTO assignment_attachments (assignment_id, file_id, school_id) VALUES ($1, $2, $3)`, c.essay, c.fileTeacher1, w.schoolA)
	submit := func(assignment, school, section, student string, attempt int, kind string, body, url, file any) {
		mustExec(t, tx, `INSERT INTO submissions (assignment_id, school_id, section_id, student_id, attempt, kind, body, url, file_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, assignment, school, section, student, attempt, kind, body, url, file)
	}
	submit(c.essay, w.schoolA, w.section1, w.student1, 1, "text", "first draft", nil, nil)
	submit(c.essay, w.schoolA, w.section1, w.student1, 2, "file", nil, nil, c.fileStudent1)
	submit(c.essay, w.schoolA, w.section1, w.student3, 1, "link", nil, "https://example.org/s3", nil)
	submit(c.asg2, w.schoolA, w.section2, w.student2, 1, "text", "s2 work", nil, nil)
	submit(c.asgB, w.schoolB, w.sectionB, w.studentB, 1, "text", "sb work", nil, nil)
	mustExec(t, tx, `INSERT INTO announcements (section_id, school_id, author_id, title) VALUES ($1, $2, $3, 'Quiz Friday')`, w.section1, w.schoolA, w.teacher1)
	mustExec(t, tx, `INSERT INTO announcements (section_id, school_id, author_id, title) VALUES ($1, $2, $3, 'Lab goggles')`, w.sectionB, w.schoolB, w.teacherB)
	grade := func(assignment, school, section, student string, score float64, posted bool) {
		mustExec(t, tx, `INSERT INTO grades (assignment_id, student_id, school_id, section_id, score, comment, posted)
			VALUES ($1, $2, $3, $4, $5, 'comment', $6)`, assignment, student, school, section, score, posted)
	}
	grade(c.essay, w.schoolA, w.section1, w.student1, 9, true)
	grade(c.quiz, w.schoolA, w.section1, w.student1, 4, false)
	grade(c.essay, w.schoolA, w.section1, w.student3, 7, false)
	grade(c.asg2, w.schoolA, w.section2, w.student2, 8, true)
	grade(c.asgB, w.schoolB, w.sectionB, w.studentB, 6, true)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

const (
	submissionsQ = "SELECT u.email || ':' || s.attempt FROM submissions s JOIN users u ON u.id = s.student_id"
	// Joins users by id only for naming: the grade's own visibility decides.
	gradesQ      = "SELECT (SELECT a.title FROM assignments a WHERE a.id = g.assignment_id) || ':' || g.student_id FROM grades g"
	assignmentsQ = "SELECT title FROM assignments"
)

func TestStudentReadsOnlyTheirOwnSubmissionsAndPostedGrades(t *testing.T) {
	w := seed(t)
	same(t, "student1 submissions", w.as(t, w.student1, "student", w.schoolA, submissionsQ), []string{"s1@a.org:1", "s1@a.org:2"})
	same(t, "student3 submissions", w.as(t, w.student3, "student", w.schoolA, submissionsQ), []string{"s3@a.org:1"})
	// student1's quiz grade is not posted; student3's essay grade neither.
	same(t, "student1 grades", w.as(t, w.student1, "student", w.schoolA, gradesQ), []string{"Essay:" + w.student1})
	same(t, "student3 grades", w.as(t, w.student3, "student", w.schoolA, gradesQ), nil)
	same(t, "student1 assignments", w.as(t, w.student1, "student", w.schoolA, assignmentsQ), []string{"Essay", "Quiz"})
	// Their own file, and the teacher's attachment on published work; not a classmate's.
	same(t, "student1 files", w.as(t, w.student1, "student", w.schoolA, "SELECT name FROM files"), []string{"s1-essay.pdf", "t1-handout.pdf"})
	// The section's override, not student3's own.
	same(t, "student1 overrides", w.as(t, w.student1, "student", w.schoolA,
		"SELECT coalesce(section_id::text, 'student') FROM assignment_overrides"), []string{w.section1})
	same(t, "student3 overrides", w.as(t, w.student3, "student", w.schoolA,
		"SELECT coalesce(section_id::text, 'student') FROM assignment_overrides"), []string{w.section1, "student"})
	same(t, "student1 rubrics", w.as(t, w.student1, "student", w.schoolA, "SELECT title FROM rubrics"), []string{"Essay rubric"})
	same(t, "student1 announcements", w.as(t, w.student1, "student", w.schoolA, "SELECT title FROM announcements"), []string{"Quiz Friday"})
	same(t, "student2 announcements", w.as(t, w.student2, "student", w.schoolA, "SELECT title FROM announcements"), nil)
	same(t, "student1 grade audit", w.as(t, w.student1, "student", w.schoolA, "SELECT id::text FROM grade_audit"), nil)
}

func TestGuardianSeesOnlyPostedGradesOfTheirChildren(t *testing.T) {
	w := seed(t)
	same(t, "guardian1 grades", w.as(t, w.guardian1, "guardian", w.schoolA, gradesQ), []string{"Essay:" + w.student1})
	same(t, "guardian1 submissions", w.as(t, w.guardian1, "guardian", w.schoolA, submissionsQ), []string{"s1@a.org:1", "s1@a.org:2"})
	same(t, "guardian1 assignments", w.as(t, w.guardian1, "guardian", w.schoolA, assignmentsQ), []string{"Essay", "Quiz"})
	same(t, "guardian1 grade audit", w.as(t, w.guardian1, "guardian", w.schoolA, "SELECT id::text FROM grade_audit"), nil)
	// A guardian writes nothing.
	tx := w.begin(t, w.guardian1, "guardian", w.schoolA)
	defer tx.Rollback(context.Background())
	if try(t, tx, "UPDATE grades SET posted = true, score = 10") {
		if n := countRows(t, tx, "SELECT count(*) FROM grades WHERE score = 10"); n != 0 {
			t.Errorf("a guardian changed %d grades", n)
		}
	}
}

func TestTeacherSeesTheWorkOfTheirSectionsOnly(t *testing.T) {
	w := seed(t)
	same(t, "teacher1 assignments", w.as(t, w.teacher1, "teacher", w.schoolA, assignmentsQ), []string{"Essay", "Quiz", "Draft"})
	same(t, "teacher1 submissions", w.as(t, w.teacher1, "teacher", w.schoolA, submissionsQ), []string{"s1@a.org:1", "s1@a.org:2", "s3@a.org:1"})
	same(t, "teacher1 grades", w.as(t, w.teacher1, "teacher", w.schoolA, gradesQ),
		[]string{"Essay:" + w.student1, "Quiz:" + w.student1, "Essay:" + w.student3})
	same(t, "teacher2 assignments", w.as(t, w.teacher2, "teacher", w.schoolA, assignmentsQ), []string{"Algebra 2 homework"})
	same(t, "teacher2 submissions", w.as(t, w.teacher2, "teacher", w.schoolA, submissionsQ), []string{"s2@a.org:1"})
	// Rubrics are shared within a school.
	same(t, "teacher2 rubrics", w.as(t, w.teacher2, "teacher", w.schoolA, "SELECT title FROM rubrics"), []string{"Essay rubric"})
	same(t, "teacherB rubrics", w.as(t, w.teacherB, "teacher", w.schoolB, "SELECT title FROM rubrics"), nil)
	same(t, "teacher2 files", w.as(t, w.teacher2, "teacher", w.schoolA, "SELECT name FROM files"), nil)
	same(t, "teacher1 files", w.as(t, w.teacher1, "teacher", w.schoolA, "SELECT name FROM files"), []string{"s1-essay.pdf", "t1-handout.pdf"})
}

func TestAdminsSeeCourseworkOfTheirScope(t *testing.T) {
	w := seed(t)
	same(t, "school admin A assignments", w.as(t, w.sadminA, "school_admin", w.schoolA, assignmentsQ),
		[]string{"Essay", "Quiz", "Draft", "Algebra 2 homework"})
	same(t, "school admin B grades", w.as(t, w.sadminB, "school_admin", w.schoolB, gradesQ), []string{"Cells:" + w.studentB})
	if n := len(w.as(t, w.dadmin, "district_admin", "", "SELECT student_id::text FROM grades")); n != 5 {
		t.Errorf("district admin sees %d grades, want 5", n)
	}
}

// A student submits only as themselves, to published, open work of their
// own sections, at the database's time, with their own files.
func TestStudentSubmitsOnlyTheirOwnOpenWork(t *testing.T) {
	w := seed(t)
	c := w.cw
	ctx := context.Background()
	cases := []struct {
		name string
		sql  string
		args []any
		ok   bool
	}{
		{"own text to open work", `INSERT INTO submissions (assignment_id, school_id, section_id, student_id, attempt, kind, body) VALUES ($1, $2, $3, $4, 3, 'text', 'again')`,
			[]any{c.essay, w.schoolA, w.section1, w.student1}, true},
		{"as a classmate", `INSERT INTO submissions (assignment_id, school_id, section_id, student_id, attempt, kind, body) VALUES ($1, $2, $3, $4, 2, 'text', 'x')`,
			[]any{c.essay, w.schoolA, w.section1, w.student3}, false},
		{"backdated", `INSERT INTO submissions (assignment_id, school_id, section_id, student_id, attempt, kind, body, submitted_at) VALUES ($1, $2, $3, $4, 3, 'text', 'x', now() - interval '1 day')`,
			[]any{c.essay, w.schoolA, w.section1, w.student1}, false},
		{"to a draft", `INSERT INTO submissions (assignment_id, school_id, section_id, student_id, attempt, kind, body) VALUES ($1, $2, $3, $4, 1, 'text', 'x')`,
			[]any{c.draft, w.schoolA, w.section1, w.student1}, false},
		{"to another section's work", `INSERT INTO submissions (assignment_id, school_id, section_id, student_id, attempt, kind, body) VALUES ($1, $2, $3, $4, 1, 'text', 'x')`,
			[]any{c.asg2, w.schoolA, w.section2, w.student1}, false},
		{"with a classmate's file", `INSERT INTO submissions (assignment_id, school_id, section_id, student_id, attempt, kind, file_id) VALUES ($1, $2, $3, $4, 3, 'file', $5)`,
			[]any{c.essay, w.schoolA, w.section1, w.student1, c.fileStudent3Unattached}, false},
		{"changing an attempt", `UPDATE submissions SET body = 'rewritten' WHERE student_id = $1`, []any{w.student1}, false},
		{"deleting an attempt", `DELETE FROM submissions WHERE student_id = $1`, []any{w.student1}, false},
		{"grading themselves", `INSERT INTO grades (assignment_id, student_id, school_id, section_id, score, posted) VALUES ($1, $2, $3, $4, 10, true)`,
			[]any{c.draft, w.student1, w.schoolA, w.section1}, false},
	}
	for _, tc := range cases {
		tx := w.begin(t, w.student1, "student", w.schoolA)
		tag, err := tx.Exec(ctx, tc.sql, tc.args...)
		accepted := err == nil && tag.RowsAffected() > 0
		_ = tx.Rollback(ctx)
		if accepted != tc.ok {
			t.Errorf("%s: accepted %v (err %v), want %v", tc.name, accepted, err, tc.ok)
		}
	}
	// A locked assignment takes nothing.
	var locked string
	if err := w.sys.QueryRow(ctx, `INSERT INTO assignments (school_id, section_ids, title, grading_type, submission_types, published, lock_at)
		VALUES ($1, ARRAY[$2::uuid], 'Locked', 'points', '{text}', true, now() - interval '1 minute') RETURNING id`, w.schoolA, w.section1).Scan(&locked); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = w.sys.Exec(ctx, "DELETE FROM assignments WHERE id = $1", locked) })
	tx := w.begin(t, w.student1, "student", w.schoolA)
	defer tx.Rollback(ctx)
	if try(t, tx, `INSERT INTO submissions (assignment_id, school_id, section_id, student_id, attempt, kind, body)
		VALUES ('`+locked+`', '`+w.schoolA+`', '`+w.section1+`', '`+w.student1+`', 1, 'text', 'late')`) {
		t.Error("a student submitted to a locked assignment")
	}
}

// Teachers grade the students of their own sections on those sections'
// work; each change is in the trail, in the teacher's name, and nobody can
// write, change or delete the trail by hand.
func TestTeacherGradesOwnSectionAndEveryChangeIsAudited(t *testing.T) {
	w := seed(t)
	c := w.cw
	ctx := context.Background()
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	mustExec(t, tx, "SELECT set_config('bw.grade_reason', 'regraded after review', true)")
	mustExec(t, tx, "UPDATE grades SET score = 6, status = 'late' WHERE assignment_id = $1 AND student_id = $2", c.essay, w.student3)
	var actor, role, reason, oldScore, newScore, newStatus string
	if err := tx.QueryRow(ctx, `SELECT actor_id::text, actor_role, reason, old->>'score', new->>'score', new->>'status' FROM grade_audit
		WHERE assignment_id = $1 AND student_id = $2 ORDER BY id DESC LIMIT 1`, c.essay, w.student3).
		Scan(&actor, &role, &reason, &oldScore, &newScore, &newStatus); err != nil {
		t.Fatal(err)
	}
	if actor != w.teacher1 || role != "teacher" || reason != "regraded after review" || oldScore != "7.00" || newScore != "6.00" || newStatus != "late" {
		t.Errorf("audit row: actor %s role %s reason %q old %s new %s status %s", actor, role, reason, oldScore, newScore, newStatus)
	}
	refused := []struct{ name, sql string }{
		{"grading another section's student", `INSERT INTO grades (assignment_id, student_id, school_id, section_id, score) VALUES ('` + c.asg2 + `', '` + w.student2 + `', '` + w.schoolA + `', '` + w.section2 + `', 1)`},
		{"grading a student not in the section", `INSERT INTO grades (assignment_id, student_id, school_id, section_id, score) VALUES ('` + c.quiz + `', '` + w.student2 + `', '` + w.schoolA + `', '` + w.section1 + `', 1)`},
		{"moving a grade to another section", `UPDATE grades SET section_id = '` + w.section2 + `' WHERE student_id = '` + w.student1 + `'`},
		{"forging a trail entry", `INSERT INTO grade_audit (assignment_id, student_id, school_id, section_id, actor_id, actor_role, new) VALUES ('` + c.essay + `', '` + w.student1 + `', '` + w.schoolA + `', '` + w.section1 + `', '` + w.teacher1 + `', 'teacher', '{}')`},
		{"posting an assignment to a section they do not teach", `UPDATE assignments SET section_ids = ARRAY['` + w.section1 + `'::uuid, '` + w.section2 + `'::uuid] WHERE id = '` + c.essay + `'`},
		{"creating work for another section", `INSERT INTO assignments (school_id, section_ids, title, grading_type) VALUES ('` + w.schoolA + `', ARRAY['` + w.section2 + `'::uuid], 'x', 'points')`},
	}
	for _, r := range refused {
		if try(t, tx, r.sql) {
			t.Errorf("%s was accepted", r.name)
		}
	}
	// Changing or deleting the trail affects no row.
	for _, sql := range []string{"UPDATE grade_audit SET reason = 'nothing happened'", "DELETE FROM grade_audit"} {
		if tag, err := tx.Exec(ctx, sql); err == nil && tag.RowsAffected() != 0 {
			t.Errorf("%s changed %d rows", sql, tag.RowsAffected())
		}
	}
	if n := countRows(t, tx, "SELECT count(*) FROM grade_audit WHERE reason = 'regraded after review'"); n != 1 {
		t.Errorf("the trail lost its entry: %d", n)
	}
}

// The first graded assignment reaches the onboarding milestone the
// operator reads, through the readonly role, from operator_status.
func TestFirstGradeReachesTheOnboardingMilestone(t *testing.T) {
	w := build(t) // a world of its own, graded nowhere yet
	ctx := context.Background()
	ro, err := pgx.Connect(ctx, lmstest.Server.URL(w.dir.Name, w.dir.Name+"_readonly", lmstest.ReadonlyPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close(ctx)
	st, err := directory.ReadStatus(ctx, ro)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Milestones[directory.MilestoneFirstGrade]; ok {
		t.Fatal("milestone reached before any grade")
	}
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	var asg string
	if err := tx.QueryRow(ctx, `INSERT INTO assignments (school_id, section_ids, title, grading_type, points_possible, published)
		VALUES ($1, ARRAY[$2::uuid], 'First', 'points', 10, true) RETURNING id`, w.schoolA, w.section1).Scan(&asg); err != nil {
		t.Fatal(err)
	}
	// A comment alone is not a grade.
	mustExec(t, tx, `INSERT INTO grades (assignment_id, student_id, school_id, section_id, comment) VALUES ($1, $2, $3, $4, 'see me')`, asg, w.student1, w.schoolA, w.section1)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ = directory.ReadStatus(ctx, ro); st.Milestones[directory.MilestoneFirstGrade].ReachedAt != (time.Time{}) {
		t.Fatal("a comment without a score reached the milestone")
	}
	tx = w.begin(t, w.teacher1, "teacher", w.schoolA)
	mustExec(t, tx, `UPDATE grades SET score = 9 WHERE assignment_id = $1`, asg)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	st, err = directory.ReadStatus(ctx, ro)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := st.Milestones[directory.MilestoneFirstGrade]
	if !ok || time.Since(m.ReachedAt) > time.Hour {
		t.Fatalf("milestone after grading: %+v (%v)", m, ok)
	}
}

func countRows(t *testing.T, tx pgx.Tx, sql string) int {
	t.Helper()
	var n int
	if err := tx.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// A teacher writes nothing of a colleague's section: groups, announcements,
// overrides, attachments, another's rubric; and attaches only their own
// files. Each refused write is checked to have changed nothing.
func TestTeacherCannotWriteAnotherSectionsWork(t *testing.T) {
	w := seed(t)
	c := w.cw
	ctx := context.Background()
	tx := w.begin(t, w.teacher2, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	q := func(s string) string { return "'" + s + "'" }
	refused := []struct{ name, sql string }{
		{"a group in section1", `INSERT INTO assignment_groups (section_id, school_id, name) VALUES (` + q(w.section1) + `, ` + q(w.schoolA) + `, 'Mine')`},
		{"an announcement in section1", `INSERT INTO announcements (section_id, school_id, author_id, title) VALUES (` + q(w.section1) + `, ` + q(w.schoolA) + `, ` + q(w.teacher2) + `, 'x')`},
		{"an override on the essay", `INSERT INTO assignment_overrides (assignment_id, school_id, section_id, due_at) VALUES (` + q(c.essay) + `, ` + q(w.schoolA) + `, ` + q(w.section1) + `, now())`},
		{"an attachment on the essay", `INSERT INTO assignment_attachments (assignment_id, file_id, school_id) VALUES (` + q(c.essay) + `, ` + q(c.fileStudent3Unattached) + `, ` + q(w.schoolA) + `)`},
		{"attaching a student's file to their own work", `INSERT INTO assignment_attachments (assignment_id, file_id, school_id) VALUES (` + q(c.asg2) + `, ` + q(c.fileStudent1) + `, ` + q(w.schoolA) + `)`},
		{"an announcement in their own section in teacher1's name", `INSERT INTO announcements (section_id, school_id, author_id, title) VALUES (` + q(w.section2) + `, ` + q(w.schoolA) + `, ` + q(w.teacher1) + `, 'x')`},
		{"a rubric in teacher1's name", `INSERT INTO rubrics (school_id, owner_id, title) VALUES (` + q(w.schoolA) + `, ` + q(w.teacher1) + `, 'x')`},
	}
	for _, r := range refused {
		if try(t, tx, r.sql) {
			t.Errorf("teacher2: %s was accepted", r.name)
		}
	}
	for _, sql := range []string{
		"UPDATE rubrics SET title = 'taken over'",
		"UPDATE assignments SET title = 'taken over' WHERE id = '" + c.essay + "'",
		"DELETE FROM assignments WHERE id = '" + c.essay + "'",
		"UPDATE announcements SET title = 'taken over'",
		"DELETE FROM assignment_overrides",
	} {
		if tag, err := tx.Exec(ctx, sql); err == nil && tag.RowsAffected() != 0 {
			t.Errorf("teacher2: %s changed %d rows", sql, tag.RowsAffected())
		}
	}
	// Their own section's work they may write.
	if !try(t, tx, `INSERT INTO assignment_groups (section_id, school_id, name) VALUES (`+q(w.section2)+`, `+q(w.schoolA)+`, 'Quizzes')`) {
		t.Error("teacher2 could not add a group to their own section")
	}
}
