package importer

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/internal/backup"
	"bellwork.dev/bellwork/internal/dev/s3server"
)

// A district filled by the importer from the shared Ed-Fi fixture is
// backed up to the real S3 server as its backup role, verified, and
// restored into a new database with the same rows in every table.
func TestImportedDistrictRoundTripsThroughBackup(t *testing.T) {
	ctx := context.Background()
	s3, err := s3server.Start(ctx, s3server.Options{Bucket: "backups"})
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Stop()
	store, err := backup.NewS3Store(backup.S3Config{Endpoint: s3.Endpoint, Insecure: true, Bucket: s3.Bucket,
		Region: s3server.Region, AccessKey: s3.AccessKey, SecretKey: s3.SecretKey, Prefix: "lms"})
	if err != nil {
		t.Fatal(err)
	}

	dir := lmstest.TenantDB(t)
	pools := db.NewPools(time.Minute, 4)
	t.Cleanup(pools.CloseAll)
	conn, err := pools.Get(t.Context(), "t", dir)
	if err != nil {
		t.Fatal(err)
	}
	d := &district{t: t, db: conn}
	d.school("255901001", "Grand Bend High School")
	admin := d.user("admin@grandbend.org", db.DistrictAdmin, "")
	d.mustApply(admin, parse(t, loadEdfi(t)))
	before := d.snapshot()

	m, err := backup.Run(ctx, backup.Options{Tenant: "grandbend", DatabaseURL: lmstest.BackupURL(t, dir), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if rows(m, "public.users") != 11 || rows(m, "public.enrollments") == 0 || m.SchemaVersion == "" {
		t.Errorf("manifest: %d users, %d enrollments, schema %q; want the imported 10 plus the admin", rows(m, "public.users"), rows(m, "public.enrollments"), m.SchemaVersion)
	}
	v, err := backup.Verify(ctx, backup.VerifyOptions{Tenant: "grandbend", Store: store, AdminURL: lmstest.Server.AdminURL("postgres"),
		Assertions: []string{"(SELECT count(*) FROM sections) = 2"}})
	if err != nil || !v.Passed {
		t.Fatalf("verification = %+v, %v", v, err)
	}

	restoredName := dir.Name + "_restored"
	if _, err := backup.Restore(ctx, backup.RestoreOptions{Tenant: "grandbend", Store: store, AdminURL: lmstest.Server.AdminURL("postgres"),
		Database: restoredName, Owner: dir.Owner.User}); err != nil {
		t.Fatal(err)
	}
	restored, err := pgx.Connect(ctx, lmstest.Server.AdminURL(restoredName))
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close(ctx)
	for _, table := range importTables {
		var got string
		if err := restored.QueryRow(ctx, `SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM `+pgx.Identifier{table}.Sanitize()+` t`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != before[table] {
			t.Errorf("restored %s = %s, imported %s", table, got, before[table])
		}
	}
}

func rows(m *backup.Manifest, table string) int64 {
	i := slices.IndexFunc(m.Tables, func(s backup.TableStat) bool { return s.Table == table })
	if i < 0 {
		return -1
	}
	return m.Tables[i].Rows
}
