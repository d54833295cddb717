package backup

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A run killed before it wrote its manifest leaves a dump without one: the
// next run removes it once it is old enough not to be a run in progress,
// and never touches a complete backup.
func TestSweepRemovesOnlyOldManifestlessRemains(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store := FolderStore{Dir: dir}
	put := func(key string, age time.Duration) {
		t.Helper()
		if _, err := store.Put(ctx, key, strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-age)
		if err := os.Chtimes(filepath.Join(dir, key), old, old); err != nil {
			t.Fatal(err)
		}
	}
	put(dumpKey("t", "20261101T000000Z-aaaaaa"), time.Hour) // complete
	put(manifestKey("t", "20261101T000000Z-aaaaaa"), time.Hour)
	put(dumpKey("t", "20261102T000000Z-bbbbbb"), time.Hour)     // a killed run
	put(dumpKey("t", "20261103T000000Z-cccccc"), time.Minute)   // a run finishing now
	put(dumpKey("other", "20261102T000000Z-dddddd"), time.Hour) // another tenant's

	removed, err := SweepOrphans(ctx, store, "t", time.Now(), orphanAge)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0] != "20261102T000000Z-bbbbbb" {
		t.Errorf("removed %v, want only the killed run's remains", removed)
	}
	objs, err := store.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 4 {
		t.Errorf("left %v", objs)
	}
}

func TestPostgresUnreachableFailsTheRun(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	store := FolderStore{Dir: t.TempDir()}
	_, err = Run(context.Background(), Options{Tenant: "t", DatabaseURL: "postgres://t_backup:pw@" + addr + "/t?sslmode=disable", Store: store})
	wantErr(t, err, "connect to postgres://t_backup:xxxxx@")
	if objs, _ := store.List(context.Background(), ""); len(backupObjects(objs)) != 0 {
		t.Errorf("a failed run left %v", objs)
	}
	lastRunFailed(t, store, "t", "connect to postgres://t_backup:xxxxx@")
}
