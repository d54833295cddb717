-- Expand: the second wall holds against SQL the app role runs itself.
--
-- Until now bw_begin() trusted its arguments and wrote the context into
-- settings anyone may set (set_config), so any SQL run as the app role
-- could claim 'system' or another user. From here on:
--
-- * System work is a login of its own, <database>_system, which the
--   operator provisions. Policies honour "system" only when the session's
--   login (session_user, which SET ROLE cannot change) is a member of it,
--   and only while no user context is set in the transaction.
-- * A user context is set only by SECURITY DEFINER functions owned by the
--   schema owner: bw_session_begin(token) for a live session (looked up by
--   the SHA-256 of its token), and bw_act_as(user, role, school), which only
--   the system login may call (background jobs acting for an admin). They
--   record the context in pg_temp.bw_context, a temporary table the owner
--   creates in the connection, which the app role can neither read nor
--   write (nor shadow: it may not create temporary objects at all, as
--   TEMPORARY on the database is revoked from PUBLIC below). The row is
--   keyed by a random UUID that only the establishing transaction holds,
--   in a transaction-local setting (bw.context_key): the next transaction
--   on the connection (another user's, behind PgBouncer in transaction
--   mode) starts without the key, so it has no context and cannot guess
--   its way into the one left behind. (ON COMMIT DELETE ROWS would do the
--   same, but truncating at every commit cost about 3 ms a transaction.)
-- * Policies read the context through STABLE accessors, each wrapped as
--   (SELECT bw_x()) so it runs once per query as an InitPlan.
-- * Password hashes move to user_passwords, readable by system work only:
--   a teacher may read their students' rows in users, never their hashes.
--
-- For the release before (still serving during a rollout), bw_context()
-- falls back to the settings bw_begin() writes. The contract migration that
-- follows removes that fallback, bw_begin() itself and users.password_hash.

-- +goose Up

-- +goose StatementBegin
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END $$;
-- +goose StatementEnd

