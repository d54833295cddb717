package identity_test

import (
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
)

func TestMain(m *testing.M) { lmstest.Main(m) }

func tenant(t *testing.T) *db.DB {
	t.Helper()
	pools := db.NewPools(time.Minute, 3)
	t.Cleanup(pools.CloseAll)
	d, err := pools.Get(t.Context(), "t", lmstest.TenantDB(t))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func system(t *testing.T, d *db.DB, fn func(s *db.Scope) error) {
	t.Helper()
	if err := d.InTx(t.Context(), db.SystemActor(), fn); err != nil {
		t.Fatal(err)
	}
}

// addUser adds an active user who holds no role.
func addUser(t *testing.T, d *db.DB, email string) string {
	t.Helper()
	var id string
	system(t, d, func(s *db.Scope) error {
		return s.Tx.QueryRow(t.Context(), `INSERT INTO users (email, display_name) VALUES ($1, $1) RETURNING id`, email).Scan(&id)
	})
	return id
}

// signIn stores a live session for the user (no role) and returns its token.
func signIn(t *testing.T, d *db.DB, user string) string {
	t.Helper()
	token, hash := auth.NewToken()
	system(t, d, func(s *db.Scope) error {
		_, err := s.Tx.Exec(t.Context(), `INSERT INTO sessions (id_sha256, user_id, role, csrf_token, idle_expires_at, absolute_expires_at)
			VALUES ($1, $2, '', 'csrf', now() + interval '1 hour', now() + interval '1 day')`, hash, user)
		return err
	})
	return token
}

func sessionCount(t *testing.T, d *db.DB, user string) int {
	t.Helper()
	var n int
	system(t, d, func(s *db.Scope) error {
		return s.Tx.QueryRow(t.Context(), `SELECT count(*) FROM sessions WHERE user_id = $1`, user).Scan(&n)
	})
	return n
}

// "Sign out everywhere" ends every session of the session's user, the one
// asking included, and no one else's.
func TestEndMySessionsEndsOnlyMine(t *testing.T) {
	d := tenant(t)
	me, other := addUser(t, d, "me@a.org"), addUser(t, d, "other@a.org")
	token := signIn(t, d, me)
	signIn(t, d, me)
	signIn(t, d, other)
	var ended int64
	err := d.InOwnTx(t.Context(), token, func(s *db.Scope) (err error) {
		ended, err = identity.EndMySessions(t.Context(), s)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if ended != 2 || sessionCount(t, d, me) != 0 {
		t.Errorf("ended %d, %d of mine left; want 2 and 0", ended, sessionCount(t, d, me))
	}
	if sessionCount(t, d, other) != 1 {
		t.Errorf("the other user's session ended too")
	}
	// The ended session no longer opens an own-data scope.
	if err := d.InOwnTx(t.Context(), token, func(*db.Scope) error { return nil }); err != db.ErrForbidden {
		t.Errorf("ended session: got %v, want ErrForbidden", err)
	}
}

// A deactivated user's session, still unexpired, opens no own-data scope.
func TestOwnScopeRefusesADeactivatedUser(t *testing.T) {
	d := tenant(t)
	me := addUser(t, d, "gone@a.org")
	token := signIn(t, d, me)
	system(t, d, func(s *db.Scope) error {
		_, err := s.Tx.Exec(t.Context(), `UPDATE users SET status = 'deactivated' WHERE id = $1`, me)
		return err
	})
	if err := d.InOwnTx(t.Context(), token, func(*db.Scope) error { return nil }); err != db.ErrForbidden {
		t.Errorf("got %v, want ErrForbidden", err)
	}
}
