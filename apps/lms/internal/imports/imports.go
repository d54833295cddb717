package imports

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// Import is an uploaded roster: its files, the dry-run plan or the problems
// found, and the progress of applying it.
type Import struct {
	ID         string          `db:"id" json:"id"`
	Kind       string          `db:"kind" json:"kind"`
	Status     string          `db:"status" json:"status"`
	SchoolID   *string         `db:"school_id" json:"schoolId,omitempty"`
	CreatedBy  string          `db:"created_by" json:"createdBy"`
	Plan       json.RawMessage `db:"plan" json:"-"`
	Problems   json.RawMessage `db:"problems" json:"-"`
	Progress   int             `db:"progress" json:"progress"`
	Total      int             `db:"total" json:"total"`
	Error      string          `db:"error" json:"error,omitempty"`
	CreatedAt  time.Time       `db:"created_at" json:"createdAt"`
	FinishedAt *time.Time      `db:"finished_at" json:"finishedAt,omitempty"`
	FileNames  []string        `db:"file_names" json:"files"`
}

// Import statuses.
const (
	ImportPreviewed = "previewed"
	ImportQueued    = "queued"
	ImportRunning   = "running"
	ImportApplied   = "applied"
	ImportFailed    = "failed"
	ImportDiscarded = "discarded"
)

// CreatedAtPtr helps templates format the time.
func (i *Import) CreatedAtPtr() *time.Time { return &i.CreatedAt }

// KindLabel names the format for people.
func (i *Import) KindLabel() string {
	if i.Kind == "oneroster" || i.Kind == "oneroster12" {
		return "OneRoster"
	}
	return "Users CSV"
}

// StatusLabel names the status for people.
func (i *Import) StatusLabel() string {
	return map[string]string{ImportPreviewed: "Checked, not applied", ImportQueued: "Waiting to apply", ImportRunning: "Applying",
		ImportApplied: "Applied", ImportFailed: "Not applied", ImportDiscarded: "Discarded"}[i.Status]
}

const importColumns = `id, kind, status, school_id, created_by, plan, problems, progress, total, error, created_at, finished_at,
	coalesce((SELECT array_agg(name ORDER BY name) FROM import_files f WHERE f.import_id = imports.id), '{}') AS file_names`

// NewImport holds a checked upload.
type NewImport struct {
	Kind     string
	SchoolID string
	Files    map[string][]byte
	Plan     any
	Problems any
	Total    int
	Failed   bool
}

