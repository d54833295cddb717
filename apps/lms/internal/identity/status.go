package identity

import (
	"context"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// SetUserStatus is an admin activating or deactivating a user in the
// admin's own transaction. Deactivating also ends the user's sessions there
// (row-level security lets an admin end the sessions of people they
// manage), so deactivated and signed out happen together or not at all.
// The acting admin (s.Actor) may not deactivate themselves: someone else
// must, so a district is never left with no one able to undo it.
func SetUserStatus(ctx context.Context, s *db.Scope, u *people.User, status string) error {
	switch {
	case status != "active" && status != "deactivated":
		return validate.Problem("Unknown status.")
	case status == "deactivated" && u.ID == s.Actor.UserID:
		return validate.Problem("You cannot deactivate yourself. Ask another admin.")
	}
	if err := people.SetUserStatus(ctx, s, u.ID, status); err != nil {
		return err
	}
	if status == "deactivated" {
		_, err := DeleteUserSessions(ctx, s, u.ID)
		return err
	}
	return nil
}
