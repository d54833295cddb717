package coursework

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// Announcement is a note to a section, newest first on its home page.
type Announcement struct {
	ID       string    `db:"id" json:"id"`
	Title    string    `db:"title" json:"title"`
	BodyHTML string    `db:"body_html" json:"bodyHtml"`
	Author   string    `db:"author" json:"author"`
	PostedAt time.Time `db:"posted_at" json:"postedAt"`
}

// Announce posts an announcement to a section the teacher teaches; its
// body is rich text, sanitised like instructions.
func Announce(ctx context.Context, s *db.Scope, sectionID, title, body string) error {
	var ve validate.Errors
	title = strings.TrimSpace(title)
	if title == "" || len(title) > 200 {
		ve.Add("title", "Give the announcement a title of at most 200 characters.")
	}
	if len(body) > 20_000 {
		ve.Add("body", "Keep the announcement under 20,000 characters.")
	}
	if err := ve.Err(); err != nil {
		return err
	}
	_, err := s.Tx.Exec(ctx, `INSERT INTO announcements (section_id, school_id, author_id, title, body_html) VALUES ($1, $2, $3, $4, $5)`,
		sectionID, s.Actor.SchoolID, s.Actor.UserID, title, SanitizeInstructions(body))
	return refused("announce", err)
}

// Announcements lists a section's latest announcements.
func Announcements(ctx context.Context, s *db.Scope, sectionID string, limit int) ([]Announcement, error) {
	rows, err := s.Tx.Query(ctx, `SELECT a.id, a.title, a.body_html, coalesce(u.display_name, '') AS author, a.posted_at
		FROM announcements a LEFT JOIN users u ON u.id = a.author_id WHERE a.section_id = $1 ORDER BY a.posted_at DESC LIMIT $2`, sectionID, limit)
	if err != nil {
		return nil, domain.Wrap("announcements", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Announcement])
	return out, domain.Wrap("announcements", err)
}
