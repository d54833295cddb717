-- Expand: settings a district's admins choose in the LMS (not the platform
-- team's directory), one row per key. The first is name_order: whether
-- display names read given-family ("Mary Archer") or family-given
-- ("Archer Mary", as in Chinese, Japanese, Korean or Hungarian usage); the
-- importer builds names from it. Anyone signed in reads them (names are
-- shown everywhere); district admins and system work change them.

-- +goose Up
CREATE TABLE district_settings (
  key        text PRIMARY KEY CHECK (key IN ('name_order')),
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (key <> 'name_order' OR value IN ('given-family', 'family-given'))
);
ALTER TABLE district_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE district_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY read_all ON district_settings FOR SELECT USING ((SELECT bw_role()) IS NOT NULL OR (SELECT bw_is_system()));
CREATE POLICY admin_write ON district_settings FOR INSERT WITH CHECK ((SELECT bw_is_admin()));
CREATE POLICY admin_update ON district_settings FOR UPDATE USING ((SELECT bw_is_admin())) WITH CHECK ((SELECT bw_is_admin()));

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