// CreateImport stores an upload with its plan or problems.
func CreateImport(ctx context.Context, s *db.Scope, n NewImport) (string, error) {
	plan, err := json.Marshal(n.Plan)
	if err != nil {
		return "", err
	}
	problems, err := json.Marshal(n.Problems)
	if err != nil {
		return "", err
	}
	status := ImportPreviewed
	if n.Failed {
		status = ImportFailed
	}
	var id string
	if err := s.Tx.QueryRow(ctx, `INSERT INTO imports (kind, status, school_id, created_by, plan, problems, total)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		n.Kind, status, domain.Nullable(n.SchoolID), s.Actor.UserID, plan, problems, n.Total).Scan(&id); err != nil {
		return "", domain.Wrap("create import", err)
	}
	names := make([]string, 0, len(n.Files))
	for name := range n.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		// A refused upload keeps only its file names: the problem report
		// is all anyone needs of it.
		data := n.Files[name]
		if n.Failed {
			data = []byte{}
		}
		if _, err := s.Tx.Exec(ctx, `INSERT INTO import_files (import_id, name, data) VALUES ($1, $2, $3)`, id, name, data); err != nil {
			return "", domain.Wrap("store import file", err)
		}
	}
	if _, err := ExpireImports(ctx, s, time.Now().Add(-FilesKeptFor)); err != nil {
		return "", err
	}
	return id, nil
}

// FilesKeptFor is how long an import's files are kept while it waits to be
// applied or discarded.
const FilesKeptFor = 7 * 24 * time.Hour

// DropImportFiles empties an import's stored files, keeping their names
// for the history; done once an import is applied, failed or discarded.
func DropImportFiles(ctx context.Context, s *db.Scope, id string) error {
	_, err := s.Tx.Exec(ctx, `UPDATE import_files SET data = '' WHERE import_id = $1 AND data <> ''`, id)
	return domain.Wrap("drop import files", err)
}

// ExpireImports discards imports checked before cutoff and never applied,
// and empties the files of every import before cutoff that is not waiting
// for or running its job. It returns how many imports it discarded. Every
// new upload runs it (CreateImport), so stored files do not outlive
// FilesKeptFor by more than the time to the district's next upload.
func ExpireImports(ctx context.Context, s *db.Scope, cutoff time.Time) (int, error) {
	tag, err := s.Tx.Exec(ctx, `UPDATE imports SET status = 'discarded', finished_at = now(),
		error = 'Discarded unapplied after 7 days; upload the files again to import them.'
		WHERE status = 'previewed' AND created_at < $1`, cutoff)
	if err != nil {
		return 0, domain.Wrap("expire imports", err)
	}
	_, err = s.Tx.Exec(ctx, `UPDATE import_files SET data = '' WHERE data <> '' AND import_id IN (
		SELECT id FROM imports WHERE created_at < $1 AND status NOT IN ('queued', 'running'))`, cutoff)
	if err != nil {
		return 0, domain.Wrap("expire import files", err)
	}
	return int(tag.RowsAffected()), nil
}

// GetImport reads an import.
func GetImport(ctx context.Context, s *db.Scope, id string) (*Import, error) {
	rows, err := s.Tx.Query(ctx, `SELECT `+importColumns+` FROM imports WHERE id = $1`, id)
	if err != nil {
		return nil, domain.Wrap("get import", err)
	}
	imp, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Import])
	return imp, domain.Wrap("get import", err)
}

// ListImports returns the newest imports.
func ListImports(ctx context.Context, s *db.Scope, limit int) ([]Import, error) {
	rows, err := s.Tx.Query(ctx, `SELECT `+importColumns+` FROM imports ORDER BY created_at DESC LIMIT $1`, limit)
	if err != nil {
		return nil, domain.Wrap("list imports", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Import])
	return out, domain.Wrap("list imports", err)
}

// ImportFiles reads an import's uploaded files.
func ImportFiles(ctx context.Context, s *db.Scope, id string) (map[string][]byte, error) {
	rows, err := s.Tx.Query(ctx, `SELECT name, data FROM import_files WHERE import_id = $1`, id)
	if err != nil {
		return nil, domain.Wrap("read import files", err)
	}
	defer rows.Close()
	files := map[string][]byte{}
	for rows.Next() {
		var name string
		var data []byte
		if err := rows.Scan(&name, &data); err != nil {
			return nil, err
		}
		files[name] = data
	}
	return files, domain.Wrap("read import files", rows.Err())
}

// MoveImport changes an import's status if it is in from; it reports false
// when another request moved it first (a double click on Apply).
func MoveImport(ctx context.Context, s *db.Scope, id, from, to string) (bool, error) {
	tag, err := s.Tx.Exec(ctx, `UPDATE imports SET status = $3 WHERE id = $1 AND status = $2`, id, from, to)
	if err != nil {
		return false, domain.Wrap("move import", err)
	}
	return tag.RowsAffected() == 1, nil
}

// FinishImport records the outcome of applying an import.
func FinishImport(ctx context.Context, s *db.Scope, id, status, message string, plan any, problems any, now time.Time) error {
	planJSON, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	probJSON, err := json.Marshal(problems)
	if err != nil {
		return err
	}
	tag, err := s.Tx.Exec(ctx, `UPDATE imports SET status = $2, error = $3, plan = CASE WHEN $4::jsonb = 'null' THEN plan ELSE $4 END,
		problems = CASE WHEN $5::jsonb = 'null' THEN problems ELSE $5 END, progress = CASE WHEN $2 = 'applied' THEN total ELSE progress END,
		finished_at = $6 WHERE id = $1`, id, status, message, planJSON, probJSON, now)
	if err != nil {
		return domain.Wrap("finish import", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("finish import: %w", domain.ErrNotFound)
	}
	// Applied or failed, the files have served their purpose.
	return DropImportFiles(ctx, s, id)
}

// DiscardImport discards an import not yet applied and drops its files.
// It reports false when the import had already moved on.
func DiscardImport(ctx context.Context, s *db.Scope, id string) (bool, error) {
	moved, err := MoveImport(ctx, s, id, ImportPreviewed, ImportDiscarded)
	if err != nil || !moved {
		return moved, err
	}
	return true, DropImportFiles(ctx, s, id)
}

// SetImportProgress records how far applying has come.
func SetImportProgress(ctx context.Context, s *db.Scope, id string, done, total int) error {
	_, err := s.Tx.Exec(ctx, `UPDATE imports SET status = 'running', progress = $2, total = $3 WHERE id = $1 AND status IN ('queued', 'running')`, id, done, total)
	return domain.Wrap("import progress", err)
}
