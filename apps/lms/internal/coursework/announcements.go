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
	ID        string     `db:"id" json:"id"`
	SectionID string     `db:"section_id" json:"sectionId"`
	Title     string     `db:"title" json:"title"`
	BodyHTML  string     `db:"body_html" json:"bodyHtml"`
	Author    string     `db:"author" json:"author"`
	PostedAt  time.Time  `db:"posted_at" json:"postedAt"`
	EditedAt  *time.Time `db:"edited_at" json:"editedAt,omitempty"`
}

// announcementInput checks an announcement's title and body.
func announcementInput(title, body string) (string, string, error) {
	var ve validate.Errors
	title = strings.TrimSpace(title)
	if title == "" || len(title) > 200 {
		ve.Add("title", "Give the announcement a title of at most 200 characters.")
	}
	if len(body) > 20_000 {
		ve.Add("body", "Keep the announcement under 20,000 characters.")
	}
	return title, SanitizeInstructions(body), ve.Err()
}

// Announce posts an announcement to a section the teacher teaches; its
// body is rich text, sanitised like instructions.
func Announce(ctx context.Context, s *db.Scope, sectionID, title, body string) error {
	title, body, err := announcementInput(title, body)
	if err != nil {
		return err
	}
	_, err = s.Tx.Exec(ctx, `INSERT INTO announcements (section_id, school_id, author_id, title, body_html) VALUES ($1, $2, $3, $4, $5)`,
		sectionID, s.Actor.SchoolID, s.Actor.UserID, title, body)
	return refused("announce", err)
}

// GetAnnouncement reads one announcement the actor sees.
func GetAnnouncement(ctx context.Context, s *db.Scope, id string) (*Announcement, error) {
	rows, err := s.Tx.Query(ctx, announcementSelect+` WHERE a.id = $1`, id)
	if err != nil {
		return nil, domain.Wrap("get announcement", err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Announcement])
	return a, domain.Wrap("get announcement", err)
}

// UpdateAnnouncement changes an announcement of a section the actor
// teaches (any of its teachers, not only the author); the author and the
// posting time stay, and the actor is recorded as the last editor.
func UpdateAnnouncement(ctx context.Context, s *db.Scope, id, title, body string) (*Announcement, error) {
	title, body, err := announcementInput(title, body)
	if err != nil {
		return nil, err
	}
	tag, err := s.Tx.Exec(ctx, `UPDATE announcements SET title = $2, body_html = $3, edited_at = now(), edited_by = $4 WHERE id = $1`,
		id, title, body, s.Actor.UserID)
	if err != nil {
		return nil, refused("update announcement", err)
	}
	if tag.RowsAffected() == 0 {
		return nil, domain.ErrNotFound
	}
	return GetAnnouncement(ctx, s, id)
}

// DeleteAnnouncement removes an announcement of a section the actor teaches.
func DeleteAnnouncement(ctx context.Context, s *db.Scope, id string) error {
	tag, err := s.Tx.Exec(ctx, `DELETE FROM announcements WHERE id = $1`, id)
	if err != nil {
		return refused("delete announcement", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

const announcementSelect = `SELECT a.id, a.section_id, a.title, a.body_html, coalesce(u.display_name, '') AS author, a.posted_at, a.edited_at
	FROM announcements a LEFT JOIN users u ON u.id = a.author_id`

// Announcements lists a section's latest announcements.
func Announcements(ctx context.Context, s *db.Scope, sectionID string, limit int) ([]Announcement, error) {
	rows, err := s.Tx.Query(ctx, announcementSelect+` WHERE a.section_id = $1 ORDER BY a.posted_at DESC LIMIT $2`, sectionID, limit)
	if err != nil {
		return nil, domain.Wrap("announcements", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Announcement])
	return out, domain.Wrap("announcements", err)
}
