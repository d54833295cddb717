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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_is_system() RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$ BEGIN
    -- The login first: an app login's requests skip the context lookup.
    RETURN (public.bw_system_login() AND public.bw_role() IS NULL) OR public.bw_is_migrator();
  END $$;

CREATE OR REPLACE FUNCTION bw_job_queue() RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN public.bw_is_migrator() OR public.bw_system_login(); END $$;
-- +goose StatementEnd

DROP FUNCTION bw_begin(uuid, text, uuid);

-- Anything the release before wrote since 00004 was copied by the trigger.
DROP TRIGGER copy_password_hash ON users;
DROP FUNCTION bw_copy_password_hash();
ALTER TABLE users DROP COLUMN password_hash;

-- +goose Down
SELECT 'contract migrations are not reverted: restore from a backup instead';
