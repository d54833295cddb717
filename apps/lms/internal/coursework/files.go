package coursework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/storage"
)

// File is an uploaded file's record; its bytes are in the store.
type File struct {
	ID          string    `db:"id" json:"id"`
	Name        string    `db:"name" json:"name"`
	ContentType string    `db:"content_type" json:"contentType"`
	SizeBytes   int64     `db:"size_bytes" json:"sizeBytes"`
	StorageKey  string    `db:"storage_key" json:"-"`
	CreatedAt   time.Time `db:"created_at" json:"createdAt"`
}

// Stored is an upload in the store, not yet recorded (RecordUpload).
type Stored struct {
	Key, Name, ContentType, SHA256 string
	Size                           int64
}

// StoreUpload checks an upload by its content and size while streaming it
// to the store, outside any transaction (a slow upload holds no database
// connection). A refused upload is a storage.UploadError and leaves nothing.
func StoreUpload(ctx context.Context, store storage.Store, tenant, name string, r io.Reader, max int64) (*Stored, error) {
	if store == nil {
		return nil, &storage.UploadError{Message: "File uploads are not set up for this district yet. Hand the work in as text or a link, or ask your school's IT team."}
	}
	checked, err := storage.Check(r, name, max)
	if err != nil {
		return nil, err
	}
	token, _ := auth.NewToken()
	key := tenant + "/files/" + token
	sum := sha256.New()
	if _, err := store.Put(ctx, key, io.TeeReader(checked, sum)); err != nil {
		return nil, err
	}
	return &Stored{Key: key, Name: cleanName(name), ContentType: checked.Kind.ContentType, SHA256: hex.EncodeToString(sum.Sum(nil)),
		Size: checked.Size()}, nil
}

// RecordUpload records a stored upload as the acting user's file. When it
// fails the caller should Discard the object.
func RecordUpload(ctx context.Context, s *db.Scope, st *Stored) (*File, error) {
	var id string
	err := s.Tx.QueryRow(ctx, `INSERT INTO files (school_id, uploaded_by, name, content_type, size_bytes, sha256, storage_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, s.Actor.SchoolID, s.Actor.UserID, st.Name, st.ContentType,
		st.Size, st.SHA256, st.Key).Scan(&id)
	if err != nil {
		return nil, refused("record upload", err)
	}
	return GetFile(ctx, s, id)
}

// Discard removes a stored upload that was not recorded.
func Discard(ctx context.Context, store storage.Store, st *Stored) {
	if store != nil && st != nil {
		_ = store.Delete(context.WithoutCancel(ctx), st.Key)
	}
}

// GetFile reads a file record the actor may see (their own, or one
// attached to work or a submission they see). A student or guardian does
// not get a teacher's attachment before its assignment opens: the query
// says so itself, and row-level security says it again.
func GetFile(ctx context.Context, s *db.Scope, id string) (*File, error) {
	learner := s.Actor.Role == db.Student || s.Actor.Role == db.Guardian
	rows, err := s.Tx.Query(ctx, `SELECT id, name, content_type, size_bytes, storage_key, created_at FROM files f WHERE f.id = $1
		AND (NOT $2 OR f.uploaded_by = $3::uuid
			OR f.id IN (SELECT su.file_id FROM submissions su WHERE su.file_id = $1)
			OR f.id IN (SELECT x.file_id FROM assignment_attachments x JOIN assignments a ON a.id = x.assignment_id
				WHERE x.file_id = $1 AND (a.unlock_at IS NULL OR a.unlock_at <= now())))`, id, learner, domain.Nullable(s.Actor.UserID))
	if err != nil {
		return nil, domain.Wrap("get file", err)
	}
	f, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[File])
	return f, domain.Wrap("get file", err)
}

// Attach adds a file the teacher uploaded to an assignment.
func Attach(ctx context.Context, s *db.Scope, assignmentID, fileID string) error {
	_, err := s.Tx.Exec(ctx, `INSERT INTO assignment_attachments (assignment_id, file_id, school_id)
		SELECT id, $2, school_id FROM assignments WHERE id = $1`, assignmentID, fileID)
	return refused("attach file", err)
}

// Attachments lists an assignment's files (none, for a student or
// guardian, before it opens).
func Attachments(ctx context.Context, s *db.Scope, assignmentID string) ([]File, error) {
	learner := s.Actor.Role == db.Student || s.Actor.Role == db.Guardian
	rows, err := s.Tx.Query(ctx, `SELECT f.id, f.name, f.content_type, f.size_bytes, f.storage_key, f.created_at
		FROM assignment_attachments x JOIN files f ON f.id = x.file_id JOIN assignments a ON a.id = x.assignment_id
		WHERE x.assignment_id = $1 AND (NOT $2 OR a.unlock_at IS NULL OR a.unlock_at <= now()) ORDER BY f.name`, assignmentID, learner)
	if err != nil {
		return nil, domain.Wrap("attachments", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[File])
	return out, domain.Wrap("attachments", err)
}

// cleanName keeps a file's base name, without path or control characters.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" {
		return "upload"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}
