-- Expand: guardian alerts (issue 14, "Guardian portal"). A guardian keeps
-- one row of alert settings: which things to hear about (a course grade
-- below a threshold, missing work, newly posted grades) and how often
-- (daily, weekly or off). The digest job records each digest it sends,
-- one row per guardian and period, so no period is mailed twice.
--
-- Row-level security is ENABLED and FORCED on both tables:
--
-- * a guardian reads, creates and changes only their own settings, and
--   reads only their own digest records;
-- * system work (the digest job, and the one-click unsubscribe, which
--   checks its signed link before it acts) reads and writes every row;
-- * teachers, students, school admins and district admins read and write
--   nothing here: how a family wants to be mailed is theirs alone;
-- * nobody but system work records a digest, and nobody deletes one.

-- +goose Up

CREATE TABLE guardian_alert_settings (
  guardian_id     uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
  frequency       text NOT NULL DEFAULT 'off' CHECK (frequency IN ('off', 'daily', 'weekly')),
  -- grade_below: alert when a course grade is below this percentage (NULL: never).
  grade_below     numeric(5,2) CHECK (grade_below IS NULL OR (grade_below > 0 AND grade_below <= 100)),
  missing         boolean NOT NULL DEFAULT true,
  grade_posted    boolean NOT NULL DEFAULT true,
  -- unsubscribed_at: when a one-click unsubscribe turned the digest off.
  unsubscribed_at timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX guardian_alert_settings_on ON guardian_alert_settings (frequency) WHERE frequency <> 'off';

CREATE TABLE guardian_digests (
  guardian_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  -- period: "2026-11-28" for a daily digest, "2026-W48" for a weekly one,
  -- in the district's time zone.
  period      text NOT NULL CHECK (period ~ '^[0-9]{4}-(W[0-9]{2}|[0-9]{2}-[0-9]{2})$'),
  sent_at     timestamptz NOT NULL DEFAULT now(),
  items       integer NOT NULL CHECK (items > 0),
  PRIMARY KEY (guardian_id, period)
);

ALTER TABLE guardian_alert_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE guardian_alert_settings FORCE ROW LEVEL SECURITY;
ALTER TABLE guardian_digests ENABLE ROW LEVEL SECURITY;
ALTER TABLE guardian_digests FORCE ROW LEVEL SECURITY;

CREATE POLICY visible ON guardian_alert_settings FOR SELECT USING ((SELECT bw_is_system())
  OR ((SELECT bw_role()) = 'guardian' AND guardian_id = (SELECT bw_user_id())));
CREATE POLICY own_insert ON guardian_alert_settings FOR INSERT WITH CHECK ((SELECT bw_is_system())
  OR ((SELECT bw_role()) = 'guardian' AND guardian_id = (SELECT bw_user_id())));
CREATE POLICY own_update ON guardian_alert_settings FOR UPDATE
  USING ((SELECT bw_is_system()) OR ((SELECT bw_role()) = 'guardian' AND guardian_id = (SELECT bw_user_id())))
  WITH CHECK ((SELECT bw_is_system()) OR ((SELECT bw_role()) = 'guardian' AND guardian_id = (SELECT bw_user_id())));

CREATE POLICY visible ON guardian_digests FOR SELECT USING ((SELECT bw_is_system())
  OR ((SELECT bw_role()) = 'guardian' AND guardian_id = (SELECT bw_user_id())));
CREATE POLICY system_record ON guardian_digests FOR INSERT WITH CHECK ((SELECT bw_is_system()));

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