-- The transaction's context: the verified row in pg_temp.bw_context, or
-- (this release only) what bw_begin() set.
-- +goose StatementBegin
CREATE FUNCTION bw_context()
RETURNS TABLE (user_id uuid, role text, school_id uuid, sections uuid[], students uuid[], schools uuid[], foreign_ids uuid[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF to_regclass('pg_temp.bw_context') IS NOT NULL THEN
    RETURN QUERY SELECT c.user_id, c.role, c.school_id, c.sections, c.students, c.schools, c.foreign_ids FROM pg_temp.bw_context c
      WHERE c.key::text = current_setting('bw.context_key', true);
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;
  RETURN QUERY SELECT nullif(current_setting('bw.user_id', true), '')::uuid, nullif(current_setting('bw.role', true), ''),
      nullif(current_setting('bw.school_id', true), '')::uuid,
      coalesce(nullif(current_setting('bw.sections', true), '')::uuid[], '{}'),
      coalesce(nullif(current_setting('bw.students', true), '')::uuid[], '{}'),
      coalesce(nullif(current_setting('bw.schools', true), '')::uuid[], '{}'),
      coalesce(nullif(current_setting('bw.foreign', true), '')::uuid[], '{}')
    WHERE nullif(current_setting('bw.role', true), '') IS NOT NULL;
END $$;
-- +goose StatementEnd

-- The accessors are PL/pgSQL, not SQL: a SQL function that cannot be
-- inlined is planned again at every call, and policies call these once per
-- query. They name everything by schema, so no search_path can redirect
-- them (and the app role cannot create objects anywhere to redirect to).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_user_id() RETURNS uuid LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN (SELECT c.user_id FROM public.bw_context() c); END $$;
CREATE OR REPLACE FUNCTION bw_role() RETURNS text LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN (SELECT c.role FROM public.bw_context() c); END $$;
CREATE OR REPLACE FUNCTION bw_school_id() RETURNS uuid LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN (SELECT c.school_id FROM public.bw_context() c); END $$;
CREATE OR REPLACE FUNCTION bw_sections() RETURNS uuid[] LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN coalesce((SELECT c.sections FROM public.bw_context() c), '{}'); END $$;
CREATE OR REPLACE FUNCTION bw_students() RETURNS uuid[] LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN coalesce((SELECT c.students FROM public.bw_context() c), '{}'); END $$;
CREATE OR REPLACE FUNCTION bw_schools() RETURNS uuid[] LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN coalesce((SELECT c.schools FROM public.bw_context() c), '{}'); END $$;
CREATE OR REPLACE FUNCTION bw_foreign() RETURNS uuid[] LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN coalesce((SELECT c.foreign_ids FROM public.bw_context() c), '{}'); END $$;

-- The migration role: the owner of schema public (current_user, so inside
-- the owner's SECURITY DEFINER functions too).
CREATE OR REPLACE FUNCTION bw_is_migrator() RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$ BEGIN
    RETURN pg_catalog.pg_has_role(current_user, (SELECT n.nspowner FROM pg_catalog.pg_namespace n WHERE n.nspname = 'public'), 'MEMBER');
  END $$;

-- The session's login is the tenant's system login. session_user, not
-- current_user: SET ROLE cannot change it, and inside a SECURITY DEFINER
-- function it is still the caller's login.
CREATE FUNCTION bw_system_login() RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$
DECLARE
  sys oid := pg_catalog.to_regrole(pg_catalog.current_database() || '_system');
BEGIN
  RETURN sys IS NOT NULL AND pg_catalog.pg_has_role(session_user, sys, 'MEMBER');
END $$;

-- System work: the system login with no user context; the schema owner
-- (migrations, and the definer functions below, which read sessions and
-- memberships to verify a context); and, this release only, the settings.
CREATE FUNCTION bw_is_system() RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$
DECLARE
  r text := public.bw_role();
BEGIN
  RETURN coalesce(r = 'system', false) OR (r IS NULL AND public.bw_system_login()) OR public.bw_is_migrator();
END $$;
CREATE OR REPLACE FUNCTION bw_is_admin() RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN public.bw_is_system() OR coalesce(public.bw_role() = 'district_admin', false); END $$;
-- +goose StatementEnd

-- bw_establish verifies that a user holds a role and records the context
-- with its scopes. Nobody may call it directly; only the definer functions
-- below do, after they checked who asks.
-- +goose StatementBegin
CREATE FUNCTION bw_establish(actor uuid, actor_role text, school uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_sections uuid[] := '{}';
  v_students uuid[] := '{}';
  v_schools uuid[];
  v_foreign uuid[] := '{}';
  v_key uuid;
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
  IF to_regclass('pg_temp.bw_context') IS NULL THEN
    CREATE TEMPORARY TABLE bw_context (
      key uuid NOT NULL, user_id uuid NOT NULL, role text NOT NULL, school_id uuid,
      sections uuid[] NOT NULL, students uuid[] NOT NULL, schools uuid[] NOT NULL, foreign_ids uuid[] NOT NULL
    );
  END IF;
  DELETE FROM pg_temp.bw_context;
  v_key := gen_random_uuid();
  INSERT INTO pg_temp.bw_context VALUES (v_key, actor, actor_role, school, v_sections, v_students, coalesce(v_schools, '{}'), v_foreign);
  PERFORM set_config('bw.context_key', v_key::text, true);
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_establish(uuid, text, uuid) FROM PUBLIC;

-- bw_session_begin acts, for the rest of the transaction, as the user of a
-- live session, in the role and school the session acts in. It takes the
-- session's token (the cookie's value), not its hash: the database keeps
-- only hashes, so reading them gives nothing to pass here.
-- +goose StatementBegin
CREATE FUNCTION bw_session_begin(token text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  s record;
BEGIN
  SELECT user_id, role, school_id INTO s FROM sessions
    WHERE id_sha256 = encode(sha256(convert_to(coalesce(token, ''), 'UTF8')), 'hex')
      AND idle_expires_at > now() AND absolute_expires_at > now();
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no live session' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM bw_establish(s.user_id, s.role, s.school_id);
END $$;
-- +goose StatementEnd

-- bw_act_as lets system work act for a user (a background job applying an
-- admin's import), so row-level security limits it as it limits the user.
-- Only the system login may call it.
-- +goose StatementBegin
CREATE FUNCTION bw_act_as(actor uuid, actor_role text, school uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NOT bw_system_login() THEN
    RAISE EXCEPTION 'only the system login may act for a user' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM bw_establish(actor, actor_role, school);
END $$;
-- +goose StatementEnd

-- The job queue's tables (River's, see migrations/river.go): open in this
-- release, which the previous one shares; system work only after contract,
-- because a job names whom it acts for.
CREATE FUNCTION bw_job_queue() RETURNS boolean LANGUAGE sql STABLE
  AS $$ SELECT true $$;

-- Password hashes, readable and writable by system work only.
CREATE TABLE user_passwords (
  user_id       uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
  password_hash text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE user_passwords ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_passwords FORCE ROW LEVEL SECURITY;
INSERT INTO user_passwords (user_id, password_hash) SELECT id, password_hash FROM users WHERE password_hash IS NOT NULL;

-- The release before still writes users.password_hash: copy what it writes.
-- +goose StatementBegin
CREATE FUNCTION bw_copy_password_hash() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF NEW.password_hash IS NOT NULL THEN
    INSERT INTO user_passwords (user_id, password_hash) VALUES (NEW.id, NEW.password_hash)
      ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now();
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER copy_password_hash AFTER INSERT OR UPDATE OF password_hash ON users
  FOR EACH ROW EXECUTE FUNCTION bw_copy_password_hash();

-- Every policy again, reading the context once per query.
-- +goose StatementBegin
DO $$
DECLARE p record;
BEGIN
  FOR p IN SELECT policyname, tablename FROM pg_policies
           WHERE schemaname = 'public' AND tablename NOT LIKE 'river\_%' AND tablename <> 'goose_db_version' LOOP
    EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename);
  END LOOP;
END $$;
-- +goose StatementEnd

CREATE POLICY read_all ON schools FOR SELECT USING ((SELECT bw_role()) IS NOT NULL OR (SELECT bw_is_system()));
CREATE POLICY system_write ON schools USING ((SELECT bw_is_system())) WITH CHECK ((SELECT bw_is_system()));

CREATE POLICY visible ON users FOR SELECT USING (
  (SELECT bw_is_admin())
  OR id = (SELECT bw_user_id())
  OR ((SELECT bw_role()) = 'school_admin' AND id IN (SELECT user_id FROM memberships WHERE school_id = (SELECT bw_school_id())))
  OR ((SELECT bw_role()) IN ('teacher', 'student', 'guardian') AND id IN (SELECT user_id FROM enrollments WHERE section_id = ANY ((SELECT bw_sections())::uuid[])))
  OR ((SELECT bw_role()) = 'guardian' AND id = ANY ((SELECT bw_students())::uuid[]))
  OR ((SELECT bw_role()) = 'teacher' AND id IN (SELECT guardian_id FROM guardian_links))
);
CREATE POLICY admin_insert ON users FOR INSERT WITH CHECK ((SELECT bw_is_admin()) OR (SELECT bw_role()) = 'school_admin');
CREATE POLICY admin_update ON users FOR UPDATE USING (
  (SELECT bw_is_admin()) OR id = (SELECT bw_user_id())
  OR ((SELECT bw_role()) = 'school_admin' AND id IN (SELECT user_id FROM memberships WHERE school_id = (SELECT bw_school_id()))
      AND NOT id = ANY ((SELECT bw_foreign())::uuid[]))
);
CREATE POLICY system_delete ON users FOR DELETE USING ((SELECT bw_is_system()));

CREATE POLICY system_only ON user_passwords USING ((SELECT bw_is_system())) WITH CHECK ((SELECT bw_is_system()));

CREATE POLICY visible ON memberships FOR SELECT USING (
  (SELECT bw_is_admin()) OR user_id = (SELECT bw_user_id())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'guardian' AND user_id = ANY ((SELECT bw_students())::uuid[]))
);
CREATE POLICY admin_write ON memberships
  USING ((SELECT bw_is_admin())
    OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()) AND NOT user_id = ANY ((SELECT bw_foreign())::uuid[])))
  WITH CHECK ((SELECT bw_is_admin())
    OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()) AND role <> 'district_admin'
        AND NOT user_id = ANY ((SELECT bw_foreign())::uuid[])));

