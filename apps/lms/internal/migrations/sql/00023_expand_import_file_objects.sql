-- Expand: an import's files may be kept in the file store (object storage
-- or a folder) instead of in the database: object_key names the object,
-- size its bytes. dropped_at marks files that have served their purpose
-- (the import was applied, failed, discarded or expired); the import
-- expiry job deletes their objects and clears object_key.

-- +goose Up
ALTER TABLE import_files
  ADD COLUMN object_key text,
  ADD COLUMN size bigint NOT NULL DEFAULT 0,
  ADD COLUMN dropped_at timestamptz;

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
