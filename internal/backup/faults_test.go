package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"

	"bellwork.dev/bellwork/internal/dev/s3server"
)

// Each fault makes the run fail with a clear message, leaves no backup
// that could be mistaken for a good one, and leaves the earlier good
// backup as it was.

func TestStorageUnreachableFailsTheRun(t *testing.T) {
	ctx := context.Background()
	db := newTenantDB(t, 10)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	store, err := NewS3Store(S3Config{Endpoint: closed, Insecure: true, Bucket: "backups", Region: s3server.Region, AccessKey: "a", SecretKey: "b"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: store})
	wantErr(t, err, "storage unreachable")
}

func TestStorageReturning500sFailsTheRunAndKeepsEarlierBackups(t *testing.T) {
	ctx := context.Background()
	db := newTenantDB(t, 500)
	direct := s3Store(t, "faults/500")
	good, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: direct})
	if err != nil {
		t.Fatal(err)
	}
	// A loopback proxy in front of the real server that fails every
	// uploaded part, as an overloaded or broken storage would.
	target, _ := url.Parse(s3.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Query().Has("partNumber") {
			_, _ = io.Copy(io.Discard, r.Body)
			http.Error(w, "<Error><Code>InternalError</Code><Message>injected</Message></Error>", http.StatusInternalServerError)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	failing, err := NewS3Store(S3Config{Endpoint: strings.TrimPrefix(srv.URL, "http://"), Insecure: true, Bucket: s3.Bucket,
		Prefix: "faults/500", Region: s3server.Region, AccessKey: s3.AccessKey, SecretKey: s3.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: failing})
	wantErr(t, err, "storage failed (HTTP 500)")
	// Storage that fails every write cannot take the run's record either:
	// the failed Job is then the record (see the controller's recentRuns).
	onlyGood(t, direct, "t", good)
}

func TestWrongCredentialsFailTheRun(t *testing.T) {
	ctx := context.Background()
	db := newTenantDB(t, 10)
	direct := s3Store(t, "faults/creds")
	good, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: direct})
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := NewS3Store(S3Config{Endpoint: s3.Endpoint, Insecure: true, Bucket: s3.Bucket, Prefix: "faults/creds",
		Region: s3server.Region, AccessKey: s3.AccessKey, SecretKey: "not-the-secret"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: wrong})
	wantErr(t, err, "storage refused the credentials")
	onlyGood(t, direct, "t", good)
}

func TestCorruptedAndTruncatedDumpsFailVerificationAndRestore(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"corrupted": func(b []byte) []byte { b[len(b)/2] ^= 0xff; return b },
		"truncated": func(b []byte) []byte { return b[:len(b)/2] },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := newTenantDB(t, 2000)
			store := s3Store(t, "faults/"+name)
			m, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: store})
			if err != nil {
				t.Fatal(err)
			}
			c, err := s3.Client()
			if err != nil {
				t.Fatal(err)
			}
			key := "faults/" + name + "/" + dumpKey("t", m.ID)
			o, err := c.GetObject(ctx, s3.Bucket, key, minio.GetObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(o)
			o.Close()
			if err != nil {
				t.Fatal(err)
			}
			data = damage(data)
			if _, err := c.PutObject(ctx, s3.Bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{}); err != nil {
				t.Fatal(err)
			}

			v, err := Verify(ctx, VerifyOptions{Tenant: "t", Store: store, AdminURL: pg.AdminURL("postgres")})
			if err != nil {
				t.Fatal(err)
			}
			if v.Passed || !hasProblem(v, "object checksum mismatch") {
				t.Errorf("verification = %+v, want failed on the checksum", v)
			}
			if _, err := Latest(ctx, store, "t", true); err == nil {
				t.Error("a damaged backup counts as verified")
			}
			_, err = Restore(ctx, RestoreOptions{Tenant: "t", ID: m.ID, Store: store, AdminURL: pg.AdminURL("postgres"), Database: db.name + "_from_damaged"})
			wantErr(t, err, "")
			if n := databasesLike(t, db.name+"_from_damaged"); n != 0 {
				t.Error("a failed restore left its database behind")
			}
			if left := databasesLike(t, "bw_verify_%"); left != 0 {
				t.Errorf("%d throwaway databases left behind", left)
			}
		})
	}
}

func TestPostgresKillingTheDumpFailsTheRun(t *testing.T) {
	ctx := context.Background()
	db := newTenantDB(t, 100)
	store := s3Store(t, "faults/killed")
	good, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	// Hold a lock that pg_dump waits for, so it is certainly mid-dump
	// when its server connection is terminated.
	locker, err := pgx.Connect(ctx, pg.AdminURL(db.name))
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close(ctx)
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE grades IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: store})
		done <- err
	}()
	admin, err := pgx.Connect(ctx, pg.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	killed := false
	for range 300 {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = 'pg_dump' AND datname = $1 AND wait_event_type = 'Lock'`, db.name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			killed = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !killed {
		t.Fatal("pg_dump never waited for the lock")
	}
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the run did not end after its dump was killed")
	}
	_ = tx.Rollback(ctx)
	wantErr(t, err, "pg_dump failed")
	onlyGood(t, store, "t", good)
	lastRunFailed(t, store, "t", "pg_dump failed")
}

func wantErr(t *testing.T, err error, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("run succeeded, want an error containing %q", contains)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("error = %v, want it to contain %q", err, contains)
	}
	t.Logf("failed as expected: %v", err)
}

// onlyGood asserts that the store holds exactly the good backup, intact.
func onlyGood(t *testing.T, s Store, tenant string, good *Manifest) {
	t.Helper()
	ctx := context.Background()
	objs, err := s.List(ctx, tenant+"/")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range backupObjects(objs) {
		keys = append(keys, o.Key)
	}
	want := fmt.Sprint([]string{dumpKey(tenant, good.ID), manifestKey(tenant, good.ID)})
	if fmt.Sprint(keys) != want {
		t.Errorf("stored objects = %v, want only the good backup's %v", keys, want)
	}
	r, err := s.Get(ctx, dumpKey(tenant, good.ID))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != good.SHA256 {
		t.Errorf("the good backup's dump changed: %s, manifest %s", sum, good.SHA256)
	}
}

// backupObjects leaves out the run records.
func backupObjects(objs []Object) []Object {
	var out []Object
	for _, o := range objs {
		if !strings.Contains(o.Key, "/"+runsDir+"/") {
			out = append(out, o)
		}
	}
	return out
}

// lastRunFailed asserts that the newest run record is a failed run that
// says why.
func lastRunFailed(t *testing.T, s Store, tenant, contains string) {
	t.Helper()
	// Run IDs share a second's prefix when runs are that close, so the
	// newest is the one started last, not the one sorted first.
	runs, err := Runs(context.Background(), s, tenant, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) == 0 {
		t.Fatalf("no run records, want a failed run saying %q", contains)
	}
	newest := runs[0]
	for _, r := range runs[1:] {
		if r.Started.After(newest.Started) {
			newest = r
		}
	}
	if newest.Succeeded || !strings.Contains(newest.Message, contains) || newest.Finished.IsZero() {
		t.Errorf("newest run record = %+v, want a failed run saying %q", newest, contains)
	}
}
