package people

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/settings"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// User is a person in the district.
type User struct {
	ID            string     `db:"id" json:"id"`
	Email         string     `db:"email" json:"email"`
	DisplayName   string     `db:"display_name" json:"displayName"`
	GivenName     string     `db:"given_name" json:"givenName"`
	FamilyName    string     `db:"family_name" json:"familyName"`
	Locale        string     `db:"locale" json:"locale"`
	TimeZone      *string    `db:"time_zone" json:"timeZone,omitempty"`
	Grade         *string    `db:"grade" json:"grade,omitempty"`
	Status        string     `db:"status" json:"status"`
	SourcedID     *string    `db:"sourced_id" json:"sourcedId,omitempty"`
	LastSignInAt  *time.Time `db:"last_sign_in_at" json:"lastSignInAt,omitempty"`
	CreatedAt     time.Time  `db:"created_at" json:"createdAt"`
	PasswordHash  *string    `db:"password_hash" json:"-"`
	FailedSignIns int        `db:"failed_sign_ins" json:"-"`
	LockedUntil   *time.Time `db:"locked_until" json:"-"`
	// Ext is the vendor fields (ext_… columns) a roster import brought.
	Ext map[string]string `db:"ext" json:"ext,omitempty" doc:"Vendor fields (OneRoster ext_ columns) from the roster import"`
}

// The password hash lives in user_passwords, which only system work may
// read: for everyone else it reads as NULL.
const userColumns = `id, email, display_name, given_name, family_name, locale, time_zone, grade, status,
	sourced_id, last_sign_in_at, created_at, coalesce(users.ext, '{}') AS ext,
	(SELECT p.password_hash FROM user_passwords p WHERE p.user_id = users.id) AS password_hash,
	failed_sign_ins, locked_until`

// Active is true for users who may sign in.
func (u *User) Active() bool { return u.Status == "active" }

// NewUser holds what creating a user needs.
type NewUser struct {
	Email, GivenName, FamilyName string
	Grade                        string
	SourcedID                    string
	Username                     string
}

// NormalizeEmail lower-cases and trims an address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CreateUser adds a user with one role (role may be empty for none); the
// e-mail address must be free. The user is read back after the role is
// added: row-level security lets a school admin see a user only once they
// belong to the admin's school.
func CreateUser(ctx context.Context, s *db.Scope, n NewUser, role db.Role, schoolID string) (*User, error) {
	order, err := settings.NameOrder(ctx, s)
	if err != nil {
		return nil, err
	}
	display := settings.DisplayName(order, n.GivenName, n.FamilyName, n.Email)
	var id string
	if err := s.Tx.QueryRow(ctx, `SELECT gen_random_uuid()::text`).Scan(&id); err != nil {
		return nil, domain.Wrap("create user", err)
	}
	if _, err := s.Tx.Exec(ctx, `INSERT INTO users (id, email, display_name, given_name, family_name, grade, sourced_id, username)
		VALUES ($1, $2, $3, $4, $5, nullif($6, ''), nullif($7, ''), nullif($8, ''))`,
		id, NormalizeEmail(n.Email), display, n.GivenName, n.FamilyName, n.Grade, n.SourcedID, n.Username); err != nil {
		return nil, domain.Wrap("create user", err)
	}
	if role != "" {
		if err := AddMembership(ctx, s, id, role, schoolID); err != nil {
			return nil, err
		}
	}
	return GetUser(ctx, s, id)
}

