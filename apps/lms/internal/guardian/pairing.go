package guardian

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// CodeLife is how long a pairing code stays valid.
const CodeLife = 7 * 24 * time.Hour

// codeAlphabet leaves out look-alikes (0/O, 1/I/L) so codes survive being
// read aloud or copied from paper.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// Outcome is what redeeming a pairing code did.
type Outcome string

// Outcomes, as bw_redeem_pairing_code reports them.
const (
	Linked    Outcome = "linked"
	Wrong     Outcome = "wrong"
	Expired   Outcome = "expired"
	Used      Outcome = "used"
	Burned    Outcome = "burned" // too many wrong secrets for this code
	Throttled Outcome = "throttled"
)

// Code is a freshly made pairing code: shown once, then only its hash is kept.
type Code struct {
	Text      string
	ExpiresAt time.Time
}

// NewCode makes a pairing code that links a guardian to studentID at
// schoolID. Students make codes for themselves and admins for the students
// of their school; row-level security refuses anyone else.
func NewCode(ctx context.Context, s *db.Scope, studentID, schoolID string, now time.Time) (*Code, error) {
	expires := now.Add(CodeLife)
	if schoolID == "" { // a district admin: the student's own school
		err := s.Tx.QueryRow(ctx, `SELECT school_id FROM memberships WHERE user_id = $1 AND role = 'student' ORDER BY school_id LIMIT 1`,
			studentID).Scan(&schoolID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, domain.ErrNotFound
		}
		if err != nil {
			return nil, domain.Wrap("pairing code", err)
		}
	}
	for range 5 {
		lookup, secret := randomText(4), randomText(8)
		sum := sha256.Sum256([]byte(secret))
		sp, err := s.Tx.Begin(ctx) // a savepoint: a taken lookup is retried, not fatal
		if err != nil {
			return nil, domain.Wrap("pairing code", err)
		}
		_, err = sp.Exec(ctx, `INSERT INTO guardian_pairing_codes (lookup, secret_sha256, student_id, school_id, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, lookup, sum[:], studentID, schoolID, s.Actor.UserID, now, expires)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" {
			_ = sp.Rollback(ctx)
			continue
		}
		if err != nil {
			_ = sp.Rollback(ctx)
			return nil, domain.Wrap("pairing code", err)
		}
		if err := sp.Commit(ctx); err != nil {
			return nil, domain.Wrap("pairing code", err)
		}
		return &Code{Text: lookup + "-" + secret, ExpiresAt: expires}, nil
	}
	return nil, errors.New("pairing code: no free code after five tries")
}

// Redeem links the acting guardian to the student of code. Wrong, expired,
// used and throttled attempts are outcomes, not errors: the database
// records them (the throttle counts them) and the caller must commit.
func Redeem(ctx context.Context, s *db.Scope, code, requestID string) (Outcome, string, error) {
	lookup, secret, ok := strings.Cut(strings.ToUpper(strings.Join(strings.Fields(code), "")), "-")
	if !ok {
		lookup, secret = "", ""
	}
	var out string
	var student *string
	err := s.Tx.QueryRow(ctx, `SELECT outcome, student_id FROM bw_redeem_pairing_code($1, $2, $3)`, lookup, []byte(secret), requestID).Scan(&out, &student)
	if err != nil {
		return "", "", domain.Wrap("redeem pairing code", err)
	}
	if student == nil {
		return Outcome(out), "", nil
	}
	return Outcome(out), *student, nil
}

// randomText draws n characters uniformly from codeAlphabet: bytes at or
// above the largest multiple of the alphabet's length are drawn again, so no
// character is likelier than another.
func randomText(n int) string {
	limit := 256 - 256%len(codeAlphabet)
	out := make([]byte, 0, n)
	var b [16]byte
	for len(out) < n {
		_, _ = rand.Read(b[:])
		for _, c := range b {
			if int(c) < limit && len(out) < n {
				out = append(out, codeAlphabet[int(c)%len(codeAlphabet)])
			}
		}
	}
	return string(out)
}
