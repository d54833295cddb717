package imports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/storage"
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
	Files    roster.Files
	// Store keeps the files (see CreateImport); nil keeps them in the database.
	Store    FileStore
	Plan     any
	Problems any
	Total    int
	Failed   bool
}

// FileStore is where import files are kept outside the database.
type FileStore = storage.Store

// CreateImport stores an upload with its plan or problems. The files are
// streamed into n.Store, one object each, and only their names and keys
// are in the database; without a store (a quick start with no file
// storage set up) they are kept in the database, read whole. A refused
// upload keeps only its file names: the problem report is all anyone
// needs of it. When CreateImport fails, objects it stored are removed.
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
	names := n.Files.Names()
	sort.Strings(names)
	var stored []string
	for _, name := range names {
		src := n.Files[name]
		data, key, err := keepFile(ctx, s, n, id, name, src)
		if key != nil {
			stored = append(stored, *key)
		}
		if err == nil {
			_, err = s.Tx.Exec(ctx, `INSERT INTO import_files (import_id, name, data, object_key, size) VALUES ($1, $2, $3, $4, $5)`,
				id, name, data, key, src.Size())
			err = domain.Wrap("store import file", err)
		}
		if err != nil {
			for _, key := range stored {
				_ = n.Store.Delete(context.WithoutCancel(ctx), key)
			}
			return "", err
		}
	}
	return id, nil
}

// keepFile puts one file in the store (returning its key) or, without a
// store, reads it for the database.
func keepFile(ctx context.Context, s *db.Scope, n NewImport, id, name string, src roster.Source) ([]byte, *string, error) {
	if n.Failed {
		return []byte{}, nil, nil
	}
	if n.Store == nil {
		data, err := roster.ReadAll(src)
		if err != nil {
			return nil, nil, fmt.Errorf("read import file %s: %w", name, err)
		}
		return data, nil, nil
	}
	rc, err := src.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open import file %s: %w", name, err)
	}
	defer rc.Close()
	key := s.Tenant + "/imports/" + id + "/" + name
	if _, err := n.Store.Put(ctx, key, rc); err != nil {
		return nil, nil, fmt.Errorf("store import file %s: %w", name, err)
	}
	return []byte{}, &key, nil
}

// FilesKeptFor is how long an import's files are kept while it waits to be
// applied or discarded.
const FilesKeptFor = 7 * 24 * time.Hour

// DropImportFiles empties an import's stored files, keeping their names
// for the history; done once an import is applied, failed or discarded.
// Objects in the file store are deleted by the expiry job (Expire), after
// this transaction has committed.
func DropImportFiles(ctx context.Context, s *db.Scope, id string) error {
	_, err := s.Tx.Exec(ctx, `UPDATE import_files SET data = '', dropped_at = coalesce(dropped_at, now()) WHERE import_id = $1`, id)
	return domain.Wrap("drop import files", err)
}

// ExpireImports discards imports checked before cutoff and never applied,
// and drops the files of every import before cutoff that is not waiting
// for or running its job. It returns how many imports it discarded. The
// expiry job runs it (Expire).
func ExpireImports(ctx context.Context, s *db.Scope, cutoff time.Time) (int, error) {
	tag, err := s.Tx.Exec(ctx, `UPDATE imports SET status = 'discarded', finished_at = now(),
		error = 'Discarded unapplied after 7 days; upload the files again to import them.'
		WHERE status = 'previewed' AND created_at < $1`, cutoff)
	if err != nil {
		return 0, domain.Wrap("expire imports", err)
	}
	_, err = s.Tx.Exec(ctx, `UPDATE import_files SET data = '', dropped_at = coalesce(dropped_at, now())
		WHERE dropped_at IS NULL AND import_id IN (
		SELECT id FROM imports WHERE created_at < $1 AND status NOT IN ('queued', 'running'))`, cutoff)
	if err != nil {
		return 0, domain.Wrap("expire import files", err)
	}
	return int(tag.RowsAffected()), nil
}

