-- Contract: close the hole 00004 kept open for the release before it.
-- The context is now only what bw_session_begin() or bw_act_as() verified
-- and recorded; the settings bw_begin() wrote (and any SQL could write with
-- set_config) mean nothing, bw_begin() is gone, the job queue's tables are
-- system work only, and password hashes live only in user_passwords.

-- +goose Up

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_context()
RETURNS TABLE (user_id uuid, role text, school_id uuid, sections uuid[], students uuid[], schools uuid[], foreign_ids uuid[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF to_regclass('pg_temp.bw_context') IS NOT NULL THEN
    RETURN QUERY SELECT c.user_id, c.role, c.school_id, c.sections, c.students, c.schools, c.foreign_ids FROM pg_temp.bw_context c
      WHERE c.key::text = current_setting('bw.context_key', true);
  END IF;
END $$;
-- +goose StatementEnd

CREATE OR REPLACE FUNCTION bw_is_system() RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, public
  AS $$ SELECT bw_is_migrator() OR (bw_role() IS NULL AND bw_system_login()) $$;

CREATE OR REPLACE FUNCTION bw_job_queue() RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, public
  AS $$ SELECT bw_is_migrator() OR bw_system_login() $$;

DROP FUNCTION bw_begin(uuid, text, uuid);

-- Anything the release before wrote since 00004 was copied by the trigger.
DROP TRIGGER copy_password_hash ON users;
DROP FUNCTION bw_copy_password_hash();
ALTER TABLE users DROP COLUMN password_hash;

-- +goose Down
SELECT 'contract migrations are not reverted: restore from a backup instead';
