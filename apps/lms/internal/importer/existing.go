package importer

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// This file loads the rows an import may touch: one query per table, read
// into memory once, so matching 50,000 users costs a few round trips.
// Row-level security limits what a school admin loads to their school.

type school struct {
	ID       string `db:"id"`
	Code     string `db:"code"`
	Name     string `db:"name"`
	Archived bool   `db:"archived"`
}

type userRow struct {
	ID          string  `db:"id"`
	Email       string  `db:"email"`
	DisplayName string  `db:"display_name"`
	GivenName   string  `db:"given_name"`
	FamilyName  string  `db:"family_name"`
	Grade       *string `db:"grade"`
	Status      string  `db:"status"`
	SourcedID   *string `db:"sourced_id"`
	Username    *string `db:"username"`
	// Ext is the vendor columns as a JSON object; nil leaves them as they are.
	Ext *string `db:"ext"`
}

type membershipRow struct {
	UserID   string  `db:"user_id"`
	SchoolID *string `db:"school_id"`
	Role     string  `db:"role"`
}

type linkRow struct {
	GuardianID string `db:"guardian_id"`
	StudentID  string `db:"student_id"`
}

type termRow struct {
	ID        string    `db:"id"`
	SchoolID  string    `db:"school_id"`
	SourcedID *string   `db:"sourced_id"`
	Name      string    `db:"name"`
	Kind      string    `db:"kind"`
	StartsOn  time.Time `db:"starts_on"`
	EndsOn    time.Time `db:"ends_on"`
}

type courseRow struct {
	ID        string   `db:"id"`
	SchoolID  *string  `db:"school_id"`
	SourcedID *string  `db:"sourced_id"`
	Title     string   `db:"title"`
	Code      string   `db:"code"`
	Grades    []string `db:"grades"`
}

type sectionRow struct {
	ID        string   `db:"id"`
	SchoolID  string   `db:"school_id"`
	CourseID  string   `db:"course_id"`
	SourcedID *string  `db:"sourced_id"`
	Title     string   `db:"title"`
	Code      string   `db:"code"`
	Period    string   `db:"period"`
	TermIDs   []string `db:"term_ids"`
}

type enrollmentRow struct {
	ID        string                 `db:"id"`
	SectionID string                 `db:"section_id"`
	SchoolID  string                 `db:"school_id"`
	UserID    string                 `db:"user_id"`
	Role      classes.EnrollmentRole `db:"role"`
	IsPrimary bool                   `db:"is_primary"`
	SourcedID *string                `db:"sourced_id"`
	BeginsOn  *time.Time             `db:"begins_on"`
	EndsOn    *time.Time             `db:"ends_on"`
}

func query[T any](ctx context.Context, s *db.Scope, what, sql string, args ...any) ([]T, error) {
	rows, err := s.Tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// lockImports makes imports into one tenant database take turns, so two
// admins applying at once cannot both create the same rows. The lock ends
// with the transaction, which keeps it correct behind a transaction pooler.
func lockImports(ctx context.Context, s *db.Scope) error {
	if _, err := s.Tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('bellwork.importer'))`); err != nil {
		return fmt.Errorf("lock imports: %w", err)
	}
	return nil
}

func loadSchools(ctx context.Context, s *db.Scope) ([]school, error) {
	return query[school](ctx, s, "load schools",
		`SELECT id, code, name, archived_at IS NOT NULL AS archived FROM schools ORDER BY archived_at NULLS FIRST, name`)
}

// loadUsers reads the users with these e-mail addresses and, for bulk
// imports (withSourced), every user an earlier import created.
func loadUsers(ctx context.Context, s *db.Scope, emails []string, withSourced bool) ([]userRow, error) {
	return query[userRow](ctx, s, "load users",
		`SELECT id, email, display_name, given_name, family_name, grade, status, sourced_id, username, ext::text AS ext
		FROM users WHERE ($2 AND sourced_id IS NOT NULL) OR email = ANY ($1)`, emails, withSourced)
}

func loadMemberships(ctx context.Context, s *db.Scope, userIDs []string) ([]membershipRow, error) {
	return query[membershipRow](ctx, s, "load memberships",
		`SELECT user_id, school_id, role FROM memberships WHERE user_id = ANY ($1::uuid[])`, userIDs)
}

func loadGuardianLinks(ctx context.Context, s *db.Scope, userIDs []string) ([]linkRow, error) {
	return query[linkRow](ctx, s, "load guardian links",
		`SELECT guardian_id, student_id FROM guardian_links WHERE guardian_id = ANY ($1::uuid[])`, userIDs)
}

func loadTerms(ctx context.Context, s *db.Scope, sourcedIDs []string) ([]termRow, error) {
	return query[termRow](ctx, s, "load terms",
		`SELECT id, school_id, sourced_id, name, kind, starts_on, ends_on FROM terms WHERE sourced_id = ANY ($1)`, sourcedIDs)
}

func loadCourses(ctx context.Context, s *db.Scope, sourcedIDs []string) ([]courseRow, error) {
	return query[courseRow](ctx, s, "load courses",
		`SELECT id, school_id, sourced_id, title, code, grades FROM courses WHERE sourced_id = ANY ($1)`, sourcedIDs)
}

func loadSections(ctx context.Context, s *db.Scope, sourcedIDs []string) ([]sectionRow, error) {
	return query[sectionRow](ctx, s, "load sections",
		`SELECT id, school_id, course_id, sourced_id, title, code, period, term_ids FROM sections WHERE sourced_id = ANY ($1)`, sourcedIDs)
}

// loadEnrollments reads every imported enrollment (a bulk import deletes
// those its bundle no longer lists) and every enrollment in these sections.
func loadEnrollments(ctx context.Context, s *db.Scope, sectionIDs []string) ([]enrollmentRow, error) {
	return query[enrollmentRow](ctx, s, "load enrollments",
		`SELECT id, section_id, school_id, user_id, role, is_primary, sourced_id, begins_on, ends_on
		FROM enrollments WHERE sourced_id IS NOT NULL OR section_id = ANY ($1::uuid[])`, sectionIDs)
}

// loadShared reads, for a school admin, the people of their school whose
// accounts reach beyond it (district admins, people also at another
// school): row-level security lets the school admin enroll them but not
// change their accounts or roles. Empty for everyone else.
func loadShared(ctx context.Context, s *db.Scope) (map[string]bool, error) {
	var ids []string
	if err := s.Tx.QueryRow(ctx, `SELECT bw_foreign()::text[]`).Scan(&ids); err != nil {
		return nil, fmt.Errorf("load people shared beyond the school: %w", err)
	}
	shared := make(map[string]bool, len(ids))
	for _, id := range ids {
		shared[id] = true
	}
	return shared, nil
}

// sharedNote tells a school admin whose changes were left to a district admin.
func sharedNote(p *Plan, n int) {
	if n > 0 {
		p.note("%s also a district admin or at another school: their accounts and roles were left as they are (a district admin changes them); their enrollments in this school's sections are imported.",
			plural(n, "person is", "people are"))
	}
}
