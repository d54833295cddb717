package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
)

// ImportExpiryArgs asks for a district's stored import files to be
// dropped once they have served (see imports.ExpireImports).
type ImportExpiryArgs struct {
	Tenant string `json:"tenant"`
}

// Kind names the job.
func (ImportExpiryArgs) Kind() string { return "import_expiry" }

// ImportExpiryEvery is how often each tenant's queue drops expired import
// files, unless the process says otherwise. Files outlive
// imports.FilesKeptFor by at most this long.
const ImportExpiryEvery = time.Hour

// ImportExpiryWorker drops expired import files.
type ImportExpiryWorker struct {
	river.WorkerDefaults[ImportExpiryArgs]
	DB  func(ctx context.Context, tenant string) (*db.DB, error)
	Now func() time.Time
	// Files is where import files are kept when not in the database
	// (nil: they are all in the database).
	Files func() imports.FileStore
}

// Work discards imports checked more than imports.FilesKeptFor ago and
// never applied, and drops the files of every import that no longer needs
// them (applied, failed, discarded, or expired).
func (w *ImportExpiryWorker) Work(ctx context.Context, job *river.Job[ImportExpiryArgs]) error {
	d, err := w.DB(ctx, job.Args.Tenant)
	if err != nil {
		return err
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	return imports.Expire(ctx, d, fileStore(w.Files), now().Add(-imports.FilesKeptFor))
}

// ImportExpiryPeriodic is the periodic job that drops a tenant's expired
// import files every so often (ImportExpiryEvery when zero), and once when
// the tenant's queue starts.
func ImportExpiryPeriodic(tenant string, every time.Duration) *river.PeriodicJob {
	if every <= 0 {
		every = ImportExpiryEvery
	}
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return ImportExpiryArgs{Tenant: tenant}, &river.InsertOpts{MaxAttempts: 3}
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
