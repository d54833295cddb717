package db_test

import (
	"context"
	"testing"
)

type outcomesWorld struct {
	district, algebra, biology string
}

// seedOutcomes adds a district outcome, one outcome of section1 and one of
// sectionB, and results (through the system login, which restores write):
// student1's from the posted essay grade and the unposted quiz grade,
// student3's from an unposted grade, studentB's from a posted one.
func seedOutcomes(t *testing.T, w *rlsWorld) {
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
	o := &w.oc
	o.district = one(`INSERT INTO outcomes (title, points_possible, mastery_points, method, calculation_int)
		VALUES ('Reads closely', 4, 3, 'decaying_average', 65) RETURNING id`)
	o.algebra = one(`INSERT INTO outcomes (section_id, school_id, title, points_possible, mastery_points, method)
		VALUES ($1, $2, 'Solves equations', 4, 3, 'highest') RETURNING id`, w.section1, w.schoolA)
	o.biology = one(`INSERT INTO outcomes (section_id, school_id, title, points_possible, mastery_points, method, calculation_int)
		VALUES ($1, $2, 'Explains cells', 4, 3, 'n_mastery', 2) RETURNING id`, w.sectionB, w.schoolB)
	result := func(outcome, assignment, student, section, school string, score float64) {
		mustExec(t, tx, `INSERT INTO outcome_results (outcome_id, assignment_id, student_id, section_id, school_id, source, score)
			VALUES ($1, $2, $3, $4, $5, 'assignment', $6)`, outcome, assignment, student, section, school, score)
	}
	result(o.algebra, w.cw.essay, w.student1, w.section1, w.schoolA, 3.5)
	result(o.algebra, w.cw.quiz, w.student1, w.section1, w.schoolA, 1.5)
	result(o.algebra, w.cw.essay, w.student3, w.section1, w.schoolA, 2.5)
	result(o.biology, w.cw.asgB, w.studentB, w.sectionB, w.schoolB, 4)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

const (
	outcomesQ      = "SELECT title FROM outcomes"
	outcomeResultQ = "SELECT (SELECT u.email FROM users u WHERE u.id = r.student_id) || ':' || r.score::text FROM outcome_results r"
	outcomeAuditQ  = "SELECT kind || ':' || coalesce(student_id::text, '-') FROM outcome_audit"
)

func TestOutcomesAndResultsAsEachRoleReadsThem(t *testing.T) {
	w := seed(t)
	// Outcomes: the district's for everyone, a section's for its people.
	same(t, "teacher1 outcomes", w.as(t, w.teacher1, "teacher", w.schoolA, outcomesQ), []string{"Reads closely", "Solves equations"})
	same(t, "teacher2 outcomes", w.as(t, w.teacher2, "teacher", w.schoolA, outcomesQ), []string{"Reads closely"})
	same(t, "teacherB outcomes", w.as(t, w.teacherB, "teacher", w.schoolB, outcomesQ), []string{"Reads closely", "Explains cells"})
	same(t, "student1 outcomes", w.as(t, w.student1, "student", w.schoolA, outcomesQ), []string{"Reads closely", "Solves equations"})
	same(t, "student2 outcomes", w.as(t, w.student2, "student", w.schoolA, outcomesQ), []string{"Reads closely"})
	same(t, "guardian1 outcomes", w.as(t, w.guardian1, "guardian", w.schoolA, outcomesQ), []string{"Reads closely", "Solves equations"})
	same(t, "school admin A outcomes", w.as(t, w.sadminA, "school_admin", w.schoolA, outcomesQ), []string{"Reads closely", "Solves equations"})
	same(t, "district admin outcomes", w.as(t, w.dadmin, "district_admin", "", outcomesQ), []string{"Reads closely", "Solves equations", "Explains cells"})

	// Results: a student their own, a guardian their child's, and only
	// those of posted grades (student1's quiz grade and student3's essay
	// grade are not posted).
	same(t, "teacher1 results", w.as(t, w.teacher1, "teacher", w.schoolA, outcomeResultQ), []string{"s1@a.org:3.50", "s1@a.org:1.50", "s3@a.org:2.50"})
	same(t, "teacher2 results", w.as(t, w.teacher2, "teacher", w.schoolA, outcomeResultQ), nil)
	same(t, "teacherB results", w.as(t, w.teacherB, "teacher", w.schoolB, outcomeResultQ), []string{"sb@b.org:4.00"})
	same(t, "student1 results", w.as(t, w.student1, "student", w.schoolA, outcomeResultQ), []string{"s1@a.org:3.50"})
	same(t, "student3 results", w.as(t, w.student3, "student", w.schoolA, outcomeResultQ), nil)
	same(t, "guardian1 results", w.as(t, w.guardian1, "guardian", w.schoolA, outcomeResultQ), []string{"s1@a.org:3.50"})
	same(t, "school admin A results", w.as(t, w.sadminA, "school_admin", w.schoolA, outcomeResultQ), []string{"s1@a.org:3.50", "s1@a.org:1.50", "s3@a.org:2.50"})
	same(t, "school admin B results", w.as(t, w.sadminB, "school_admin", w.schoolB, outcomeResultQ), []string{"sb@b.org:4.00"})
	if n := len(w.as(t, w.dadmin, "district_admin", "", outcomeResultQ)); n != 4 {
		t.Errorf("district admin sees %d results, want 4", n)
	}

	// The trail: the section's teachers and admins, never students or guardians.
	same(t, "teacher1 trail", w.as(t, w.teacher1, "teacher", w.schoolA, outcomeAuditQ),
		[]string{"outcome:-", "result:" + w.student1, "result:" + w.student1, "result:" + w.student3})
	same(t, "teacherB trail", w.as(t, w.teacherB, "teacher", w.schoolB, outcomeAuditQ), []string{"outcome:-", "result:" + w.studentB})
	same(t, "student1 trail", w.as(t, w.student1, "student", w.schoolA, outcomeAuditQ), nil)
	same(t, "guardian1 trail", w.as(t, w.guardian1, "guardian", w.schoolA, outcomeAuditQ), nil)
	if n := len(w.as(t, w.dadmin, "district_admin", "", outcomeAuditQ)); n != 7 {
		t.Errorf("district admin sees %d trail entries, want 7", n)
	}
}

// Only a section's teachers write its outcomes and only district admins
// the district's; nobody but the database writes results, and nobody
// rewrites the trail.
func TestOnlyTheSectionsTeachersWriteOutcomesAndNobodyForgesResults(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	for _, who := range []struct{ user, role, school string }{
		{w.teacher2, "teacher", w.schoolA}, {w.student1, "student", w.schoolA}, {w.guardian1, "guardian", w.schoolA},
		{w.teacherB, "teacher", w.schoolB}, {w.sadminA, "school_admin", w.schoolA}, {w.teacher1, "teacher", w.schoolA},
	} {
		tx := w.begin(t, who.user, who.role, who.school)
		try(t, tx, "UPDATE outcomes SET mastery_points = 0 WHERE section_id IS NULL")
		try(t, tx, `INSERT INTO outcomes (title, points_possible, mastery_points, method) VALUES ('Forged district', 4, 3, 'latest')`)
		if who.user != w.teacher1 {
			try(t, tx, "UPDATE outcomes SET mastery_points = 0")
			try(t, tx, `INSERT INTO outcomes (section_id, school_id, title, points_possible, mastery_points, method)
				VALUES ($1, $2, 'Forged', 4, 3, 'latest')`, w.section1, w.schoolA)
			try(t, tx, "DELETE FROM outcomes")
		}
		try(t, tx, "UPDATE outcome_results SET score = 4")
		try(t, tx, "DELETE FROM outcome_results")
		try(t, tx, `INSERT INTO outcome_results (outcome_id, assignment_id, student_id, section_id, school_id, source, score)
			VALUES ($1, $2, $3, $4, $5, 'assignment', 4)`, w.oc.algebra, w.cw.quiz, w.student3, w.section1, w.schoolA)
		try(t, tx, "UPDATE outcome_audit SET reason = 'forged'")
		try(t, tx, "DELETE FROM outcome_audit")
		try(t, tx, `INSERT INTO outcome_audit (kind, outcome_id, actor_role, new) VALUES ('outcome', $1, 'teacher', '{}')`, w.oc.algebra)
		// teacherB may change sectionB's own outcome (and, since it has
		// results, cannot delete it: 00024), so only others' count.
		if n := countRows(t, tx, `SELECT count(*) FROM outcomes WHERE (mastery_points = 0
			AND coalesce(NOT section_id = ANY ((SELECT bw_sections())::uuid[]), true)) OR title LIKE 'Forged%'`); n != 0 {
			t.Errorf("%s %s changed outcomes", who.role, who.user)
		}
		if n := countRows(t, tx, "SELECT count(*) FROM outcome_results WHERE score = 4 AND student_id <> '"+w.studentB+"'"); n != 0 {
			t.Errorf("%s %s forged a result", who.role, who.user)
		}
		if n := countRows(t, tx, "SELECT count(*) FROM outcome_audit WHERE reason = 'forged' OR new = '{}'"); n != 0 {
			t.Errorf("%s %s rewrote the trail", who.role, who.user)
		}
		tx.Rollback(ctx)
	}
	// A refused delete leaves the rows the writer sees.
	for _, who := range []struct{ user, role, school string }{{w.teacher1, "teacher", w.schoolA}, {w.student1, "student", w.schoolA}} {
		tx := w.begin(t, who.user, who.role, who.school)
		try(t, tx, "DELETE FROM outcome_results")
		try(t, tx, "DELETE FROM outcome_audit")
		if n := countRows(t, tx, "SELECT count(*) FROM outcome_results"); n == 0 {
			t.Errorf("%s deleted results", who.role)
		}
		tx.Rollback(ctx)
	}

	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	if !try(t, tx, `INSERT INTO outcomes (section_id, school_id, title, points_possible, mastery_points, method)
		VALUES ($1, $2, 'Graphs lines', 4, 3, 'latest')`, w.section1, w.schoolA) {
		t.Error("teacher1 could not add an outcome to their section")
	}
	if !try(t, tx, "UPDATE outcomes SET mastery_points = 2.5 WHERE id = $1", w.oc.algebra) {
		t.Error("teacher1 could not change their section's outcome")
	}
}

// Grading records results: a rated rubric criterion linked to an outcome
// records the level's share of the best level in outcome points; an
// outcome attached to the assignment records the score's share; excusing
// the work removes them. Every change is in the trail with the teacher and
// the reason.
func TestGradingRecordsOutcomeResults(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	mustExec(t, tx, `UPDATE rubrics SET criteria = jsonb_set(criteria, '{0,outcomeId}', to_jsonb($1::text)) WHERE id = $2`, w.oc.district, w.cw.rubric)
	mustExec(t, tx, `UPDATE assignments SET outcome_ids = ARRAY[$1::uuid] WHERE id = $2`, w.oc.algebra, w.cw.essay)
	mustExec(t, tx, "SELECT set_config('bw.grade_reason', 'regraded with the rubric', true)")
	// Thesis rated "Vague" (2 of 5); the essay scored 6 of 10.
	mustExec(t, tx, `UPDATE grades SET rubric_levels = '{"0": 1}', score = 6 WHERE assignment_id = $1 AND student_id = $2`, w.cw.essay, w.student3)
	results := func() []string {
		rows, err := tx.Query(ctx, `SELECT outcome_id::text || ' ' || source || ' ' || score::text FROM outcome_results
			WHERE assignment_id = $1 AND student_id = $2 ORDER BY 1`, w.cw.essay, w.student3)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	same(t, "recorded results", results(), []string{w.oc.district + " criterion:0 1.60", w.oc.algebra + " assignment 2.40"})
	var actor, reason, oldScore, newScore string
	if err := tx.QueryRow(ctx, `SELECT actor_id::text, reason, old->>'score', new->>'score' FROM outcome_audit
		WHERE kind = 'result' AND outcome_id = $1 AND student_id = $2 ORDER BY id DESC LIMIT 1`, w.oc.algebra, w.student3).
		Scan(&actor, &reason, &oldScore, &newScore); err != nil {
		t.Fatal(err)
	}
	if actor != w.teacher1 || reason != "regraded with the rubric" || oldScore != "2.50" || newScore != "2.40" {
		t.Errorf("trail entry: actor %s reason %q %s → %s", actor, reason, oldScore, newScore)
	}
	mustExec(t, tx, `UPDATE grades SET status = 'excused' WHERE assignment_id = $1 AND student_id = $2`, w.cw.essay, w.student3)
	same(t, "results after excusing", results(), nil)
	if n := countRows(t, tx, "SELECT count(*) FROM outcome_audit WHERE kind = 'result' AND new IS NULL AND student_id = '"+w.student3+"'"); n != 2 {
		t.Errorf("excusing left %d removal entries, want 2", n)
	}
}
