-- +goose NO TRANSACTION
-- Expand: the admin users page lists a page of users in one of its sort
-- orders (people.userSorts); without an index in that order Postgres read
-- and sorted every user for each page (found by web.TestHotQueriesUseIndexes
-- in a district of 21,000 people). One index per order, each matching its
-- ORDER BY exactly, so a page is an index range read. Built concurrently,
-- so a busy district's sign-ups are not blocked while they build.

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_by_name ON users (family_name, given_name, email);
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_by_newest ON users (created_at DESC, email);
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_by_last_sign_in ON users (last_sign_in_at DESC NULLS LAST, email);

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
