package backup

import (
	"context"
	"testing"
	"time"

	"bellwork.dev/bellwork/internal/backup/retention"
)

func TestPruneDeletesWhatRetentionDoesNotKeepButNeverTheNewestVerified(t *testing.T) {
	ctx := context.Background()
	store := s3Store(t, "prune")
	db := newTenantDB(t, 10)
	clock := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	var ids []string
	for day := range 4 {
		now := clock.Add(time.Duration(day) * 24 * time.Hour)
		m, err := Run(ctx, Options{Tenant: "t", DatabaseURL: db.backupURL, Store: store, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	// Only the oldest is verified: it must survive a keep-last of 1.
	if v, err := Verify(ctx, VerifyOptions{Tenant: "t", ID: ids[0], Store: store, AdminURL: pg.AdminURL("postgres")}); err != nil || !v.Passed {
		t.Fatalf("verify: %+v, %v", v, err)
	}
	decisions, err := Prune(ctx, store, "t", retention.Policy{KeepLast: 1}, clock.Add(4*24*time.Hour), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(decisions) != 4 {
		t.Fatalf("decisions = %+v", decisions)
	}
	left, err := List(ctx, store, "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0].ID != ids[0] || left[1].ID != ids[3] {
		t.Errorf("left %v, want the newest verified %s and the newest %s", left, ids[0], ids[3])
	}
	objs, err := store.List(ctx, "t/")
	if err != nil {
		t.Fatal(err)
	}
	if objs = backupObjects(objs); len(objs) != 5 { // two dumps, two manifests, one verification
		t.Errorf("%d objects left, want 5: %v", len(objs), objs)
	}
	// Retention leaves the run history alone: four backups, one verification.
	if runs, err := Runs(ctx, store, "t", 10); err != nil || len(runs) != 5 || runs[0].Kind != RunVerification || runs[0].BackupID != ids[0] {
		t.Errorf("runs = %+v, %v", runs, err)
	}
}
