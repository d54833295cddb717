-- Expand: OneRoster 1.2 and delta bundles, and sync from a OneRoster REST
-- provider (issue 15).
--
-- * imports.kind also takes 'oneroster12' (a 1.2 bundle chosen by name; a
--   zipped one is stored as 'oneroster' and read by its manifest).
-- * roster_orgs keeps the orgs of the OneRoster bundles applied, so a delta
--   that leaves orgs.csv out still knows which school an org is.
-- * roster_syncs is a district's REST sync: the admin's choices (on or off,
--   how often, how large a change applies without review) and its state.
--   Where the provider is and its credentials come from the tenant
--   directory, never from this table.
-- * imports.sync_id marks the imports a sync made: the run history.

-- +goose Up
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check CHECK (kind IN ('oneroster', 'oneroster12', 'users_csv'));

CREATE TABLE roster_orgs (
  sourced_id        text PRIMARY KEY,
  name              text NOT NULL,
  type              text NOT NULL,
  identifier        text NOT NULL DEFAULT '',
  parent_sourced_id text NOT NULL DEFAULT '',
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE roster_syncs (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  enabled        boolean NOT NULL DEFAULT false,
  every_minutes  integer NOT NULL DEFAULT 1440 CHECK (every_minutes BETWEEN 15 AND 10080),
  -- A run whose plan writes at most this many rows, with no problems, is
  -- applied without review; 0 means every run waits for an admin.
  auto_apply_max integer NOT NULL DEFAULT 0 CHECK (auto_apply_max >= 0),
  next_run_at    timestamptz,
  last_run_at    timestamptz,
  last_status    text NOT NULL DEFAULT '',
  last_error     text NOT NULL DEFAULT '',
  updated_by     uuid REFERENCES users,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  singleton      boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton)
);

ALTER TABLE imports ADD COLUMN sync_id uuid REFERENCES roster_syncs ON DELETE SET NULL;

ALTER TABLE roster_orgs ENABLE ROW LEVEL SECURITY;
ALTER TABLE roster_orgs FORCE ROW LEVEL SECURITY;
ALTER TABLE roster_syncs ENABLE ROW LEVEL SECURITY;
ALTER TABLE roster_syncs FORCE ROW LEVEL SECURITY;

-- Orgs are read by anyone importing (a school admin's delta resolves its
-- school through them) and written by district-wide imports only: a school
-- admin must not rename the district's orgs for everyone.
CREATE POLICY admin_read ON roster_orgs FOR SELECT USING ((SELECT bw_is_admin()) OR (SELECT bw_role()) = 'school_admin');
CREATE POLICY district_write ON roster_orgs FOR INSERT WITH CHECK ((SELECT bw_is_admin()));
CREATE POLICY district_update ON roster_orgs FOR UPDATE USING ((SELECT bw_is_admin())) WITH CHECK ((SELECT bw_is_admin()));
CREATE POLICY district_delete ON roster_orgs FOR DELETE USING ((SELECT bw_is_admin()));

-- The sync is the district's: district admins and system work only.
CREATE POLICY district_all ON roster_syncs USING ((SELECT bw_is_admin())) WITH CHECK ((SELECT bw_is_admin()));

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
