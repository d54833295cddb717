-- Expand: the vendor columns (ext_…) a OneRoster users.csv row carries are
-- kept on the user, as a JSON object of column name to value, and shown on
-- the person's admin page. NULL: the user came from somewhere without them.

-- +goose Up
ALTER TABLE users ADD COLUMN ext jsonb;

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
