package backup

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/internal/dev/pgserver"
	"bellwork.dev/bellwork/internal/dev/s3server"
)

// gatedStore lets a test hold a backup mid-dump: the dump's upload reads
// `after` bytes, says so on reached, then reads nothing more until gate
// closes. pg_dump, with its pipe full, waits in the middle of its output.
type gatedStore struct {
	Store
	after   int64
	reached chan struct{}
	gate    chan struct{}
}

func newGatedStore(s Store, after int64) *gatedStore {
	return &gatedStore{Store: s, after: after, reached: make(chan struct{}), gate: make(chan struct{})}
}

func (g *gatedStore) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if strings.HasSuffix(key, "/dump.pgdump") {
		r = &gatedReader{r: r, g: g}
	}
	return g.Store.Put(ctx, key, r)
}

type gatedReader struct {
	r    io.Reader
	g    *gatedStore
	n    int64
	once sync.Once
}

func (gr *gatedReader) Read(p []byte) (int, error) {
	if gr.n >= gr.g.after {
		gr.once.Do(func() { close(gr.g.reached) })
		<-gr.g.gate
	}
	if rest := gr.g.after - gr.n; rest > 0 && int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := gr.r.Read(p)
	gr.n += int64(n)
	return n, err
}

// The Postgres server itself dies (SIGKILL to every process, as a lost
// node) while pg_dump is in the middle of its output.
func TestPostgresServerKilledMidDumpFailsTheRun(t *testing.T) {
	ctx := context.Background()
	doomed, err := pgserver.Start(ctx, pgserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = doomed.Stop() })
	db := newTenantDBOn(t, doomed, 0)
	fill(t, doomed, db, 20_000) // about 20 MiB: far more than the pipe and sockets hold
	store := s3Store(t, "faults/server-killed")
	good, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: store})
	if err != nil {
		t.Fatal(err)
	}

	gated := newGatedStore(store, 256<<10)
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: gated})
		done <- err
	}()
	select {
	case <-gated.reached:
	case err := <-done:
		t.Fatalf("the run ended before the dump was under way: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("the dump never got under way")
	}
	if err := doomed.Kill(); err != nil {
		t.Fatal(err)
	}
	close(gated.gate)
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the run did not end after its server was killed")
	}
	wantErr(t, err, "pg_dump failed")
	onlyGood(t, store, "t", good)
	lastRunFailed(t, store, "t", "pg_dump failed")
}

