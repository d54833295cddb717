package identity_test

import (
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

func start(t *testing.T, d *db.DB, id string, now time.Time) *identity.Session {
	t.Helper()
	var sess *identity.Session
	system(t, d, func(s *db.Scope) error {
		u, err := people.GetUser(t.Context(), s, id)
		if err != nil {
			return err
		}
		sess, err = identity.StartSession(t.Context(), s, u, identity.SignIn{Now: now, Idle: time.Hour, Absolute: 12 * time.Hour,
			UserAgent: "test", IP: "203.0.113.7", RequestID: "req-1"})
		return err
	})
	return sess
}

// A sign-in makes a session acting in the user's role, whose token opens
// that user's context in the database; it is recorded and audited, and it
// clears sessions that have expired.
func TestStartSessionActsInTheUsersRole(t *testing.T) {
	d := tenant(t)
	teacher := addUser(t, d, "teacher@a.org")
	stale := addUser(t, d, "stale@a.org")
	_, staleHash := auth.NewToken()
	var school string
	system(t, d, func(s *db.Scope) error {
		if err := s.Tx.QueryRow(t.Context(), `INSERT INTO schools (code, name, time_zone) VALUES ('A', 'A', 'UTC') RETURNING id`).Scan(&school); err != nil {
			return err
		}
		if _, err := s.Tx.Exec(t.Context(), `INSERT INTO memberships (user_id, role, school_id) VALUES ($1, 'teacher', $2)`, teacher, school); err != nil {
			return err
		}
		_, err := s.Tx.Exec(t.Context(), `INSERT INTO sessions (id_sha256, user_id, role, csrf_token, idle_expires_at, absolute_expires_at)
			VALUES ($1, $2, '', 'csrf', now() - interval '1 minute', now() + interval '1 day')`, staleHash, stale)
		return err
	})
	now := time.Now()
	sess := start(t, d, teacher, now)
	if sess.Role != db.Teacher || sess.SchoolID == nil || *sess.SchoolID != school || sess.Token == "" || auth.TokenSHA256(sess.Token) != sess.IDSHA256 {
		t.Fatalf("session %+v", sess)
	}
	if sessionCount(t, d, stale) != 0 {
		t.Error("the expired session was not cleared")
	}
	var userID, signedIn, audited string
	if err := d.InTx(t.Context(), sess.Actor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(t.Context(), `SELECT bw_user_id()::text`).Scan(&userID)
	}); err != nil || userID != teacher {
		t.Errorf("the session's context is %q (%v), want %s", userID, err, teacher)
	}
	system(t, d, func(s *db.Scope) error {
		if err := s.Tx.QueryRow(t.Context(), `SELECT coalesce(last_sign_in_at::text, '') FROM users WHERE id = $1`, teacher).Scan(&signedIn); err != nil {
			return err
		}
		return s.Tx.QueryRow(t.Context(), `SELECT target FROM audit_log WHERE action = 'signin' AND request_id = 'req-1'`).Scan(&audited)
	})
	if signedIn == "" || audited != "teacher@a.org" {
		t.Errorf("last sign-in %q, audit target %q", signedIn, audited)
	}
}

// A user who holds no role still signs in, to a session without one.
func TestStartSessionWithoutARole(t *testing.T) {
	d := tenant(t)
	u := addUser(t, d, "new@a.org")
	if sess := start(t, d, u, time.Now()); sess.Role != "" || sess.SchoolID != nil {
		t.Errorf("session %+v", sess)
	}
}
