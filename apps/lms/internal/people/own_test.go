package people_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/apps/lms/internal/people"
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

// userWithSession adds a user who holds no role and a session for them
// (live, or already past its idle expiry), returning the id and token.
func userWithSession(t *testing.T, d *db.DB, email string, live bool) (string, string) {
	t.Helper()
	token, hash := auth.NewToken()
	var id string
	idle := "now() + interval '1 hour'"
	if !live {
		idle = "now() - interval '1 second'"
	}
	err := d.InTx(t.Context(), db.SystemActor(), func(s *db.Scope) error {
		if err := s.Tx.QueryRow(t.Context(), `INSERT INTO users (email, display_name) VALUES ($1, $1) RETURNING id`, email).Scan(&id); err != nil {
			return err
		}
		_, err := s.Tx.Exec(t.Context(), `INSERT INTO sessions (id_sha256, user_id, role, school_id, csrf_token, idle_expires_at, absolute_expires_at)
			VALUES ($1, $2, '', NULL, 'csrf', `+idle+`, now() + interval '1 day')`, hash, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, token
}

func givenName(t *testing.T, d *db.DB, id string) string {
	t.Helper()
	var name string
	err := d.InTx(t.Context(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(t.Context(), `SELECT given_name FROM users WHERE id = $1`, id).Scan(&name)
	})
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// A signed-in user who holds no role saves their own profile, and only
// theirs: the user comes from the session token, not from the caller.
func TestUpdateMyProfileChangesOnlyTheSessionsUser(t *testing.T) {
	d := tenant(t)
	me, token := userWithSession(t, d, "me@a.org", true)
	other, _ := userWithSession(t, d, "other@a.org", true)
	err := d.InOwnTx(t.Context(), token, func(s *db.Scope) error {
		if s.Actor.UserID != me {
			t.Errorf("scope actor is %q, want the session's user %q", s.Actor.UserID, me)
		}
		return people.UpdateMyProfile(t.Context(), s, "Ada", "Lovelace", "en", "")
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := givenName(t, d, me); got != "Ada" {
		t.Errorf("my given name is %q", got)
	}
	if got := givenName(t, d, other); got != "" {
		t.Errorf("the other user's given name changed to %q", got)
	}
}

// An expired session, or none, gets no scope at all; a scope with no user
// (system work) cannot save "my" profile.
func TestUpdateMyProfileNeedsALiveSession(t *testing.T) {
	d := tenant(t)
	_, expired := userWithSession(t, d, "late@a.org", false)
	for name, token := range map[string]string{"expired": expired, "none": "", "made up": "not-a-token"} {
		err := d.InOwnTx(t.Context(), token, func(s *db.Scope) error {
			t.Errorf("%s: ran with actor %+v", name, s.Actor)
			return nil
		})
		if !errors.Is(err, db.ErrForbidden) {
			t.Errorf("%s: got %v, want ErrForbidden", name, err)
		}
	}
	err := d.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		return people.UpdateMyProfile(t.Context(), s, "X", "Y", "en", "")
	})
	if !errors.Is(err, db.ErrForbidden) {
		t.Errorf("system scope: got %v, want ErrForbidden", err)
	}
}
