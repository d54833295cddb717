package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/minio/minio-go/v7"
)

// probeBody is what a probe writes: small, and saying what it is to anyone
// who finds one a killed process left behind.
var probeBody = []byte("bellwork storage probe; safe to delete\n")

// probeName is a name for one probe: random, so replicas probing the same
// store at once do not remove each other's.
func probeName() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "probe-" + hex.EncodeToString(b)
}

// Probe checks that the folder exists and takes a file: it writes one to
// disk (with the temporary name of an unfinished write, which List skips
// and RemovePartials sweeps) and removes it. It never creates the folder,
// as Put does for a key's folders: a missing folder is a volume that is not
// mounted, and files written in its place would be lost with the process.
func (s FolderStore) Probe(ctx context.Context) error {
	info, err := os.Stat(s.Dir)
	if err != nil {
		return fmt.Errorf("storage folder: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("storage folder %s is not a folder", s.Dir)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.Dir, partialPrefix+probeName()+"-*")
	if err != nil {
		return fmt.Errorf("storage folder: %w", err)
	}
	_, err = f.Write(probeBody)
	if err == nil {
		err = f.Sync()
	}
	err = errors.Join(err, f.Close(), os.Remove(f.Name()))
	if err != nil {
		return fmt.Errorf("storage folder: %w", err)
	}
	return nil
}

// Probe puts one small object (one request, its length known, so no
// multipart buffer) under .probe/ in the store's prefix, and removes it.
func (s *S3Store) Probe(ctx context.Context) error {
	key := s.key(".probe/" + probeName())
	_, err := s.client.PutObject(ctx, s.cfg.Bucket, key, bytes.NewReader(probeBody), int64(len(probeBody)), minio.PutObjectOptions{
		ServerSideEncryption: s.sse,
		ContentType:          "text/plain",
	})
	if err != nil {
		return describeS3(err)
	}
	return describeS3(s.client.RemoveObject(ctx, s.cfg.Bucket, key, minio.RemoveObjectOptions{}))
}
