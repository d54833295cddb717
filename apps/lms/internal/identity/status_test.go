package identity_test

import (
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// districtAdmin adds a district admin and returns the actor of a live
// session of theirs, as a request acts.
func districtAdmin(t *testing.T, d *db.DB, email string) db.Actor {
	t.Helper()
	id := addUser(t, d, email)
	token, hash := auth.NewToken()
	system(t, d, func(s *db.Scope) error {
		if _, err := s.Tx.Exec(t.Context(), `INSERT INTO memberships (user_id, role) VALUES ($1, 'district_admin')`, id); err != nil {
			return err
		}
		_, err := s.Tx.Exec(t.Context(), `INSERT INTO sessions (id_sha256, user_id, role, csrf_token, idle_expires_at, absolute_expires_at)
			VALUES ($1, $2, 'district_admin', 'csrf', now() + interval '1 hour', now() + interval '1 day')`, hash, id)
		return err
	})
	return db.Actor{UserID: id, Role: db.DistrictAdmin, Session: token}
}

func setStatus(t *testing.T, d *db.DB, admin db.Actor, target, status string) error {
	t.Helper()
	return d.InTx(t.Context(), admin, func(s *db.Scope) error {
		u, err := people.GetManaged(t.Context(), s, target)
		if err != nil {
			return err
		}
		return identity.SetUserStatus(t.Context(), s, u, status)
	})
}

// Deactivating a user signs them out everywhere in the same transaction;
// reactivating lets them back in (with a new sign-in).
func TestDeactivatingAUserEndsTheirSessions(t *testing.T) {
	d := tenant(t)
	admin := districtAdmin(t, d, "admin@a.org")
	user := addUser(t, d, "teacher@a.org")
	signIn(t, d, user)
	signIn(t, d, user)
	if err := setStatus(t, d, admin, user, "deactivated"); err != nil {
		t.Fatal(err)
	}
	if n := sessionCount(t, d, user); n != 0 {
		t.Errorf("%d sessions left after deactivation", n)
	}
	if n := sessionCount(t, d, admin.UserID); n != 1 {
		t.Errorf("the admin's own session count is %d, want 1", n)
	}
	if err := setStatus(t, d, admin, user, "active"); err != nil {
		t.Fatal(err)
	}
}

// An admin cannot deactivate themselves, nor set a status that does not exist.
func TestSetUserStatusRefusesSelfAndUnknownStatus(t *testing.T) {
	d := tenant(t)
	admin := districtAdmin(t, d, "admin@a.org")
	user := addUser(t, d, "teacher@a.org")
	for _, tc := range []struct{ target, status string }{{admin.UserID, "deactivated"}, {user, "gone"}} {
		err := setStatus(t, d, admin, tc.target, tc.status)
		if _, ok := validate.As(err); !ok {
			t.Errorf("%s -> %s: got %v, want a validation problem", tc.target, tc.status, err)
		}
	}
	if n := sessionCount(t, d, admin.UserID); n != 1 {
		t.Errorf("the admin's session count is %d, want 1", n)
	}
	var st string
	system(t, d, func(s *db.Scope) error {
		return s.Tx.QueryRow(t.Context(), `SELECT status FROM users WHERE id = $1`, admin.UserID).Scan(&st)
	})
	if st != "active" {
		t.Errorf("admin status %q", st)
	}
}