CREATE POLICY visible ON guardian_links FOR SELECT USING (
  (SELECT bw_is_admin()) OR guardian_id = (SELECT bw_user_id()) OR student_id = (SELECT bw_user_id())
  OR ((SELECT bw_role()) = 'school_admin' AND student_id IN (SELECT user_id FROM memberships WHERE school_id = (SELECT bw_school_id())))
  OR ((SELECT bw_role()) = 'teacher' AND student_id IN (SELECT user_id FROM enrollments WHERE section_id = ANY ((SELECT bw_sections())::uuid[]) AND role = 'student'))
);
CREATE POLICY admin_write ON guardian_links USING (
  (SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND student_id IN (SELECT user_id FROM memberships WHERE school_id = (SELECT bw_school_id())))
);

CREATE POLICY visible ON terms FOR SELECT USING ((SELECT bw_is_admin()) OR school_id = ANY ((SELECT bw_schools())::uuid[]));
CREATE POLICY admin_write ON terms USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id())));

CREATE POLICY visible ON courses FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND (school_id IS NULL OR school_id = (SELECT bw_school_id())))
  OR id IN (SELECT course_id FROM sections WHERE id = ANY ((SELECT bw_sections())::uuid[])));
CREATE POLICY admin_write ON courses USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id())));

