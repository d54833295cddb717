-- Expand: the same verified context, read for less. Nothing about who may
-- establish a context, or where it is kept, changes (see 00004).
--
-- Measured (apps/lms/internal/db, BenchmarkContextCost; docs/lms.md
-- "Measured"): a home page got about a third slower with 00004, and most of
-- it was reading the context, not establishing it. Every accessor
-- (bw_role(), bw_user_id()...) called bw_context(), a PL/pgSQL set-returning
-- function whose RETURN QUERY builds a tuplestore per call (about 50 us);
-- policies call accessors once per query as InitPlans, but a query over
-- several tables runs dozens of them, and bw_is_admin() read the context
-- twice. The definer functions' own reads (sessions, memberships,
-- enrollments, all under FORCE row-level security) pay the same. And
-- bw_manages(user) (00006), a SQL function with SET search_path, cannot be
-- inlined, so it ran per row of sessions and password_resets.
--
-- So:
-- * bw_context_row() returns the context as one composite value (SELECT
--   INTO, no tuplestore), SECURITY DEFINER with search_path pinned like
--   bw_context(), which stays for callers of the release before.
-- * The accessors read it, once each; bw_is_system() and bw_is_admin() read
--   it once (bw_is_admin() read it twice) and decide with the same rules.
-- * The admins' policies on sessions and password_resets say what
--   bw_manages() says with InitPlan accessors, as the users and memberships
--   policies do, so the context is read once per query, not per row.

-- +goose Up

CREATE TYPE bw_context_value AS (user_id uuid, role text, school_id uuid, sections uuid[], students uuid[], schools uuid[], foreign_ids uuid[]);

-- The transaction's verified context, or all NULLs without one. Only the
-- owner reads pg_temp.bw_context, so this is SECURITY DEFINER; the row is
-- found only with the key the establishing transaction holds. Until the
-- contract migration 00005 has run (it drops bw_begin), it falls back, as
-- bw_context() then does, to the settings the release before 00004 writes,
-- so that release keeps working through a rollout from it.
-- +goose StatementBegin
CREATE FUNCTION bw_context_row() RETURNS bw_context_value
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r public.bw_context_value;
BEGIN
  IF to_regclass('pg_temp.bw_context') IS NOT NULL THEN
    SELECT c.user_id, c.role, c.school_id, c.sections, c.students, c.schools, c.foreign_ids INTO r
      FROM pg_temp.bw_context c WHERE c.key::text = current_setting('bw.context_key', true);
    IF FOUND THEN
      RETURN r;
    END IF;
  END IF;
  IF to_regprocedure('public.bw_begin(uuid, text, uuid)') IS NOT NULL AND nullif(current_setting('bw.role', true), '') IS NOT NULL THEN
    r := ROW(nullif(current_setting('bw.user_id', true), '')::uuid, current_setting('bw.role', true),
      nullif(current_setting('bw.school_id', true), '')::uuid,
      coalesce(nullif(current_setting('bw.sections', true), '')::uuid[], '{}'),
      coalesce(nullif(current_setting('bw.students', true), '')::uuid[], '{}'),
      coalesce(nullif(current_setting('bw.schools', true), '')::uuid[], '{}'),
      coalesce(nullif(current_setting('bw.foreign', true), '')::uuid[], '{}'));
  END IF;
  RETURN r;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_user_id() RETURNS uuid LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN (public.bw_context_row()).user_id; END $$;
CREATE OR REPLACE FUNCTION bw_role() RETURNS text LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN (public.bw_context_row()).role; END $$;
CREATE OR REPLACE FUNCTION bw_school_id() RETURNS uuid LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN (public.bw_context_row()).school_id; END $$;
CREATE OR REPLACE FUNCTION bw_sections() RETURNS uuid[] LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN coalesce((public.bw_context_row()).sections, '{}'); END $$;
CREATE OR REPLACE FUNCTION bw_students() RETURNS uuid[] LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN coalesce((public.bw_context_row()).students, '{}'); END $$;
CREATE OR REPLACE FUNCTION bw_schools() RETURNS uuid[] LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN coalesce((public.bw_context_row()).schools, '{}'); END $$;
CREATE OR REPLACE FUNCTION bw_foreign() RETURNS uuid[] LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN coalesce((public.bw_context_row()).foreign_ids, '{}'); END $$;

-- As before: system work is the system login with no user context, or the
-- schema owner, or (only until 00005, through the fallback above) the
-- settings naming 'system'; an admin is system work or a district admin.
-- Each reads the context once.
CREATE OR REPLACE FUNCTION bw_is_system() RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$
DECLARE
  r text := (public.bw_context_row()).role;
BEGIN
  RETURN coalesce(r = 'system', false) OR (r IS NULL AND public.bw_system_login()) OR public.bw_is_migrator();
END $$;
CREATE OR REPLACE FUNCTION bw_is_admin() RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$
DECLARE
  r text := (public.bw_context_row()).role;
BEGIN
  RETURN coalesce(r IN ('district_admin', 'system'), false) OR (r IS NULL AND public.bw_system_login()) OR public.bw_is_migrator();
END $$;
-- +goose StatementEnd

-- bw_manages(target) as policies: the same rules, context read once per query.
DROP POLICY admin_read ON sessions;
DROP POLICY admin_end ON sessions;
DROP POLICY admin_issue ON password_resets;
CREATE POLICY admin_read ON sessions FOR SELECT USING (
  (SELECT bw_role()) = 'district_admin'
  OR ((SELECT bw_role()) = 'school_admin'
      AND user_id IN (SELECT user_id FROM memberships WHERE school_id = (SELECT bw_school_id()))
      AND NOT user_id = ANY ((SELECT bw_foreign())::uuid[])));
CREATE POLICY admin_end ON sessions FOR DELETE USING (
  (SELECT bw_role()) = 'district_admin'
  OR ((SELECT bw_role()) = 'school_admin'
      AND user_id IN (SELECT user_id FROM memberships WHERE school_id = (SELECT bw_school_id()))
      AND NOT user_id = ANY ((SELECT bw_foreign())::uuid[])));
CREATE POLICY admin_issue ON password_resets FOR INSERT WITH CHECK (
  (SELECT bw_role()) = 'district_admin'
  OR ((SELECT bw_role()) = 'school_admin'
      AND user_id IN (SELECT user_id FROM memberships WHERE school_id = (SELECT bw_school_id()))
      AND NOT user_id = ANY ((SELECT bw_foreign())::uuid[])));

-- bw_manages stays (the release before's policies are gone, but a caller
-- may still use it), reading the context through the faster accessors.

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
