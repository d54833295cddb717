package db_test

import (
	"context"
	"testing"
)

// Migration 00030: once a rubric rated a grade, its criteria's titles and
// levels stay but the outcome each measures may change; linking an outcome
// the caller cannot see files nothing in that outcome's section's trail.
func TestRubricOutcomeLinksAsTheAppRole(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	mustExec(t, tx, `UPDATE grades SET rubric_levels = '{"0": 0}' WHERE assignment_id = $1 AND student_id = $2`, w.cw.essay, w.student1)

	if !try(t, tx, `UPDATE rubrics SET criteria = jsonb_set(criteria, '{0,outcomeId}', to_jsonb($1::text)) WHERE id = $2`, w.oc.algebra, w.cw.rubric) {
		t.Error("linking an outcome to a criterion of a rubric that rated a grade was refused")
	}
	if !try(t, tx, `UPDATE rubrics SET criteria = criteria #- '{0,outcomeId}' WHERE id = $1`, w.cw.rubric) {
		t.Error("unlinking an outcome from a criterion of a rubric that rated a grade was refused")
	}
	if try(t, tx, `UPDATE rubrics SET criteria = jsonb_set(criteria, '{0,title}', '"Renamed"') WHERE id = $1`, w.cw.rubric) {
		t.Error("a criterion of a rubric that rated a grade was renamed")
	}
	if try(t, tx, `UPDATE rubrics SET criteria = jsonb_set(criteria, '{0,outcomeId}', to_jsonb($1::text)) #- '{0,levels,0}' WHERE id = $2`,
		w.oc.algebra, w.cw.rubric) {
		t.Error("a level of a rubric that rated a grade was removed along with a link")
	}

	// biology is sectionB's (another school's): teacher1 does not see it.
	// What the trigger files this transaction is counted by the statistics
	// (the trail itself is sectionB's to read).
	filed := func() int {
		return countRows(t, tx, `SELECT coalesce(sum(n_tup_ins), 0)::int FROM pg_stat_xact_user_tables WHERE relname = 'outcome_audit'`)
	}
	before := filed()
	mustExec(t, tx, `UPDATE rubrics SET criteria = jsonb_set(criteria, '{0,outcomeId}', to_jsonb($1::text)) WHERE id = $2`, w.oc.biology, w.cw.rubric)
	if n := filed() - before; n != 0 {
		t.Errorf("linking another section's outcome filed %d trail entries, want 0", n)
	}
	before = filed()
	mustExec(t, tx, `UPDATE rubrics SET criteria = jsonb_set(criteria, '{0,outcomeId}', to_jsonb($1::text)) WHERE id = $2`, w.oc.algebra, w.cw.rubric)
	if n := filed() - before; n != 1 {
		t.Errorf("moving the link to section1's outcome filed %d trail entries, want 1 (the link)", n)
	}
}
