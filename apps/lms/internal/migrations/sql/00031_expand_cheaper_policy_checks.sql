-- Expand: the same policies and the same verified context, checked for less
-- (issue 16, docs/performance.md "Postgres functions a page"). Nothing about
-- who may establish a context, where it is kept or what any policy answers
-- changes (see 00004 and 00007).
--
-- Measured on a teacher's home page (pg_stat_user_functions): 17 calls of
-- bw_is_migrator() a page, each a query of pg_namespace, nearly all from
-- bw_is_admin() and bw_is_system() in the policies of a request that has a
-- user context. They must still ask whether the caller is the schema owner
-- when a context is set: the owner's definer functions (bw_establish run a
-- second time in a transaction, the delete and audit functions of 00012 to
-- 00030) read tables as the owner while a user's context is set, and the
-- owner passes every policy. So:
--
-- * bw_establish records, beside the context, the owner of schema public
--   (owner_id; it runs as that owner and reads it once). With a context
--   set, bw_is_admin() and bw_is_system() ask pg_has_role(current_user,
--   owner_id, 'MEMBER'), what bw_is_migrator() asks, without its query:
--   the same answer for the app login, the system login acting for a user
--   and the owner. Without a context (system work, migrations, the owner
--   before a context is established) they decide exactly as before.
--   owner_id is written by the owner only, in the table the app role can
--   neither read nor write; only a change of the schema's owner inside the
--   same transaction, after the context was established, could tell the
--   two apart.
-- * bw_establish updated pg_temp.bw_context by DELETE and INSERT every
--   transaction. Autovacuum never visits temporary tables, and a deleted
--   row leaves a dead line pointer only VACUUM frees, so a pooled
--   connection's table grew by a page every few hundred transactions and
--   every bw_context_row() call (about 40 a page) read all of it. It now
--   updates its row in place (the table has no index, so every update is a
--   heap-only one that page pruning reclaims): the table stays one page.
--   A connection whose table predates this migration gets the new column
--   added by the next bw_establish.

-- +goose Up

ALTER TYPE bw_context_value ADD ATTRIBUTE owner_id oid;

-- bw_context_row() as in 00007, reading owner_id too where the table has it.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_context_row() RETURNS bw_context_value
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r public.bw_context_value;
  t regclass := to_regclass('pg_temp.bw_context');
BEGIN
  IF t IS NOT NULL THEN
    -- has_column_privilege is NULL for a missing column: a connection's
    -- table from before 00031 has no owner_id (column 9) until its next
    -- bw_establish, and a context established before 00031 committed
    -- records none (bw_is_admin() and bw_is_system() then query as before).
    IF has_column_privilege(t, 9::smallint, 'SELECT') THEN
      SELECT c.user_id, c.role, c.school_id, c.sections, c.students, c.schools, c.foreign_ids, c.owner_id INTO r
        FROM pg_temp.bw_context c WHERE c.key::text = current_setting('bw.context_key', true);
    ELSE
      SELECT c.user_id, c.role, c.school_id, c.sections, c.students, c.schools, c.foreign_ids, NULL::oid INTO r
        FROM pg_temp.bw_context c WHERE c.key::text = current_setting('bw.context_key', true);
    END IF;
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
      coalesce(nullif(current_setting('bw.foreign', true), '')::uuid[], '{}'),
      NULL::oid);
  END IF;
  RETURN r;
END $$;
-- +goose StatementEnd

-- The rules of 00007: system work is the system login with no user
-- context, or the schema owner, or (only before 00005, through the
-- settings fallback, which records no owner_id) 'system'; an admin is
-- system work or a district admin. With a context, "the schema owner" is
-- asked against the owner recorded with it.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_is_system() RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$
DECLARE
  c public.bw_context_value := public.bw_context_row();
BEGIN
  IF c.role IS NULL THEN
    RETURN public.bw_system_login() OR public.bw_is_migrator();
  END IF;
  IF c.role = 'system' THEN
    RETURN true;
  END IF;
  IF c.owner_id IS NULL THEN
    RETURN public.bw_is_migrator();
  END IF;
  RETURN pg_catalog.pg_has_role(current_user, c.owner_id, 'MEMBER');
