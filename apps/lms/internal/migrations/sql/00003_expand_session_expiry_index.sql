-- +goose NO TRANSACTION
-- Expand: every sign-in clears a batch of expired sessions; these indexes
-- find them without reading the whole table. Built concurrently, so a
-- busy district's sign-ins are not blocked while they build.

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS sessions_idle_expires_at ON sessions (idle_expires_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS sessions_absolute_expires_at ON sessions (absolute_expires_at);

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