// Expire is the expiry job's work in a district's database, as the
// system: ExpireImports, then the objects of every dropped file are
// deleted from store (nil: there are none) and forgotten. An object whose
// deletion fails is tried again on the next run.
func Expire(ctx context.Context, d *db.DB, store FileStore, cutoff time.Time) error {
	err := d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		_, err := ExpireImports(ctx, s, cutoff)
		return err
	})
	if err != nil {
		return err
	}
	return DeleteDroppedFiles(ctx, d, store, "")
}

// DeleteDroppedFiles deletes from store the objects of the dropped files
// of one import (or, with importID "", of every import) and forgets them,
// as the system.
func DeleteDroppedFiles(ctx context.Context, d *db.DB, store FileStore, importID string) error {
	if store == nil {
		return nil
	}
	var keys []string
	err := d.InTx(ctx, db.SystemActor(), func(s *db.Scope) (err error) {
		keys, err = DroppedObjects(ctx, s, importID)
		return err
	})
	if err != nil || len(keys) == 0 {
		return err
	}
	deleted, delErr := DeleteObjects(ctx, store, keys)
	err = d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error { return ForgetObjects(ctx, s, deleted) })
	return errors.Join(delErr, err)
}

// DroppedObjects lists the store keys of the dropped files of one import
// (or, with importID "", of every import the actor sees).
func DroppedObjects(ctx context.Context, s *db.Scope, importID string) ([]string, error) {
	rows, err := s.Tx.Query(ctx, `SELECT object_key FROM import_files
		WHERE dropped_at IS NOT NULL AND object_key IS NOT NULL AND ($1 = '' OR import_id::text = $1)`, importID)
	if err != nil {
		return nil, domain.Wrap("list dropped import files", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return keys, domain.Wrap("list dropped import files", err)
}

// DeleteObjects deletes keys from store, outside any transaction, and
// returns those it deleted; the others are tried again by the expiry job.
func DeleteObjects(ctx context.Context, store FileStore, keys []string) ([]string, error) {
	var deleted []string
	var errs []error
	for _, key := range keys {
		if err := store.Delete(ctx, key); err != nil {
			errs = append(errs, err)
			continue
		}
		deleted = append(deleted, key)
	}
	return deleted, errors.Join(errs...)
}

// ForgetObjects clears the keys of deleted objects from import_files.
func ForgetObjects(ctx context.Context, s *db.Scope, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.Tx.Exec(ctx, `UPDATE import_files SET object_key = NULL WHERE object_key = ANY ($1)`, keys)
	return domain.Wrap("forget dropped import files", err)
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

// ImportFiles returns an import's uploaded files. Files in the store are
// streamed from it when read (store must be the one CreateImport used);
// files kept in the database are read now. Dropped files are left out.
func ImportFiles(ctx context.Context, s *db.Scope, store FileStore, id string) (roster.Files, error) {
	rows, err := s.Tx.Query(ctx, `SELECT name, data, object_key, size FROM import_files WHERE import_id = $1 AND dropped_at IS NULL`, id)
	if err != nil {
		return nil, domain.Wrap("read import files", err)
	}
	defer rows.Close()
	files := roster.Files{}
	for rows.Next() {
		var name string
		var data []byte
		var key *string
		var size int64
		if err := rows.Scan(&name, &data, &key, &size); err != nil {
			return nil, err
		}
		switch {
		case key == nil:
			files[name] = roster.BytesSource(data)
		case store == nil:
			return nil, fmt.Errorf("read import file %s: it is in the file store, and none is set up", name)
		default:
			files[name] = storedFile{ctx: ctx, store: store, key: *key, size: size}
		}
	}
	return files, domain.Wrap("read import files", rows.Err())
}

// storedFile is an import file in the store, streamed from it when opened.
type storedFile struct {
	ctx   context.Context
	store FileStore
	key   string
	size  int64
}

func (f storedFile) Open() (io.ReadCloser, error) { return f.store.Get(f.ctx, f.key) }
func (f storedFile) Size() int64                  { return f.size }

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