// GetUser reads a user by id.
func GetUser(ctx context.Context, s *db.Scope, id string) (*User, error) {
	rows, err := s.Tx.Query(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
	if err != nil {
		return nil, domain.Wrap("get user", err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[User])
	return u, domain.Wrap("get user", err)
}

// GetUserByEmail reads a user by e-mail address.
func GetUserByEmail(ctx context.Context, s *db.Scope, email string) (*User, error) {
	rows, err := s.Tx.Query(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, NormalizeEmail(email))
	if err != nil {
		return nil, domain.Wrap("get user by email", err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[User])
	return u, domain.Wrap("get user by email", err)
}

// UserQuery filters and pages a user list.
type UserQuery struct {
	Search   string  // matches name or e-mail
	Role     db.Role // empty: any
	SchoolID string  // empty: any
	Status   string  // "active", "deactivated" or empty
	Sort     string  // a key of userSorts
	Limit    int
	Offset   int
}

// userSorts is the allow-list of ORDER BY clauses.
var userSorts = map[string]string{
	"name":       "family_name, given_name, email",
	"email":      "email",
	"newest":     "created_at DESC, email",
	"last-login": "last_sign_in_at DESC NULLS LAST, email",
}

// UserSortKeys lists the accepted sort keys.
func UserSortKeys() []string { return []string{"name", "email", "newest", "last-login"} }

// ListUsers returns the users visible to the actor that match q, and the total count.
func ListUsers(ctx context.Context, s *db.Scope, q UserQuery) ([]User, int, error) {
	order, ok := userSorts[q.Sort]
	if !ok {
		order = userSorts["name"]
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	where := []string{"true"}
	args := []any{}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if q.Search != "" {
		p := arg("%" + strings.ToLower(q.Search) + "%")
		where = append(where, fmt.Sprintf("(lower(display_name) LIKE %s OR email LIKE %s)", p, p))
	}
	if q.Status != "" {
		where = append(where, "status = "+arg(q.Status))
	}
	if q.Role != "" || q.SchoolID != "" {
		cond := "m.user_id = users.id"
		if q.Role != "" {
			cond += " AND m.role = " + arg(string(q.Role))
		}
		if q.SchoolID != "" {
			cond += " AND m.school_id = " + arg(q.SchoolID)
		}
		where = append(where, "EXISTS (SELECT 1 FROM memberships m WHERE "+cond+")")
	}
	filter := strings.Join(where, " AND ")
	// The count and the page go in one batch: one round trip.
	var total int
	var users []User
	b := &pgx.Batch{}
	b.Queue("SELECT count(*) FROM users WHERE "+filter, args...).QueryRow(func(row pgx.Row) error {
		return domain.Wrap("count users", row.Scan(&total))
	})
	b.Queue(fmt.Sprintf("SELECT %s FROM users WHERE %s ORDER BY %s LIMIT %d OFFSET %d",
		userColumns, filter, order, q.Limit, max(q.Offset, 0)), args...).Query(func(rows pgx.Rows) (err error) {
		users, err = pgx.CollectRows(rows, pgx.RowToStructByName[User])
		return domain.Wrap("list users", err)
	})
	if err := s.Tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// UpdateProfile changes a user's name, locale and time zone.
func UpdateProfile(ctx context.Context, s *db.Scope, id, given, family, locale, timeZone string) error {
	order, err := settings.NameOrder(ctx, s)
	if err != nil {
		return err
	}
	display := settings.DisplayName(order, given, family, "")
	tag, err := s.Tx.Exec(ctx, `UPDATE users SET given_name = $2, family_name = $3, display_name = coalesce(nullif($4, ''), email),
		locale = $5, time_zone = nullif($6, ''), updated_at = now() WHERE id = $1`, id, given, family, display, locale, timeZone)
	if err != nil {
		return domain.Wrap("update profile", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("update profile: %w", domain.ErrNotFound)
	}
	return nil
}

// SetUserStatus activates or deactivates a user. Deactivating also ends
// their sessions.
func SetUserStatus(ctx context.Context, s *db.Scope, id, status string) error {
	tag, err := s.Tx.Exec(ctx, `UPDATE users SET status = $2, updated_at = now() WHERE id = $1`, id, status)
	if err != nil {
		return domain.Wrap("set user status", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set user status: %w", domain.ErrNotFound)
	}
	return nil
}

// SetPassword stores a password hash and clears any lockout.
func SetPassword(ctx context.Context, s *db.Scope, id, hash string) error {
	tag, err := s.Tx.Exec(ctx, `UPDATE users SET failed_sign_ins = 0, locked_until = NULL, updated_at = now() WHERE id = $1`, id)
	if err != nil {
		return domain.Wrap("set password", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set password: %w", domain.ErrNotFound)
	}
	_, err = s.Tx.Exec(ctx, `INSERT INTO user_passwords (user_id, password_hash) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()`, id, hash)
	return domain.Wrap("set password", err)
}

// RecordSignIn notes a successful sign-in.
func RecordSignIn(ctx context.Context, s *db.Scope, id string, now time.Time) error {
	_, err := s.Tx.Exec(ctx, `UPDATE users SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = $2 WHERE id = $1`, id, now)
	return domain.Wrap("record sign-in", err)
}

// RecordFailedSignIn counts a wrong password and locks the account for
// lockFor once maxFailures is reached. It returns the lock's end, if any.
func RecordFailedSignIn(ctx context.Context, s *db.Scope, id string, now time.Time, maxFailures int, lockFor time.Duration) (*time.Time, error) {
	var locked *time.Time
	// A lock that has run out starts the count again.
	err := s.Tx.QueryRow(ctx, `WITH c AS (
			SELECT CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1 ELSE failed_sign_ins + 1 END AS n
			FROM users WHERE id = $1)
		UPDATE users SET failed_sign_ins = c.n,
			locked_until = CASE WHEN c.n >= $3 THEN $2::timestamptz + $4 * interval '1 second'
			                    WHEN locked_until <= $2 THEN NULL ELSE locked_until END
		FROM c WHERE id = $1 RETURNING locked_until`, id, now, maxFailures, lockFor.Seconds()).Scan(&locked)
	return locked, domain.Wrap("record failed sign-in", err)
}

// SharedBeyondSchool reports whether the acting school admin must leave a
// user alone: a district admin, or someone who also belongs to another
// school (row-level security refuses their changes too). Always false for
// other roles.
func SharedBeyondSchool(ctx context.Context, s *db.Scope, userID string) (bool, error) {
	var shared bool
	err := s.Tx.QueryRow(ctx, "SELECT $1::uuid = ANY (bw_foreign())", userID).Scan(&shared)
	if err != nil {
		return false, fmt.Errorf("check who manages user: %w", err)
	}
	return shared, nil
}

// GetManaged reads a person the acting admin is about to change: not found
// when they cannot see them, and a validate problem (the page says who
// can) when they are shared beyond a school admin's school.
func GetManaged(ctx context.Context, s *db.Scope, id string) (*User, error) {
	u, err := GetUser(ctx, s, id)
	if err != nil {
		return nil, err
	}
	if shared, err := SharedBeyondSchool(ctx, s, u.ID); err != nil {
		return nil, err
	} else if shared {
		return nil, validate.Problem("This person is also a district admin or belongs to another school, so their account is managed by a district admin. Ask one to make this change.")
	}
	return u, nil
}

// UpdateMyProfile saves the acting user's own names, language and time
// zone: the user is the scope's actor (db.InOwnTx or their session), never
// an id the caller passes.
func UpdateMyProfile(ctx context.Context, s *db.Scope, given, family, locale, timeZone string) error {
	if s.Actor.UserID == "" {
		return fmt.Errorf("update profile: %w", db.ErrForbidden)
	}
	return UpdateProfile(ctx, s, s.Actor.UserID, given, family, locale, timeZone)
}
