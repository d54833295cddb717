package classes

import (
	"context"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// Section is a class: a course taught to a group of students in some terms.
type Section struct {
	ID          string   `db:"id" json:"id"`
	SchoolID    string   `db:"school_id" json:"schoolId"`
	SchoolName  string   `db:"school_name" json:"schoolName"`
	CourseID    string   `db:"course_id" json:"courseId"`
	CourseTitle string   `db:"course_title" json:"courseTitle"`
	Title       string   `db:"title" json:"title"`
	Code        string   `db:"code" json:"code"`
	Period      string   `db:"period" json:"period"`
	Terms       []string `db:"terms" json:"terms"`
	Teachers    []string `db:"teachers" json:"teachers"`
	Students    int      `db:"students" json:"students"`
}

const sectionSelect = `SELECT s.id, s.school_id, sc.name AS school_name, s.course_id, c.title AS course_title, s.title, s.code, s.period,
	coalesce((SELECT array_agg(t.name ORDER BY t.starts_on) FROM terms t WHERE t.id = ANY (s.term_ids)), '{}') AS terms,
	coalesce((SELECT array_agg(u.display_name ORDER BY u.family_name) FROM enrollments e JOIN users u ON u.id = e.user_id
	          WHERE e.section_id = s.id AND e.role = 'teacher'), '{}') AS teachers,
	(SELECT count(*) FROM enrollments e WHERE e.section_id = s.id AND e.role = 'student')::int AS students
	FROM sections s JOIN courses c ON c.id = s.course_id JOIN schools sc ON sc.id = s.school_id`

// MySections lists the sections where the acting user is enrolled in a
// role (teaching or learning), ordered by period and title.
func MySections(ctx context.Context, s *db.Scope, role EnrollmentRole) ([]Section, error) {
	return sectionsOf(ctx, s, s.Actor.UserID, role)
}

// StudentSections lists the sections a student learns in (a guardian's
// child, say; row-level security decides whose the actor may see).
func StudentSections(ctx context.Context, s *db.Scope, studentID string) ([]Section, error) {
	return sectionsOf(ctx, s, studentID, Student)
}

func sectionsOf(ctx context.Context, s *db.Scope, userID string, role EnrollmentRole) ([]Section, error) {
	rows, err := s.Tx.Query(ctx, sectionSelect+` WHERE s.id IN (SELECT section_id FROM enrollments WHERE user_id = $1 AND role = $2)
		ORDER BY s.period, s.title`, userID, string(role))
	if err != nil {
		return nil, domain.Wrap("list sections", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Section])
	return out, domain.Wrap("list sections", err)
}

// ListSections lists all sections visible to the actor (of one school when schoolID is set).
func ListSections(ctx context.Context, s *db.Scope, schoolID string) ([]Section, error) {
	rows, err := s.Tx.Query(ctx, sectionSelect+` WHERE ($1::uuid IS NULL OR s.school_id = $1) ORDER BY sc.name, s.period, s.title`, domain.Nullable(schoolID))
	if err != nil {
		return nil, domain.Wrap("list sections", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Section])
	return out, domain.Wrap("list sections", err)
}

// GetSection reads one section visible to the actor.
func GetSection(ctx context.Context, s *db.Scope, id string) (*Section, error) {
	rows, err := s.Tx.Query(ctx, sectionSelect+` WHERE s.id = $1`, id)
	if err != nil {
		return nil, domain.Wrap("get section", err)
	}
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Section])
	return out, domain.Wrap("get section", err)
}

// RosterEntry is a person enrolled in a section.
type RosterEntry struct {
	UserID      string         `db:"user_id" json:"userId"`
	DisplayName string         `db:"display_name" json:"displayName"`
	Email       string         `db:"email" json:"email"`
	Role        EnrollmentRole `db:"role" json:"role"`
	Grade       *string        `db:"grade" json:"grade,omitempty"`
	Guardians   int            `db:"guardians" json:"guardians"`
}

// Roster lists a section's teachers and students visible to the actor.
func Roster(ctx context.Context, s *db.Scope, sectionID string) ([]RosterEntry, error) {
	rows, err := s.Tx.Query(ctx, `SELECT u.id AS user_id, u.display_name, u.email, e.role, u.grade,
		(SELECT count(*) FROM guardian_links g WHERE g.student_id = u.id)::int AS guardians
		FROM enrollments e JOIN users u ON u.id = e.user_id
		WHERE e.section_id = $1 ORDER BY e.role DESC, u.family_name, u.given_name`, sectionID)
	if err != nil {
		return nil, domain.Wrap("roster", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[RosterEntry])
	return out, domain.Wrap("roster", err)
}

// Counts are the district's (or school's) headline numbers.
type Counts struct {
	Users    int `json:"users"`
	Teachers int `json:"teachers"`
	Students int `json:"students"`
	Guardian int `json:"guardians"`
	Sections int `json:"sections"`
	Courses  int `json:"courses"`
}

// CountAll counts what the actor can see.
func CountAll(ctx context.Context, s *db.Scope) (Counts, error) {
	var c Counts
	err := s.Tx.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM users WHERE status = 'active'),
		(SELECT count(DISTINCT user_id) FROM memberships WHERE role = 'teacher'),
		(SELECT count(DISTINCT user_id) FROM memberships WHERE role = 'student'),
		(SELECT count(DISTINCT user_id) FROM memberships WHERE role = 'guardian'),
		(SELECT count(*) FROM sections),
		(SELECT count(*) FROM courses)`).Scan(&c.Users, &c.Teachers, &c.Students, &c.Guardian, &c.Sections, &c.Courses)
	return c, domain.Wrap("count", err)
}
