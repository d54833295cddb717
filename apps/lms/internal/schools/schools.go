package schools

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/pkg/directory"
)

// School is a school of the district. Its fields come from the directory
// (the School object in Kubernetes); the LMS never edits them.
type School struct {
	ID            string          `db:"id" json:"id"`
	Code          string          `db:"code" json:"code"`
	Name          string          `db:"name" json:"name"`
	TimeZone      string          `db:"time_zone" json:"timeZone"`
	Calendar      json.RawMessage `db:"calendar" json:"calendar"`
	GradeBands    json.RawMessage `db:"grade_bands" json:"gradeBands"`
	Branding      json.RawMessage `db:"branding" json:"branding"`
	Seats         *int            `db:"seats" json:"seats,omitempty"`
	DirectoryHash string          `db:"directory_hash" json:"-"`
	ArchivedAt    *time.Time      `db:"archived_at" json:"archivedAt,omitempty"`
}

// Branding decodes the school's branding.
func (s *School) BrandingInfo() directory.Branding {
	var b directory.Branding
	_ = json.Unmarshal(s.Branding, &b)
	return b
}

// CalendarInfo decodes the school's calendar.
func (s *School) CalendarInfo() directory.Calendar {
	var c directory.Calendar
	_ = json.Unmarshal(s.Calendar, &c)
	return c
}

// GradeBandsInfo decodes the school's grade bands.
func (s *School) GradeBandsInfo() []directory.GradeBand {
	var g []directory.GradeBand
	_ = json.Unmarshal(s.GradeBands, &g)
	return g
}

const schoolColumns = `id, code, name, time_zone, calendar, grade_bands, branding, seats, directory_hash, archived_at`

// UpsertSchool stores a school as the directory publishes it (system scope)
// and reports whether anything changed. A school that was archived and
// comes back is restored.
func UpsertSchool(ctx context.Context, s *db.Scope, d directory.School) (bool, error) {
	hash := directory.SchoolHash(d)
	cal, _ := json.Marshal(d.Calendar)
	bands, _ := json.Marshal(d.GradeBands)
	if d.GradeBands == nil {
		bands = []byte("[]")
	}
	brand, _ := json.Marshal(d.Branding)
	var seats any
	if d.Seats > 0 {
		seats = d.Seats
	}
	tag, err := s.Tx.Exec(ctx, `INSERT INTO schools (code, name, time_zone, calendar, grade_bands, branding, seats, directory_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (code) DO UPDATE SET name = $2, time_zone = $3, calendar = $4, grade_bands = $5, branding = $6,
			seats = $7, directory_hash = $8, archived_at = NULL, updated_at = now()
		WHERE schools.directory_hash <> $8 OR schools.archived_at IS NOT NULL`,
		d.Code, d.Name, d.TimeZone, cal, bands, brand, seats, hash)
	if err != nil {
		return false, domain.Wrap("upsert school", err)
	}
	return tag.RowsAffected() > 0, nil
}

// ArchiveSchoolsExcept archives every live school whose code is not listed,
// keeping its data, and returns the codes archived.
func ArchiveSchoolsExcept(ctx context.Context, s *db.Scope, codes []string) ([]string, error) {
	rows, err := s.Tx.Query(ctx, `UPDATE schools SET archived_at = now(), updated_at = now()
		WHERE archived_at IS NULL AND NOT (code = ANY ($1)) RETURNING code`, codes)
	if err != nil {
		return nil, domain.Wrap("archive schools", err)
	}
	archived, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return archived, domain.Wrap("archive schools", err)
}

// ListSchools returns the district's schools, live ones first.
func ListSchools(ctx context.Context, s *db.Scope, includeArchived bool) ([]School, error) {
	rows, err := s.Tx.Query(ctx, `SELECT `+schoolColumns+` FROM schools
		WHERE $1 OR archived_at IS NULL ORDER BY archived_at NULLS FIRST, name`, includeArchived)
	if err != nil {
		return nil, domain.Wrap("list schools", err)
	}
	schools, err := pgx.CollectRows(rows, pgx.RowToStructByName[School])
	return schools, domain.Wrap("list schools", err)
}

// GetSchool reads a school by id.
func GetSchool(ctx context.Context, s *db.Scope, id string) (*School, error) {
	rows, err := s.Tx.Query(ctx, `SELECT `+schoolColumns+` FROM schools WHERE id = $1`, id)
	if err != nil {
		return nil, domain.Wrap("get school", err)
	}
	sc, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[School])
	return sc, domain.Wrap("get school", err)
}

// GetSchoolByCode reads a school by its code.
func GetSchoolByCode(ctx context.Context, s *db.Scope, code string) (*School, error) {
	rows, err := s.Tx.Query(ctx, `SELECT `+schoolColumns+` FROM schools WHERE code = $1`, code)
	if err != nil {
		return nil, domain.Wrap("get school", err)
	}
	sc, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[School])
	return sc, domain.Wrap("get school", err)
}

// SchoolStudentCounts counts active students per school code.
func SchoolStudentCounts(ctx context.Context, s *db.Scope) (map[string]int, error) {
	rows, err := s.Tx.Query(ctx, `SELECT sc.code, count(u.id) FROM schools sc
		LEFT JOIN memberships m ON m.school_id = sc.id AND m.role = 'student'
		LEFT JOIN users u ON u.id = m.user_id AND u.status = 'active'
		GROUP BY sc.code`)
	if err != nil {
		return nil, domain.Wrap("count students", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return nil, err
		}
		out[code] = n
	}
	return out, domain.Wrap("count students", rows.Err())
}
