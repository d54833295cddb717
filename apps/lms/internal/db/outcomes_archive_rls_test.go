package db_test

import (
	"context"
	"strings"
	"testing"
)

// Migration 00024: archiving is an update its writers may make and the
// trail records; attaching and detaching an outcome lands in the trail
// (kind link), filed under the section and school, written by the database
// alone; an outcome with results cannot be deleted directly, but
// deleting its section still removes it.
func TestOutcomeArchiveLinksAndDeleteAsTheAppRole(t *testing.T) {
	w := seed(t)
	ctx := context.Background()

	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	mustExec(t, tx, "SELECT set_config('bw.grade_reason', 'unit 2', true)")
	mustExec(t, tx, `UPDATE outcomes SET archived_at = now() WHERE id = $1`, w.oc.algebra)
	mustExec(t, tx, `UPDATE assignments SET outcome_ids = ARRAY[$1::uuid, $2::uuid] WHERE id = $3`, w.oc.algebra, w.oc.district, w.cw.essay)
	mustExec(t, tx, `UPDATE rubrics SET criteria = jsonb_set(criteria, '{0,outcomeId}', to_jsonb($1::text)) WHERE id = $2`, w.oc.algebra, w.cw.rubric)
	mustExec(t, tx, `UPDATE rubrics SET criteria = criteria #- '{0,outcomeId}' WHERE id = $1`, w.cw.rubric)
	links := func(q string) []string {
		rows, err := tx.Query(ctx, q)
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
	got := links(`SELECT concat_ws(' ', CASE WHEN new IS NULL THEN 'detached' ELSE 'attached' END,
		coalesce(new, old)->>'assignment', coalesce(new, old)->>'criterionTitle', reason, actor_id = '` + w.teacher1 + `')
		FROM outcome_audit WHERE kind = 'link' ORDER BY id`)
	want := []string{"attached Essay unit 2 t", "attached Essay unit 2 t", "attached Thesis unit 2 t", "detached Thesis unit 2 t"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("link entries:\n got  %v\n want %v", got, want)
	}
	// Filed under the section and school, which the trail's policy (00021)
	// shows to the section's teachers and the school's admins only.
	if n := countRows(t, tx, `SELECT count(*) FROM outcome_audit WHERE kind = 'link'
		AND (section_id IS DISTINCT FROM '`+w.section1+`' OR school_id IS DISTINCT FROM '`+w.schoolA+`')`); n != 0 {
		t.Errorf("%d link entries outside section1", n)
	}
	if n := countRows(t, tx, `SELECT count(*) FROM outcome_audit WHERE kind = 'outcome' AND old->>'archived_at' IS NULL
		AND new->>'archived_at' IS NOT NULL AND reason = 'unit 2'`); n != 1 {
		t.Errorf("archiving entries: %d, want 1", n)
	}
	// Nobody forges a link entry.
	if try(t, tx, `INSERT INTO outcome_audit (kind, outcome_id, actor_role, new) VALUES ('link', $1, 'teacher', '{}')`, w.oc.algebra) {
		t.Error("teacher1 wrote the trail")
	}
	// The results stay; a direct delete is refused while there are results.
	if try(t, tx, `DELETE FROM outcomes WHERE id = $1`, w.oc.algebra) {
		t.Error("teacher1 deleted an outcome with results")
	}
	if n := countRows(t, tx, `SELECT count(*) FROM outcome_results WHERE outcome_id = '`+w.oc.algebra+`'`); n != 3 {
		t.Errorf("results of the archived outcome: %d, want 3", n)
	}
	// An outcome nobody was assessed on may still be deleted by its writer.
	mustExec(t, tx, `INSERT INTO outcomes (section_id, school_id, title, points_possible, mastery_points, method)
		VALUES ($1, $2, 'Typo', 4, 3, 'latest')`, w.section1, w.schoolA)
	if !try(t, tx, `DELETE FROM outcomes WHERE title = 'Typo'`) {
		t.Error("teacher1 could not delete an unused outcome")
	}
	tx.Rollback(ctx)

	// Deleting a section still removes its outcomes, results and all.
	sys, err := w.sys.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Rollback(ctx)
	if _, err := sys.Exec(ctx, `DELETE FROM sections WHERE id = $1`, w.section1); err != nil {
		t.Fatalf("deleting a section with assessed outcomes: %v", err)
	}
	var left int
	if err := sys.QueryRow(ctx, `SELECT count(*) FROM outcomes WHERE id = $1`, w.oc.algebra).Scan(&left); err != nil || left != 0 {
		t.Errorf("the section's outcome after deleting the section: %d %v", left, err)
	}
}
