package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Manifest describes a complete backup. It is written after the dump, so
// its presence is what makes a backup exist.
type Manifest struct {
	ID            string        `json:"id"`
	Tenant        string        `json:"tenant"`
	Database      string        `json:"database"`
	SchemaVersion string        `json:"schemaVersion"`
	Started       time.Time     `json:"started"`
	Finished      time.Time     `json:"finished"`
	DumpSeconds   float64       `json:"dumpSeconds"`
	Size          int64         `json:"size"`
	SHA256        string        `json:"sha256"`
	Tables        []TableStat   `json:"tables"`
	Tools         ToolVersions  `json:"tools"`
	Format        string        `json:"format"`
	Verification  *Verification `json:"-"`
}

// TableStat is one table's row count and order-independent content
// checksum, taken in the dump's own snapshot.
type TableStat struct {
	Table    string `json:"table"`
	Rows     int64  `json:"rows"`
	Checksum string `json:"checksum"`
}

// ToolVersions records what produced a backup.
type ToolVersions struct {
	PgDump   string `json:"pgDump"`
	Server   string `json:"server"`
	Bellwork string `json:"bellwork,omitempty"`
}

// Verification is the result of restoring a backup into a throwaway
// database and checking it, stored next to the backup.
type Verification struct {
	BackupID       string    `json:"backupId"`
	Passed         bool      `json:"passed"`
	Problems       []string  `json:"problems,omitempty"`
	Started        time.Time `json:"started"`
	Finished       time.Time `json:"finished"`
	RestoreSeconds float64   `json:"restoreSeconds"`
	Server         string    `json:"server,omitempty"`
}

func putJSON(ctx context.Context, s Store, key string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if _, err := s.Put(ctx, key, bytes.NewReader(b)); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}

func getJSON(ctx context.Context, s Store, key string, v any) error {
	r, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	return nil
}