CREATE POLICY visible ON sections FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id())) OR id = ANY ((SELECT bw_sections())::uuid[]));
CREATE POLICY admin_write ON sections USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id())));

CREATE POLICY visible ON enrollments FOR SELECT USING (
  (SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR user_id = (SELECT bw_user_id())
  OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[]))
  OR ((SELECT bw_role()) IN ('student', 'guardian') AND role = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[]))
  OR ((SELECT bw_role()) = 'guardian' AND user_id = ANY ((SELECT bw_students())::uuid[]))
);
CREATE POLICY admin_write ON enrollments USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id())));

CREATE POLICY system_only ON sessions USING ((SELECT bw_is_system())) WITH CHECK ((SELECT bw_is_system()));
CREATE POLICY system_only ON password_resets USING ((SELECT bw_is_system())) WITH CHECK ((SELECT bw_is_system()));
CREATE POLICY system_only ON sign_in_throttle USING ((SELECT bw_is_system())) WITH CHECK ((SELECT bw_is_system()));

CREATE POLICY admin_all ON invitations USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id())));

-- A user appends audit entries in their own name only.
CREATE POLICY append ON audit_log FOR INSERT WITH CHECK ((SELECT bw_is_system())
  OR (actor_id = (SELECT bw_user_id()) AND actor_role = (SELECT bw_role())));
CREATE POLICY visible ON audit_log FOR SELECT USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id())));

CREATE POLICY admin_all ON imports USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id())));
CREATE POLICY admin_all ON import_files USING (import_id IN (SELECT id FROM imports));

CREATE POLICY read_all ON operator_status FOR SELECT USING (true);
CREATE POLICY system_write ON operator_status FOR INSERT WITH CHECK ((SELECT bw_is_system()));
CREATE POLICY system_update ON operator_status FOR UPDATE USING ((SELECT bw_is_system()));

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
