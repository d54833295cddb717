package storage

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/internal/backup"
	"bellwork.dev/bellwork/internal/dev/s3server"
)

// The health probe writes and removes a small file. A folder store passes
// while its folder takes files and leaves nothing behind; it fails once the
// folder is removed (and does not create it again: that would hide an
// unmounted volume), when the folder is a file, and where nobody, root
// included, may create a file.
func TestFolderProbeFailsWhenTheFolderCannotTakeAFile(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "files")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	st := Folder(dir)
	if err := st.Probe(ctx); err != nil {
		t.Fatalf("a writable folder: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the probe left %d files behind", len(left))
	}

	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := st.Probe(ctx); err == nil {
		t.Error("a removed folder passed")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the probe created the removed folder again (%v)", err)
	}

	if err := os.WriteFile(dir, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Folder(dir).Probe(ctx); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("a file where the folder should be: %v", err)
	}

	// Tests may run as root, whom file modes do not stop; /proc/self is a
	// folder in which no one may create a file.
	if err := Folder("/proc/self").Probe(ctx); err == nil {
		t.Error("an unwritable folder passed")
	}
	if os.Geteuid() != 0 {
		ro := t.TempDir()
		if err := os.Chmod(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(ro, 0o700) })
		if err := Folder(ro).Probe(ctx); err == nil {
			t.Error("a read-only folder passed")
		}
	}
}

// An S3 store passes against the real S3 server and leaves no object; one
// pointed at a loopback port nobody listens on fails, within the probe's
// deadline, saying the storage is unreachable.
func TestS3ProbeFailsWhenTheEndpointIsUnreachable(t *testing.T) {
	ctx := context.Background()
	cfg := backup.S3Config{Endpoint: s3.Endpoint, Insecure: true, Bucket: s3.Bucket, Prefix: "probed",
		Region: s3server.Region, AccessKey: s3.AccessKey, SecretKey: s3.SecretKey}
	st, err := S3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Probe(ctx); err != nil {
		t.Fatalf("the real S3 server: %v", err)
	}
	if left, err := st.List(ctx, ""); err != nil || len(left) != 0 {
		t.Errorf("the probe left %v (%v)", left, err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Endpoint = l.Addr().String()
	l.Close()
	dead, err := S3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := dead.Probe(ctx); err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("an endpoint nobody listens on: %v", err)
	}
}
