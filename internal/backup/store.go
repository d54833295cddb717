package backup

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotFound is returned by Store.Get for a missing key.
var ErrNotFound = errors.New("not found")

// Object describes one stored object.
type Object struct {
	Key      string
	Size     int64
	Modified time.Time
}

// Store is where backups live: S3-compatible object storage or a folder.
// Keys use "/" and are relative to the store's own prefix.
type Store interface {
	// Put streams r to key. It returns the bytes written; when r fails or
	// the write fails, nothing is left at key.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Get opens key; ErrNotFound when it does not exist.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns the objects whose keys start with prefix.
	List(ctx context.Context, prefix string) ([]Object, error)
	// RemovePartials removes unfinished writes under prefix begun before
	// before: the uploaded parts of a multipart upload that a killed run
	// neither completed nor aborted (S3), or a temporary file (folder).
	// They are never visible as objects; this frees their space. It
	// returns the keys they were written for.
	RemovePartials(ctx context.Context, prefix string, before time.Time) ([]string, error)
	// Probe writes and removes one small object, under a name no key
	// uses, to tell whether the store can be written now (health checks).
	Probe(ctx context.Context) error
	// String says where the store is, for messages (no credentials).
	String() string
}

// Keys of one backup.
func dumpKey(tenant, id string) string         { return tenant + "/" + id + "/dump.pgdump" }
func manifestKey(tenant, id string) string     { return tenant + "/" + id + "/manifest.json" }
func verificationKey(tenant, id string) string { return tenant + "/" + id + "/verification.json" }
