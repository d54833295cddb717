package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// ResetValidFor is how long a password reset link works.
const ResetValidFor = time.Hour

// Reset requests are limited so the form cannot be used to flood an inbox
// or to probe many addresses: a few links per account an hour (more are
// quietly not sent: the page must not tell whether an account exists), and
// a bounded number of requests per network address.
const (
	ResetsPerAccount  = 3
	resetAccountFor   = time.Hour
	ResetsPerAddress  = 10
	resetAddressFor   = 15 * time.Minute
	resetAddressBlock = 15 * time.Minute
)

// Reset is a stored password reset link for a user; Token (for the link)
// is never stored, only Hash.
type Reset struct {
	User        *people.User
	Token, Hash string
	Expires     time.Time
}

// RequestPasswordReset is a person asking for a reset link by e-mail
// address (system scope): the request counts against the client address
// (addressKey), which is refused with *Locked once it asked too often, and
// against the account. It returns the link to mail, or nil, saying nothing
// more, when there is no active account or enough links are already on
// their way to it.
func RequestPasswordReset(ctx context.Context, s *db.Scope, email, addressKey string, now time.Time) (*Reset, error) {
	ipKey, accountKey := "reset-ip:"+addressKey, "reset-account:"+email
	if until, err := ThrottleLockedUntil(ctx, s, ipKey, now); err != nil {
		return nil, err
	} else if until != nil {
		return nil, &Locked{Until: *until}
	}
	if _, err := ThrottleFailure(ctx, s, ipKey, now, resetAddressFor, ResetsPerAddress, resetAddressBlock); err != nil {
		return nil, err
	}
	if until, err := ThrottleLockedUntil(ctx, s, accountKey, now); err != nil || until != nil {
		return nil, err
	}
	if _, err := ThrottleFailure(ctx, s, accountKey, now, resetAccountFor, ResetsPerAccount, resetAccountFor); err != nil {
		return nil, err
	}
	return IssuePasswordReset(ctx, s, email, now)
}

// IssuePasswordReset stores a reset link for the active account with this
// e-mail address and returns it, or nil when there is none. An admin's
// reset runs it in the admin's own transaction (row-level security lets
// them issue resets for the people they manage).
func IssuePasswordReset(ctx context.Context, s *db.Scope, email string, now time.Time) (*Reset, error) {
	u, err := people.GetUserByEmail(ctx, s, email)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !u.Active() {
		return nil, nil
	}
	token, hash := auth.NewToken()
	r := &Reset{User: u, Token: token, Hash: hash, Expires: now.Add(ResetValidFor)}
	if err := CreatePasswordReset(ctx, s, u.ID, hash, r.Expires); err != nil {
		return nil, err
	}
	return r, nil
}

// Mail is the e-mail carrying the link, the same whether the person or an
// admin asked: siteURL is the district's site, district its name as people
// read it, tenant its name in the LMS.
func (r *Reset) Mail(siteURL, district, tenant string, now time.Time) mail.Message {
	link := siteURL + "/password/reset/" + r.Token
	body := fmt.Sprintf("Hello %s,\n\nSomeone (hopefully you) asked to reset your Bellwork password for %s.\n"+
		"Choose a new password here within the next hour:\n\n%s\n\nIf you did not ask, ignore this e-mail: your password stays as it is.\n",
		r.User.DisplayName, district, link)
	return mail.Message{Tenant: tenant, To: r.User.Email, Subject: "Reset your Bellwork password", Body: body, SentAt: now}
}
