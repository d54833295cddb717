package backup

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/internal/dev/pgserver"
	"bellwork.dev/bellwork/internal/dev/s3server"
)

// One real Postgres and one real S3 server per test binary.
var (
	pg *pgserver.Server
	s3 *s3server.Server
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		runChild()
		return
	}
	ctx := context.Background()
	var err error
	if pg, err = pgserver.Start(ctx, pgserver.Options{}); err != nil {
		fmt.Fprintf(os.Stderr, "backup tests: %v\n", err)
		os.Exit(1)
	}
	if s3, err = s3server.Start(ctx, s3server.Options{Bucket: "backups"}); err != nil {
		_ = pg.Stop()
		fmt.Fprintf(os.Stderr, "backup tests: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = s3.Stop()
	_ = pg.Stop()
	os.Exit(code)
}

var dbCounter atomic.Int64

// tenantDB is a small tenant database: an owner, a backup role with
// BYPASSRLS as the operator provisions it, a table whose rows row-level
// security hides from everyone else, and goose's version table.
type tenantDB struct {
	name      string
	backupURL string
}

func newTenantDB(t *testing.T, rows int) tenantDB { return newTenantDBB(t, rows) }

// newTenantDBB is newTenantDB for tests and benchmarks alike.
func newTenantDBB(t testing.TB, rows int) tenantDB { return newTenantDBOn(t, pg, rows) }

// newTenantDBOn makes the tenant database on another server (one a test
// may kill).
func newTenantDBOn(t testing.TB, pg *pgserver.Server, rows int) tenantDB {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("tenant%d", dbCounter.Add(1))
	admin, err := pgx.Connect(ctx, pg.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, s := range []string{
		"CREATE ROLE " + name + "_owner LOGIN PASSWORD 'owner-pw'",
		"CREATE ROLE " + name + "_backup LOGIN BYPASSRLS PASSWORD 'backup-pw'",
		"CREATE DATABASE " + name + " OWNER " + name + "_owner",
		"REVOKE CONNECT ON DATABASE " + name + " FROM PUBLIC",
		"GRANT CONNECT ON DATABASE " + name + " TO " + name + "_backup",
	} {
		if _, err := admin.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	owner, err := pgx.Connect(ctx, pg.URL(name, name+"_owner", "owner-pw"))
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	for _, s := range []string{
		"CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL)",
		"INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (20261101, true), (20261115, true)",
		"CREATE TABLE grades (id bigserial PRIMARY KEY, student text NOT NULL, score numeric, note text)",
		fmt.Sprintf("INSERT INTO grades (student, score, note) SELECT 'student ' || g, g %% 100, repeat(md5(g::text), 4) FROM generate_series(1, %d) g", rows),
		"ALTER TABLE grades ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE grades FORCE ROW LEVEL SECURITY",
		"CREATE POLICY nobody ON grades USING (false)",
		"CREATE TABLE empty_table (id int)",
		"GRANT USAGE ON SCHEMA public TO " + name + "_backup",
		"GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + name + "_backup",
		"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO " + name + "_backup",
	} {
		if _, err := owner.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return tenantDB{name: name, backupURL: pg.URL(name, name+"_backup", "backup-pw")}
}

func s3Store(t *testing.T, prefix string) *S3Store { return s3StoreFor(t, prefix) }

func s3StoreB(b *testing.B) *S3Store { return s3StoreFor(b, "bench") }

func s3StoreFor(t testing.TB, prefix string) *S3Store {
	t.Helper()
	st, err := NewS3Store(S3Config{Endpoint: s3.Endpoint, Insecure: true, Bucket: s3.Bucket, Prefix: prefix,
		Region: s3server.Region, AccessKey: s3.AccessKey, SecretKey: s3.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// stores are the two targets every round trip runs against.
func stores(t *testing.T) map[string]Store {
	return map[string]Store{
		"s3":     s3Store(t, "test/"+t.Name()),
		"folder": FolderStore{Dir: t.TempDir()},
	}
}
