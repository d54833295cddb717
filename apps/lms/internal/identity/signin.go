package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// Sign-in throttling: per account, and per client address.
const (
	AccountMaxFailures = 5
	AccountLockFor     = 15 * time.Minute
	AddressMaxFailures = 20
	AddressWindow      = 15 * time.Minute
	AddressLockFor     = 15 * time.Minute
)

// Locked refuses a sign-in until Until, because of the account (too many
// wrong passwords) or the client address (too many attempts from it).
type Locked struct {
	Until   time.Time
	Account bool
	// Started says this very attempt started the lock.
	Started bool
}

func (l *Locked) Error() string {
	what := "address"
	if l.Account {
		what = "account"
	}
	return fmt.Sprintf("sign-in locked for this %s until %s", what, l.Until.Format(time.RFC3339))
}

// WrongPassword is a failed sign-in, never saying whether the account
// exists; RecordFailure counts it.
type WrongPassword struct {
	userID  string // "" when no active account with a password has the address
	address string
	// emailKey counts failures for an address with no account that can
	// sign in, so that it locks exactly as an account would: otherwise the
	// lock message would tell an attacker which addresses exist.
	emailKey string
}

func (*WrongPassword) Error() string { return "wrong e-mail address or password" }

// CheckPassword finds the active account with this e-mail address and
// password (system scope), refusing with *Locked while the client address
// (addressKey) or the account is locked and with *WrongPassword otherwise.
// A miss takes as long as a hit, so timing does not tell which addresses
// have accounts.
func CheckPassword(ctx context.Context, s *db.Scope, email, password, addressKey string, now time.Time) (*people.User, error) {
	if until, err := ThrottleLockedUntil(ctx, s, addressKey, now); err != nil {
		return nil, err
	} else if until != nil {
		return nil, &Locked{Until: *until}
	}
	u, err := people.GetUserByEmail(ctx, s, email)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return nil, err
	}
	if u != nil && u.LockedUntil != nil && u.LockedUntil.After(now) {
		return nil, &Locked{Until: *u.LockedUntil, Account: true}
	}
	if u == nil || u.PasswordHash == nil || !u.Active() {
		key := unknownAccountKey(email)
		until, err := ThrottleLockedUntil(ctx, s, key, now)
		if err != nil {
			return nil, err
		}
		if until != nil { // as fast as a locked account's answer
			return nil, &Locked{Until: *until, Account: true}
		}
		auth.BurnTime(password)
		return nil, &WrongPassword{address: addressKey, emailKey: key}
	}
	if ok, err := auth.CheckPassword(*u.PasswordHash, password); err != nil {
		return nil, err
	} else if !ok {
		return nil, &WrongPassword{userID: u.ID, address: addressKey}
	}
	return u, nil
}

// unknownAccountWindow is how long failures for an address without an
// account are remembered; an account's own count lasts until it signs in
// or locks, so this is long.
const unknownAccountWindow = 24 * time.Hour

// unknownAccountKey is the throttle key of an e-mail address with no
// account that can sign in; only its hash is stored.
func unknownAccountKey(email string) string {
	return "account:" + auth.TokenSHA256(strings.ToLower(strings.TrimSpace(email)))
}

// RecordFailure counts a failed sign-in against the account (when one
// exists) and the client address, in a system transaction of its own (the
// attempt's was rolled back), and returns the lock this failure starts, if
// any. The lock is a result, not an error: the transaction must commit.
func RecordFailure(ctx context.Context, s *db.Scope, w *WrongPassword, now time.Time) (*Locked, error) {
	var account *time.Time
	var err error
	switch {
	case w.userID != "":
		account, err = people.RecordFailedSignIn(ctx, s, w.userID, now, AccountMaxFailures, AccountLockFor)
	case w.emailKey != "":
		account, err = ThrottleFailure(ctx, s, w.emailKey, now, unknownAccountWindow, AccountMaxFailures, AccountLockFor)
	}
	if err != nil {
		return nil, err
	}
	address, err := ThrottleFailure(ctx, s, w.address, now, AddressWindow, AddressMaxFailures, AddressLockFor)
	switch {
	case err != nil:
		return nil, err
	case account != nil:
		return &Locked{Until: *account, Account: true, Started: true}, nil
	case address != nil:
		return &Locked{Until: *address, Started: true}, nil
	}
	return nil, nil
}
