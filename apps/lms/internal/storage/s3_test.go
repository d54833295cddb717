package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"bellwork.dev/bellwork/internal/backup"
	"bellwork.dev/bellwork/internal/dev/s3server"
)

var s3 *s3server.Server

func TestMain(m *testing.M) {
	var err error
	if s3, err = s3server.Start(context.Background(), s3server.Options{Bucket: "files"}); err != nil {
		fmt.Fprintf(os.Stderr, "storage tests: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = s3.Stop()
	os.Exit(code)
}

// The store in clusters: the same minio-go client the backups use,
// against the real S3 server, configured from FILES_* variables shaped
// like the backups' BACKUP_* ones. A checked upload streams in and reads
// back; one over the limit is refused mid-stream and leaves no object.
func TestS3StoreFromTheEnvironmentStreamsCheckedUploads(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"FILES_S3_ENDPOINT": s3.Endpoint, "FILES_S3_INSECURE": "true", "FILES_S3_BUCKET": s3.Bucket,
		"FILES_S3_PREFIX": "uploads", "FILES_S3_REGION": s3server.Region, "FILES_S3_ACCESS_KEY": s3.AccessKey, "FILES_S3_SECRET_KEY": s3.SecretKey}
	store, err := FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := store.(*backup.S3Store); !ok {
		t.Fatalf("FILES_S3_* gave a %T, want the backups' S3 store", store)
	}
	content := []byte("%PDF-1.7\n" + string(bytes.Repeat([]byte("x"), 100_000)))
	c, err := Check(bytes.NewReader(content), "essay.pdf", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Put(ctx, "t1/files/a", c); err != nil {
		t.Fatal(err)
	}
	r, err := store.Get(ctx, "t1/files/a")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, content) {
		t.Fatalf("read back %d bytes, want the %d uploaded", len(got), len(content))
	}

	big, err := Check(io.LimitReader(&endless{}, 40<<20), "big.pdf", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Put(ctx, "t1/files/big", big); err == nil {
		t.Fatal("an upload over the limit was stored")
	} else if _, ok := IsUploadError(err); !ok {
		t.Logf("refused with %v", err) // minio-go may wrap the reader's error
	}
	if _, err := store.Get(ctx, "t1/files/big"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the refused upload left an object: %v", err)
	}

	// Nothing configured is no store; half a configuration is an error
	// that names the FILES_ variables.
	if st, err := FromEnv(func(string) string { return "" }); st != nil || err != nil {
		t.Errorf("no configuration: %v %v", st, err)
	}
	_, err = FromEnv(func(k string) string { return map[string]string{"FILES_S3_ENDPOINT": "s3.example.org"}[k] })
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("FILES_S3_")) {
		t.Errorf("half a configuration: %v", err)
	}
}
