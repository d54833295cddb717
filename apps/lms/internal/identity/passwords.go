package identity

import (
	"context"
	"errors"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// NewPassword is a password typed twice.
type NewPassword struct{ Password, Confirm string }

// check says what is wrong with the password for the account at email.
func (p NewPassword) check(email string, errs *validate.Errors) {
	if p.Password != p.Confirm {
		errs.Add("confirm", "The two passwords differ. Type the same password twice.")
	} else if msg := auth.ValidatePassword(p.Password, email); msg != "" {
		errs.Add("password", msg)
	}
}

// AcceptInvitationAs accepts an open invitation (system scope): it
// creates the invitee's account if there is none, gives it the invited
// role, sets its password, marks the invitation used and audits it, and
// returns the account (read back with its role) and the invitation. A
// used or expired invitation is domain.ErrNotFound; invalid input (the
// invitation is still returned, for the form) is validate.Errors.
func AcceptInvitationAs(ctx context.Context, s *db.Scope, tokenSHA256, name string, pw NewPassword, now time.Time, requestID string) (*people.User, *Invitation, error) {
	inv, err := GetInvitation(ctx, s, tokenSHA256, now)
	if err != nil {
		return nil, nil, err
	}
	name = strings.TrimSpace(name)
	var errs validate.Errors
	if name == "" {
		errs.Add("name", "Enter your name.")
	}
	pw.check(inv.Email, &errs)
	if len(errs) > 0 {
		return nil, inv, errs
	}
	given, family, _ := strings.Cut(name, " ")
	u, err := people.GetUserByEmail(ctx, s, inv.Email)
	if errors.Is(err, domain.ErrNotFound) {
		u, err = people.CreateUser(ctx, s, people.NewUser{Email: inv.Email, GivenName: given, FamilyName: family}, "", "")
	}
	if err != nil {
		return nil, inv, err
	}
	if !u.Active() {
		return nil, inv, validate.Problem("This account is deactivated. Ask your admin to reactivate it.")
	}
	if u.GivenName == "" {
		tz := ""
		if u.TimeZone != nil {
			tz = *u.TimeZone
		}
		if err := people.UpdateProfile(ctx, s, u.ID, given, family, u.Locale, tz); err != nil {
			return nil, inv, err
		}
	}
	school := ""
	if inv.SchoolID != nil {
		school = *inv.SchoolID
	}
	if err := people.AddMembership(ctx, s, u.ID, inv.Role, school); err != nil {
		return nil, inv, err
	}
	if err := setPassword(ctx, s, u.ID, pw.Password); err != nil {
		return nil, inv, err
	}
	if err := AcceptInvitation(ctx, s, inv.ID, now); err != nil {
		return nil, inv, err
	}
	if err := audit.Audit(ctx, s, "invitation.accept", inv.Email, map[string]any{"role": inv.Role}, requestID); err != nil {
		return nil, inv, err
	}
	u, err = people.GetUser(ctx, s, u.ID)
	return u, inv, err
}

// ResetPassword uses an open reset link (system scope): it sets the new
// password, ends the account's sessions everywhere and audits it. A used or
// expired link is domain.ErrNotFound; invalid input is validate.Errors.
func ResetPassword(ctx context.Context, s *db.Scope, tokenSHA256 string, pw NewPassword, now time.Time, requestID string) (*people.User, error) {
	userID, err := UsePasswordReset(ctx, s, tokenSHA256, now)
	if err != nil {
		return nil, err
	}
	u, err := people.GetUser(ctx, s, userID)
	if err != nil {
		return nil, err
	}
	var errs validate.Errors
	if pw.check(u.Email, &errs); len(errs) > 0 {
		return nil, errs
	}
	if err := setPassword(ctx, s, u.ID, pw.Password); err != nil {
		return nil, err
	}
	if _, err := DeleteUserSessions(ctx, s, u.ID); err != nil {
		return nil, err
	}
	return u, audit.Audit(ctx, s, "password.reset", u.Email, nil, requestID)
}

func setPassword(ctx context.Context, s *db.Scope, userID, password string) error {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return people.SetPassword(ctx, s, userID, hash)
}
