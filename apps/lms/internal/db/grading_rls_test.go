package db_test

import (
	"context"
	"testing"
)

// seedGrading adds grading settings to section1 and sectionB and final-grade
// overrides: student1's posted, student3's not, studentB's posted (through
// the system login, so the attack test reads these tables too).
func seedGrading(t *testing.T, w *rlsWorld) {
	t.Helper()
	ctx := context.Background()
	tx, err := w.sys.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, `INSERT INTO grading_settings (section_id, school_id, weighting, scheme) VALUES ($1, $2, 'percent', '[{"letter":"A","min":90},{"letter":"F","min":0}]')`, w.section1, w.schoolA)
	mustExec(t, tx, `INSERT INTO grading_settings (section_id, school_id) VALUES ($1, $2)`, w.sectionB, w.schoolB)
	override := func(section, school, student string, pct float64, posted bool) {
		mustExec(t, tx, `INSERT INTO final_grade_overrides (section_id, student_id, school_id, percent, posted) VALUES ($1, $2, $3, $4, $5)`,
			section, student, school, pct, posted)
	}
	override(w.section1, w.schoolA, w.student1, 91, true)
	override(w.section1, w.schoolA, w.student3, 72, false)
	override(w.sectionB, w.schoolB, w.studentB, 65, true)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

const (
	settingsQ  = "SELECT section_id::text FROM grading_settings"
	overridesQ = "SELECT student_id::text || ':' || percent::text FROM final_grade_overrides"
	trailQ     = "SELECT student_id::text FROM final_grade_audit"
)

func TestGradingSettingsAndOverridesAsEachRoleReadsThem(t *testing.T) {
	w := seed(t)
	same(t, "teacher1 settings", w.as(t, w.teacher1, "teacher", w.schoolA, settingsQ), []string{w.section1})
	same(t, "teacher2 settings", w.as(t, w.teacher2, "teacher", w.schoolA, settingsQ), nil)
	same(t, "student1 settings", w.as(t, w.student1, "student", w.schoolA, settingsQ), []string{w.section1})
	same(t, "guardian1 settings", w.as(t, w.guardian1, "guardian", w.schoolA, settingsQ), []string{w.section1})
	same(t, "school admin B settings", w.as(t, w.sadminB, "school_admin", w.schoolB, settingsQ), []string{w.sectionB})

	same(t, "teacher1 overrides", w.as(t, w.teacher1, "teacher", w.schoolA, overridesQ), []string{w.student1 + ":91.00", w.student3 + ":72.00"})
	same(t, "teacherB overrides", w.as(t, w.teacherB, "teacher", w.schoolB, overridesQ), []string{w.studentB + ":65.00"})
	// Students and guardians: their own (children's), and only once posted.
	same(t, "student1 overrides", w.as(t, w.student1, "student", w.schoolA, overridesQ), []string{w.student1 + ":91.00"})
	same(t, "student3 overrides", w.as(t, w.student3, "student", w.schoolA, overridesQ), nil)
	same(t, "guardian1 overrides", w.as(t, w.guardian1, "guardian", w.schoolA, overridesQ), []string{w.student1 + ":91.00"})
	same(t, "school admin A overrides", w.as(t, w.sadminA, "school_admin", w.schoolA, overridesQ), []string{w.student1 + ":91.00", w.student3 + ":72.00"})
	if n := len(w.as(t, w.dadmin, "district_admin", "", overridesQ)); n != 3 {
		t.Errorf("district admin sees %d overrides, want 3", n)
	}

	// The trail: the section's teachers and admins, never students or guardians.
	same(t, "teacher1 trail", w.as(t, w.teacher1, "teacher", w.schoolA, trailQ), []string{w.student1, w.student3})
	same(t, "teacherB trail", w.as(t, w.teacherB, "teacher", w.schoolB, trailQ), []string{w.studentB})
	same(t, "student1 trail", w.as(t, w.student1, "student", w.schoolA, trailQ), nil)
	same(t, "guardian1 trail", w.as(t, w.guardian1, "guardian", w.schoolA, trailQ), nil)
}

