package db_test

import (
	"context"
	"crypto/sha256"
	"testing"
)

// Pairing codes as the app role: a student makes codes only for themselves,
// a teacher or a guardian makes none and reads none; a school admin reads
// only their school's codes; a guardian cannot insert a guardian link or an
// attempt, or mark a code used, by SQL; only bw_redeem_pairing_code links,
// and it refuses anyone but a guardian.
func TestPairingCodesRowLevelSecurity(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	secret := sha256.Sum256([]byte("SECRET22"))
	insert := `INSERT INTO guardian_pairing_codes (lookup, secret_sha256, student_id, school_id, created_by, expires_at)
		VALUES ($1, $2, $3, $4, $5, now() + interval '1 day')`

	// A student: for themselves yes, for another student no.
	tx := w.begin(t, w.student1, "student", w.schoolA)
	if !try(t, tx, insert, "SSSA", secret[:], w.student1, w.schoolA, w.student1) {
		t.Error("a student could not make their own pairing code")
	}
	if try(t, tx, insert, "SSSB", secret[:], w.student2, w.schoolA, w.student1) {
		t.Error("a student made a pairing code for another student")
	}
	_ = tx.Rollback(ctx)

	for _, who := range []struct{ user, role string }{{w.teacher1, "teacher"}, {w.guardian1, "guardian"}} {
		tx := w.begin(t, who.user, who.role, w.schoolA)
		if try(t, tx, insert, "TTTT", secret[:], w.student1, w.schoolA, who.user) {
			t.Errorf("a %s made a pairing code", who.role)
		}
		_ = tx.Rollback(ctx)
	}

	// Seed one code per school through the system login, then read as each role.
	sys, err := w.sys.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Rollback(ctx)
	mustExec(t, sys, insert, "AAAA", secret[:], w.student1, w.schoolA, w.sadminA)
	mustExec(t, sys, insert, "BBBB", secret[:], w.studentB, w.schoolB, w.sadminB)
	if err := sys.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = w.sys.Exec(ctx, `DELETE FROM guardian_pairing_codes WHERE lookup IN ('AAAA', 'BBBB')`) })

	codes := "SELECT lookup FROM guardian_pairing_codes WHERE lookup IN ('AAAA', 'BBBB')"
	same(t, "district admin", w.as(t, w.dadmin, "district_admin", "", codes), []string{"AAAA", "BBBB"})
	same(t, "school admin A", w.as(t, w.sadminA, "school_admin", w.schoolA, codes), []string{"AAAA"})
	same(t, "student1", w.as(t, w.student1, "student", w.schoolA, codes), []string{"AAAA"})
	same(t, "student2", w.as(t, w.student2, "student", w.schoolA, codes), nil)
	same(t, "teacher1", w.as(t, w.teacher1, "teacher", w.schoolA, codes), nil)
	same(t, "guardian1", w.as(t, w.guardian1, "guardian", w.schoolA, codes), nil)

	// A guardian cannot do by SQL what the redeeming function does.
	tx = w.begin(t, w.guardian1, "guardian", w.schoolA)
	if try(t, tx, `INSERT INTO guardian_links (guardian_id, student_id) VALUES ($1, $2)`, w.guardian1, w.student2) {
		t.Error("a guardian linked themselves to a student by SQL")
	}
	if try(t, tx, `INSERT INTO guardian_pairing_attempts (guardian_id, outcome) VALUES ($1, 'linked')`, w.guardian1) {
		t.Error("a guardian wrote a pairing attempt by SQL")
	}
	var n int64
	if err := tx.QueryRow(ctx, `WITH u AS (UPDATE guardian_pairing_codes SET used_at = NULL, failed_attempts = 0 RETURNING 1) SELECT count(*) FROM u`).Scan(&n); err == nil && n > 0 {
		t.Error("a guardian changed a pairing code by SQL")
	}
	_ = tx.Rollback(ctx)

	// The function links a guardian with the right secret, once.
	tx = w.begin(t, w.guardian1, "guardian", w.schoolA)
	var outcome string
	if err := tx.QueryRow(ctx, `SELECT outcome FROM bw_redeem_pairing_code('BBBB', $1, 'r1')`, []byte("SECRET22")).Scan(&outcome); err != nil || outcome != "linked" {
		t.Errorf("redeem: %q %v", outcome, err)
	}
	var linked bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM guardian_links WHERE guardian_id = $1 AND student_id = $2)`, w.guardian1, w.studentB).Scan(&linked); err != nil || !linked {
		t.Errorf("no link after redeeming: %v %v", linked, err)
	}
	_ = tx.Rollback(ctx)

	// Anyone but a guardian is refused.
	tx = w.begin(t, w.student1, "student", w.schoolA)
	if try(t, tx, `SELECT outcome FROM bw_redeem_pairing_code('AAAA', $1, 'r2')`, []byte("SECRET22")) {
		t.Error("a student redeemed a pairing code")
	}
	_ = tx.Rollback(ctx)
}