END $$;
CREATE OR REPLACE FUNCTION bw_is_admin() RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$
DECLARE
  c public.bw_context_value := public.bw_context_row();
BEGIN
  IF c.role IS NULL THEN
    RETURN public.bw_system_login() OR public.bw_is_migrator();
  END IF;
  IF c.role IN ('district_admin', 'system') THEN
    RETURN true;
  END IF;
  IF c.owner_id IS NULL THEN
    RETURN public.bw_is_migrator();
  END IF;
  RETURN pg_catalog.pg_has_role(current_user, c.owner_id, 'MEMBER');
END $$;
-- +goose StatementEnd

-- bw_establish as in 00004: the same checks and scopes; the row is updated
-- in place and records the schema's owner.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_establish(actor uuid, actor_role text, school uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_sections uuid[] := '{}';
  v_students uuid[] := '{}';
  v_schools uuid[];
  v_foreign uuid[] := '{}';
  v_key uuid;
  v_owner oid;
  v_table regclass;
BEGIN
  IF actor IS NULL OR actor_role IS NULL OR actor_role NOT IN ('district_admin', 'school_admin', 'teacher', 'student', 'guardian') THEN
    RAISE EXCEPTION 'no such actor role' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                 WHERE m.user_id = actor AND m.role = actor_role AND m.school_id IS NOT DISTINCT FROM school
                   AND u.status = 'active') THEN
    RAISE EXCEPTION 'the user does not hold this role' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF actor_role = 'guardian' THEN
    SELECT coalesce(array_agg(student_id), '{}') INTO v_students FROM guardian_links WHERE guardian_id = actor;
    SELECT coalesce(array_agg(DISTINCT section_id), '{}') INTO v_sections FROM enrollments
      WHERE user_id = ANY (v_students) AND role = 'student';
    SELECT coalesce(array_agg(DISTINCT school_id), '{}') INTO v_schools FROM memberships WHERE user_id = ANY (v_students);
  ELSE
    IF actor_role IN ('teacher', 'student') THEN
      SELECT coalesce(array_agg(section_id), '{}') INTO v_sections FROM enrollments WHERE user_id = actor AND role = actor_role;
    END IF;
    v_schools := ARRAY[school];
  END IF;
  IF actor_role = 'school_admin' THEN
    -- People whose account is shared with the district or another school.
    SELECT coalesce(array_agg(DISTINCT m.user_id), '{}') INTO v_foreign FROM memberships m
      WHERE m.user_id IN (SELECT user_id FROM memberships WHERE school_id = school)
        AND (m.role = 'district_admin' OR m.school_id IS DISTINCT FROM school);
  END IF;
  v_owner := (SELECT n.nspowner FROM pg_catalog.pg_namespace n WHERE n.nspname = 'public');
  v_table := to_regclass('pg_temp.bw_context');
  IF v_table IS NULL THEN
    CREATE TEMPORARY TABLE bw_context (
      key uuid NOT NULL, user_id uuid NOT NULL, role text NOT NULL, school_id uuid,
      sections uuid[] NOT NULL, students uuid[] NOT NULL, schools uuid[] NOT NULL, foreign_ids uuid[] NOT NULL,
      owner_id oid
    );
  ELSIF has_column_privilege(v_table, 9::smallint, 'SELECT') IS NULL THEN
    -- The connection's table from before 00031 (its ninth column is missing).
    ALTER TABLE pg_temp.bw_context ADD COLUMN owner_id oid;
  END IF;
  v_key := gen_random_uuid();
  UPDATE pg_temp.bw_context SET key = v_key, user_id = actor, role = actor_role, school_id = school,
    sections = v_sections, students = v_students, schools = coalesce(v_schools, '{}'), foreign_ids = v_foreign,
    owner_id = v_owner;
  IF NOT FOUND THEN
    INSERT INTO pg_temp.bw_context VALUES (v_key, actor, actor_role, school, v_sections, v_students, coalesce(v_schools, '{}'), v_foreign, v_owner);
  END IF;
  PERFORM set_config('bw.context_key', v_key::text, true);
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_establish(uuid, text, uuid) FROM PUBLIC;

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