// Only the section's teachers write its settings and overrides; every
// change to an override is appended to the trail by the database with the
// verified actor, and nobody rewrites the trail.
func TestOnlyTheSectionsTeachersWriteGradingAndTheTrailIsAppendOnly(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	for _, who := range []struct{ user, role, school string }{
		{w.teacher2, "teacher", w.schoolA}, {w.student1, "student", w.schoolA}, {w.guardian1, "guardian", w.schoolA},
		{w.teacherB, "teacher", w.schoolB},
	} {
		tx := w.begin(t, who.user, who.role, who.school)
		try(t, tx, "UPDATE grading_settings SET weighting = 'points'")
		try(t, tx, "UPDATE final_grade_overrides SET percent = 100, posted = true")
		try(t, tx, `INSERT INTO final_grade_overrides (section_id, student_id, school_id, percent, posted) VALUES ($1, $2, $3, 100, true)
			ON CONFLICT (section_id, student_id) DO UPDATE SET percent = 100`, w.section1, w.student3, w.schoolA)
		try(t, tx, "DELETE FROM final_grade_overrides")
		try(t, tx, `INSERT INTO grading_settings (section_id, school_id) VALUES ($1, $2)
			ON CONFLICT (section_id) DO UPDATE SET post_policy = 'automatic'`, w.section1, w.schoolA)
		if n := countRows(t, tx, "SELECT count(*) FROM final_grade_overrides WHERE percent = 100"); n != 0 {
			t.Errorf("%s %s changed an override", who.role, who.user)
		}
		if n := countRows(t, tx, "SELECT count(*) FROM grading_settings WHERE section_id = '"+w.section1+"' AND (weighting = 'points' OR post_policy = 'automatic')"); n != 0 {
			t.Errorf("%s %s changed settings", who.role, who.user)
		}
		tx.Rollback(ctx)
	}
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	if !try(t, tx, "UPDATE grading_settings SET post_policy = 'automatic' WHERE section_id = $1", w.section1) {
		t.Fatal("teacher1 could not change their section's settings")
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('bw.grade_reason', 'retake', true)"); err != nil {
		t.Fatal(err)
	}
	if !try(t, tx, "UPDATE final_grade_overrides SET percent = 88 WHERE student_id = $1", w.student3) {
		t.Fatal("teacher1 could not change an override")
	}
	var actor, reason, oldPct, newPct string
	if err := tx.QueryRow(ctx, `SELECT actor_id::text, reason, old->>'percent', new->>'percent' FROM final_grade_audit
		WHERE student_id = $1 ORDER BY id DESC LIMIT 1`, w.student3).Scan(&actor, &reason, &oldPct, &newPct); err != nil {
		t.Fatal(err)
	}
	if actor != w.teacher1 || reason != "retake" || oldPct != "72.00" || newPct != "88.00" {
		t.Errorf("trail entry: actor %s reason %q %s → %s", actor, reason, oldPct, newPct)
	}
	if !try(t, tx, "DELETE FROM final_grade_overrides WHERE student_id = $1", w.student3) {
		t.Fatal("teacher1 could not remove an override")
	}
	if n := countRows(t, tx, "SELECT count(*) FROM final_grade_audit WHERE new IS NULL AND student_id = '"+w.student3+"'"); n != 1 {
		t.Errorf("removing the override left %d trail entries", n)
	}
	try(t, tx, "UPDATE final_grade_audit SET reason = 'forged'")
	try(t, tx, "DELETE FROM final_grade_audit")
	try(t, tx, `INSERT INTO final_grade_audit (section_id, student_id, school_id, actor_role, new) VALUES ($1, $2, $3, 'teacher', '{}')`,
		w.section1, w.student1, w.schoolA)
	if n := countRows(t, tx, "SELECT count(*) FROM final_grade_audit WHERE reason = 'forged' OR new = '{}'"); n != 0 {
		t.Error("the trail was rewritten")
	}
	if n := countRows(t, tx, "SELECT count(*) FROM final_grade_audit"); n != 4 {
		t.Errorf("trail has %d entries, want 4 (two seeded in section1, the change, the removal)", n)
	}
}
