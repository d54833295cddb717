package backup

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestBackupVerifiesAndRestoresWithEqualCountsAndChecksums(t *testing.T) {
	for name, store := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := newTenantDB(t, 2000)
			m, err := Run(ctx, Options{Tenant: "district-a", DatabaseURL: db.backupURL, Store: store, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if m.SchemaVersion != "20261115" || m.Size == 0 || len(m.SHA256) != 64 || m.Tools.PgDump == "" {
				t.Errorf("manifest = %+v", m)
			}
			if got := tableRows(m, "public.grades"); got != 2000 {
				t.Errorf("manifest counts %d grades, want all 2000 despite row-level security", got)
			}

			v, err := Verify(ctx, VerifyOptions{Tenant: "district-a", Store: store, AdminURL: pg.AdminURL("postgres"),
				Assertions: []string{"(SELECT count(*) FROM grades) = 2000"}})
			if err != nil {
				t.Fatal(err)
			}
			if !v.Passed || v.BackupID != m.ID {
				t.Fatalf("verification = %+v, want passed for %s", v, m.ID)
			}
			if left := databasesLike(t, "bw_verify_%"); left != 0 {
				t.Errorf("%d throwaway databases left behind", left)
			}
			latest, err := Latest(ctx, store, "district-a", true)
			if err != nil || latest.ID != m.ID || latest.Verification == nil || !latest.Verification.Passed {
				t.Fatalf("latest verified = %+v, %v", latest, err)
			}

			target := db.name + "_restored"
			if _, err := Restore(ctx, RestoreOptions{Tenant: "district-a", Store: store, AdminURL: pg.AdminURL("postgres"),
				Database: target, Owner: db.name + "_owner"}); err != nil {
				t.Fatal(err)
			}
			restored, err := pgx.Connect(ctx, pg.AdminURL(target))
			if err != nil {
				t.Fatal(err)
			}
			defer restored.Close(ctx)
			got, err := tableStats(ctx, restored)
			if err != nil {
				t.Fatal(err)
			}
			if p := compareTables(m.Tables, got); len(p) > 0 {
				t.Errorf("restored database differs: %v", p)
			}
			var owner string
			if err := restored.QueryRow(ctx, `SELECT tableowner FROM pg_tables WHERE tablename = 'grades'`).Scan(&owner); err != nil || owner != db.name+"_owner" {
				t.Errorf("grades owned by %q (%v), want the given owner", owner, err)
			}

			_, err = Restore(ctx, RestoreOptions{Tenant: "district-a", Store: store, AdminURL: pg.AdminURL("postgres"), Database: db.name})
			if err == nil || !strings.Contains(err.Error(), "restore only creates new databases") {
				t.Errorf("restore over the live database: err = %v, want a refusal", err)
			}
		})
	}
}

func TestVerificationFindsChangedRows(t *testing.T) {
	ctx := context.Background()
	store := FolderStore{Dir: t.TempDir()}
	db := newTenantDB(t, 10)
	m, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	// A manifest that disagrees with the dump, as if rows had been lost.
	m.Tables[len(m.Tables)-1].Rows++
	if err := putJSON(ctx, store, manifestKey("t", m.ID), m); err != nil {
		t.Fatal(err)
	}
	v, err := Verify(ctx, VerifyOptions{Tenant: "t", Store: store, AdminURL: pg.AdminURL("postgres"), Assertions: []string{"false"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Passed || !hasProblem(v, "rows after restore, manifest says") || !hasProblem(v, `assertion "false" is false`) {
		t.Errorf("verification = %+v, want failed on the row count and the assertion", v)
	}
}

func tableRows(m *Manifest, table string) int64 {
	for _, t := range m.Tables {
		if t.Table == table {
			return t.Rows
		}
	}
	return -1
}

func hasProblem(v *Verification, s string) bool {
	for _, p := range v.Problems {
		if strings.Contains(p, s) {
			return true
		}
	}
	return false
}

func databasesLike(t *testing.T, pattern string) int {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, pg.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname LIKE $1`, pattern).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
