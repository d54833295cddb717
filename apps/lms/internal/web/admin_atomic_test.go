package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// A school admin's deactivation and password reset run in the admin's own
// transaction: the teacher's sessions are gone and the reset stored, with
// no system transaction opened inside; and row-level security still keeps
// the admin from ending, or issuing a reset for, someone they do not
// manage (here the district admin).
func TestAdminUserActionsAreOneTransactionWithinTheAdminsScope(t *testing.T) {
	d := newDistrict(t, "atomic")
	teacher := d.users[db.Teacher]
	d.session(db.Teacher) // a live session to end
	c, csrf := d.session(db.SchoolAdmin)
	if res, _ := c.post("/admin/users/"+teacher.ID+"/reset", url.Values{"_csrf": {csrf}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if res, _ := c.post("/admin/users/"+teacher.ID+"/status", url.Values{"_csrf": {csrf}, "status": {"deactivated"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", res.StatusCode)
	}
	count := func(sql, user string) (n int) {
		inSystem(t, d, func(s *db.Scope) error { return s.Tx.QueryRow(context.Background(), sql, user).Scan(&n) })
		return n
	}
	if n := count(`SELECT count(*) FROM sessions WHERE user_id = $1`, teacher.ID); n != 0 {
		t.Errorf("the deactivated teacher keeps %d sessions", n)
	}
	if n := count(`SELECT count(*) FROM password_resets WHERE user_id = $1`, teacher.ID); n != 1 {
		t.Errorf("%d resets stored for the teacher, want 1", n)
	}

	boss := d.users[db.DistrictAdmin]
	d.session(db.DistrictAdmin)
	// Acting as the school admin the way a job acting for them does: the
	// database narrows the system login to the admin's verified context.
	admin := db.Actor{UserID: d.users[db.SchoolAdmin].ID, Role: db.SchoolAdmin, SchoolID: d.schoolA, OnBehalf: true}
	err := d.db.InTx(context.Background(), admin, func(s *db.Scope) error {
		tag, err := s.Tx.Exec(context.Background(), `DELETE FROM sessions WHERE user_id = $1`, boss.ID)
		if err == nil && tag.RowsAffected() != 0 {
			t.Errorf("a school admin ended %d sessions of the district admin", tag.RowsAffected())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = d.db.InTx(context.Background(), admin, func(s *db.Scope) error {
		_, err := s.Tx.Exec(context.Background(), `INSERT INTO password_resets (token_sha256, user_id, expires_at) VALUES ('x', $1, now() + interval '1 hour')`, boss.ID)
		return err
	})
	if err == nil {
		t.Error("a school admin issued a password reset for the district admin")
	}
}