// Storage that is full answers with the store's real error reply; the run
// says the storage is full, and the earlier backup stays.
func TestStorageFullFailsTheRunAndKeepsEarlierBackups(t *testing.T) {
	// The replies of real stores: MinIO with its drives full, Ceph RGW
	// over a bucket quota, a gateway's object size limit.
	for name, reply := range map[string]struct {
		status int
		body   string
	}{
		"minio drives full": {http.StatusInsufficientStorage, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>XMinioStorageFull</Code><Message>Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.</Message><Resource>/backups</Resource><RequestId>1</RequestId></Error>`},
		"ceph quota":        {http.StatusForbidden, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>QuotaExceeded</Code><BucketName>backups</BucketName><RequestId>1</RequestId></Error>`},
		"size limit":        {http.StatusBadRequest, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed object size.</Message><RequestId>1</RequestId></Error>`},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := newTenantDB(t, 500)
			prefix := "faults/full/" + strings.ReplaceAll(name, " ", "-")
			direct := s3Store(t, prefix)
			good, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: direct})
			if err != nil {
				t.Fatal(err)
			}
			target, _ := url.Parse(s3.URL())
			proxy := httputil.NewSingleHostReverseProxy(target)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/dump.pgdump") {
					_, _ = io.Copy(io.Discard, r.Body)
					w.Header().Set("Content-Type", "application/xml")
					w.WriteHeader(reply.status)
					_, _ = io.WriteString(w, reply.body)
					return
				}
				proxy.ServeHTTP(w, r)
			}))
			defer srv.Close()
			full, err := NewS3Store(S3Config{Endpoint: strings.TrimPrefix(srv.URL, "http://"), Insecure: true, Bucket: s3.Bucket,
				Prefix: prefix, Region: s3server.Region, AccessKey: s3.AccessKey, SecretKey: s3.SecretKey})
			if err != nil {
				t.Fatal(err)
			}
			_, err = Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: full})
			wantErr(t, err, "storage is full or over its quota")
			onlyGood(t, direct, "t", good)
			lastRunFailed(t, direct, "t", "storage is full or over its quota")
		})
	}
}

// A folder on a filesystem that fills up (a 1 MiB tmpfs): the write fails
// with ENOSPC and the partial file goes.
func TestFolderStorageFullFailsTheRunAndKeepsEarlierBackups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("a full filesystem needs a tmpfs mount (root only here): %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, 0) })
	store := FolderStore{Dir: dir}
	small := newTenantDB(t, 10)
	good, err := Run(ctx, Options{Tenant: "t", DatabaseURL: small.backupURL, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	big := newTenantDB(t, 0)
	fill(t, pg, big, 4_000) // about 4 MiB, about 2 MiB compressed
	_, err = Run(ctx, Options{Tenant: "t", DatabaseURL: big.backupURL, Store: store})
	wantErr(t, err, "storage is full")
	onlyGood(t, store, "t", good)
	lastRunFailed(t, store, "t", "storage is full")
	if partials, err := store.RemovePartials(ctx, "", time.Now().Add(time.Hour)); err != nil || len(partials) != 0 {
		t.Errorf("the failed write left partial files %v (%v)", partials, err)
	}
}

// Two runs for one tenant never overlap: while one holds the backup lock
// (here waiting mid-dump), a second fails at once and writes nothing.
func TestSecondRunFailsWhileOneIsRunning(t *testing.T) {
	ctx := context.Background()
	db := newTenantDB(t, 0)
	fill(t, pg, db, 2_000)
	store := FolderStore{Dir: t.TempDir()}
	gated := newGatedStore(store, 64<<10)
	first := make(chan error, 1)
	var m *Manifest
	go func() {
		var err error
		m, err = Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: gated})
		first <- err
	}()
	select {
	case <-gated.reached:
	case err := <-first:
		t.Fatalf("the first run ended before its dump was under way: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("the first run's dump never got under way")
	}
	_, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: store})
	wantErr(t, err, "another backup of this tenant is running")
	if !errors.Is(err, ErrRunning) {
		t.Errorf("error %v is not ErrRunning", err)
	}
	lastRunFailed(t, store, "t", "another backup of this tenant is running")
	close(gated.gate)
	if err := <-first; err != nil {
		t.Fatalf("the first run failed: %v", err)
	}
	onlyGood(t, store, "t", m)
	// The lock went with the first run: the next one runs.
	if _, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: store}); err != nil {
		t.Fatalf("a run after the first one finished: %v", err)
	}
}

// The runner process is killed (SIGKILL, as a node loss or OOM kill) in
// the middle of its upload: what it wrote is never visible as a backup,
// earlier backups are untouched, the lock is free, and the next run's
// sweep removes the unfinished upload.
func TestRunnerKilledMidRunLeavesNoBackupAndNextRunSweeps(t *testing.T) {
	db := newTenantDB(t, 0)
	fill(t, pg, db, 14_000) // about 14 MiB: the S3 upload is multipart (5 MiB parts)
	dir := t.TempDir()
	for name, target := range map[string]killTarget{
		"folder": {FolderStore{Dir: dir}, []string{"BACKUP_PATH=" + dir}, 64 << 10, func(t *testing.T) int {
			n := 0
			_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), partialPrefix) {
					if info, _ := d.Info(); info != nil && info.Size() > 0 {
						n++
					}
				}
				return nil
			})
			return n
		}},
		"s3": {s3Store(t, "faults/killed-runner"), []string{"BACKUP_S3_PREFIX=faults/killed-runner"}, 6 << 20, func(t *testing.T) int {
			c, err := s3.Client()
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for u := range c.ListIncompleteUploads(context.Background(), s3.Bucket, "faults/killed-runner/t/", true) {
				if u.Err != nil {
					t.Fatal(u.Err)
				}
				n++
			}
			return n
		}},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			good, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: target.store})
			if err != nil {
				t.Fatal(err)
			}
			child := exec.Command(os.Args[0], "-test.run=^$")
			child.Env = append(os.Environ(), childEnv+"=1", "CHILD_DATABASE_URL="+db.backupURL, "CHILD_AFTER="+strconv.FormatInt(target.after, 10),
				"BACKUP_S3_ENDPOINT="+s3.Endpoint, "BACKUP_S3_BUCKET="+s3.Bucket, "BACKUP_S3_INSECURE=true",
				"BACKUP_S3_ACCESS_KEY="+s3.AccessKey, "BACKUP_S3_SECRET_KEY="+s3.SecretKey)
			child.Env = append(child.Env, target.env...)
			out, err := child.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			child.Stderr = os.Stderr
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			line := make(chan string, 1)
			go func() {
				b := make([]byte, 64)
				n, _ := io.ReadAtLeast(out, b, len(childMidRun))
				line <- string(b[:n])
			}()
			select {
			case l := <-line:
				if !strings.Contains(l, childMidRun) {
					t.Fatalf("child said %q", l)
				}
			case <-time.After(2 * time.Minute):
				_ = child.Process.Kill()
				t.Fatal("the runner never got mid-upload")
			}
			if err := child.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = child.Wait()

			if n := target.unseen(t); n == 0 {
				t.Fatal("the killed run left no unfinished write: it was not killed mid-upload")
			}
			onlyGood(t, target.store, "t", good)
			if m, err := Latest(ctx, target.store, "t", false); err != nil || m.ID != good.ID {
				t.Errorf("newest backup = %v, %v; want the earlier good one", m, err)
			}
			waitForLockRelease(t, db)

			// The next run, once the remains are old enough not to be a
			// run in progress, sweeps them and backs up.
			next, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: target.store,
				Now: func() time.Time { return time.Now().Add(time.Hour) }})
			if err != nil {
				t.Fatal(err)
			}
			if n := target.unseen(t); n != 0 {
				t.Errorf("%d unfinished writes left after the next run's sweep", n)
			}
			all, err := List(ctx, target.store, "t")
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 2 || all[0].ID != good.ID || all[1].ID != next.ID {
				t.Errorf("backups = %v, want the good one and the next", all)
			}
		})
	}
}

// killTarget is a store the killed runner writes to, how the child finds
// it, how far it uploads before it is killed, and how many unfinished
// writes the store holds.
type killTarget struct {
	store  Store
	env    []string
	after  int64
	unseen func(t *testing.T) int
}

// The child process of TestRunnerKilledMidRunLeavesNoBackupAndNextRunSweeps:
// a backup run from the environment, as `lms backup` in a Job, that says
// when it is mid-upload and then waits to be killed.
const (
	childEnv    = "BELLWORK_BACKUP_TEST_CHILD"
	childMidRun = "MID-UPLOAD"
)

func runChild() {
	store, err := StoreFromEnv(os.Getenv)
	if err != nil {
		panic(err)
	}
	if s3s, ok := store.(*S3Store); ok {
		s3s.cfg.PartSize = 5 << 20
	}
	after, err := strconv.ParseInt(os.Getenv("CHILD_AFTER"), 10, 64)
	if err != nil {
		panic(err)
	}
	g := newGatedStore(store, after)
	go func() {
		<-g.reached
		_, _ = os.Stdout.WriteString(childMidRun + "\n")
	}()
	_, err = Run(context.Background(), Options{Tenant: "t", DatabaseURL: os.Getenv("CHILD_DATABASE_URL"), Store: g})
	// Reached only when the test failed to kill us in time.
	panic(err)
}

func waitForLockRelease(t *testing.T, db tenantDB) {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pg.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for range 100 {
		var held bool
		if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
			WHERE l.locktype = 'advisory' AND d.datname = $1)`, db.name).Scan(&held); err != nil {
			t.Fatal(err)
		}
		if !held {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the killed run's backup lock was never released")
}
