package db_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// affected runs sql in a savepoint and returns the rows it changed, or -1
// when the database refused it.
func affected(t *testing.T, tx pgx.Tx, sql string, args ...any) int64 {
	t.Helper()
	ctx := context.Background()
	mustExec(t, tx, "SAVEPOINT attempt")
	tag, err := tx.Exec(ctx, sql, args...)
	if err != nil {
		mustExec(t, tx, "ROLLBACK TO SAVEPOINT attempt")
		return -1
	}
	mustExec(t, tx, "RELEASE SAVEPOINT attempt")
	return tag.RowsAffected()
}

// Alert settings and digest records, read and written as every role on the
// app role: a guardian sees and changes only their own settings (never
// another family's), reads only their own digests and records none;
// teachers, students and admins see and change nothing; system work
// (the digest job) reads and writes all.
func TestGuardianAlertsAsEachRole(t *testing.T) {
	w := build(t) // a world of its own: this test adds a second family
	ctx := context.Background()
	tx, err := w.sys.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var guardian2 string
	if err := tx.QueryRow(ctx, "INSERT INTO users (email, display_name) VALUES ('g2@home.org', 'g2') RETURNING id").Scan(&guardian2); err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, "INSERT INTO memberships (user_id, role, school_id) VALUES ($1, 'guardian', $2)", guardian2, w.schoolA)
	mustExec(t, tx, "INSERT INTO guardian_links (guardian_id, student_id) VALUES ($1, $2)", guardian2, w.student3)
	mustExec(t, tx, "INSERT INTO guardian_alert_settings (guardian_id, frequency, grade_below) VALUES ($1, 'daily', 70), ($2, 'weekly', NULL)", w.guardian1, guardian2)
	mustExec(t, tx, "INSERT INTO guardian_digests (guardian_id, period, items) VALUES ($1, '2026-11-27', 2), ($2, '2026-W48', 1)", w.guardian1, guardian2)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	const settingsQ = "SELECT guardian_id::text || ':' || frequency FROM guardian_alert_settings"
	const digestsQ = "SELECT guardian_id::text || ':' || period FROM guardian_digests"
	same(t, "guardian1 settings", w.as(t, w.guardian1, "guardian", w.schoolA, settingsQ), []string{w.guardian1 + ":daily"})
	same(t, "guardian2 settings", w.as(t, guardian2, "guardian", w.schoolA, settingsQ), []string{guardian2 + ":weekly"})
	same(t, "guardian1 digests", w.as(t, w.guardian1, "guardian", w.schoolA, digestsQ), []string{w.guardian1 + ":2026-11-27"})
	others := []struct{ name, user, role, school string }{
		{"teacher1", w.teacher1, "teacher", w.schoolA}, {"student1", w.student1, "student", w.schoolA},
		{"school admin A", w.sadminA, "school_admin", w.schoolA}, {"district admin", w.dadmin, "district_admin", ""},
	}
	for _, o := range others {
		same(t, o.name+" settings", w.as(t, o.user, o.role, o.school, settingsQ), nil)
		same(t, o.name+" digests", w.as(t, o.user, o.role, o.school, digestsQ), nil)
		tx := w.begin(t, o.user, o.role, o.school)
		if n := affected(t, tx, "UPDATE guardian_alert_settings SET frequency = 'off'"); n > 0 {
			t.Errorf("%s changed %d guardians' settings", o.name, n)
		}
		if n := affected(t, tx, "INSERT INTO guardian_alert_settings (guardian_id, frequency) VALUES ($1, 'daily')", o.user); n != -1 {
			t.Errorf("%s saved alert settings", o.name)
		}
		if n := affected(t, tx, "DELETE FROM guardian_digests"); n > 0 {
			t.Errorf("%s deleted %d digest records", o.name, n)
		}
		_ = tx.Rollback(ctx)
	}

	// guardian1 changes their own settings, never guardian2's, and cannot
	// create settings in guardian2's name or record a digest.
	g := w.begin(t, w.guardian1, "guardian", w.schoolA)
	defer g.Rollback(ctx)
	if n := affected(t, g, "UPDATE guardian_alert_settings SET frequency = 'off'"); n != 1 {
		t.Errorf("guardian1 changed %d rows, want their own 1", n)
	}
	if n := affected(t, g, "UPDATE guardian_alert_settings SET frequency = 'off' WHERE guardian_id = $1", guardian2); n != 0 {
		t.Errorf("guardian1 changed guardian2's settings (%d rows)", n)
	}
	if n := affected(t, g, "UPDATE guardian_alert_settings SET guardian_id = $1", guardian2); n != -1 {
		t.Errorf("guardian1 moved their settings to guardian2 (%d rows)", n)
	}
	if n := affected(t, g, "DELETE FROM guardian_alert_settings WHERE guardian_id = $1", guardian2); n > 0 {
		t.Errorf("guardian1 deleted guardian2's settings")
	}
	if n := affected(t, g, `INSERT INTO guardian_alert_settings (guardian_id, frequency) VALUES ($1, 'daily')
		ON CONFLICT (guardian_id) DO UPDATE SET frequency = 'daily'`, guardian2); n != -1 {
		t.Errorf("guardian1 wrote settings in guardian2's name (%d rows)", n)
	}
	if n := affected(t, g, "INSERT INTO guardian_digests (guardian_id, period, items) VALUES ($1, '2026-11-28', 1)", w.guardian1); n != -1 {
		t.Errorf("guardian1 recorded a digest")
	}
	if n := affected(t, g, "DELETE FROM guardian_digests"); n > 0 {
		t.Errorf("guardian1 deleted %d digest records", n)
	}
}
