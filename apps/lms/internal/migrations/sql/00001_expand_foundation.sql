-- Expand: the LMS foundation. Schools, users, roles, guardians, terms,
-- courses, sections, enrollments, sessions, invitations, audit log, imports
-- and the operator_status report. Every table has row-level security
-- ENABLED and FORCED; policies read the acting user, role and school that
-- bw_begin() sets with transaction-local settings at the start of every
-- transaction. Without them (bw_role() IS NULL) no policy matches: fail closed.

-- +goose Up

-- The acting user, role and school of the current transaction.
CREATE FUNCTION bw_user_id() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('bw.user_id', true), '')::uuid $$;
CREATE FUNCTION bw_role() RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('bw.role', true), '') $$;
CREATE FUNCTION bw_school_id() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('bw.school_id', true), '')::uuid $$;
-- Scopes computed once by bw_begin, so policies never query the table they guard.
CREATE FUNCTION bw_sections() RETURNS uuid[] LANGUAGE sql STABLE
  AS $$ SELECT coalesce(nullif(current_setting('bw.sections', true), '')::uuid[], '{}') $$;
CREATE FUNCTION bw_students() RETURNS uuid[] LANGUAGE sql STABLE
  AS $$ SELECT coalesce(nullif(current_setting('bw.students', true), '')::uuid[], '{}') $$;
CREATE FUNCTION bw_schools() RETURNS uuid[] LANGUAGE sql STABLE
  AS $$ SELECT coalesce(nullif(current_setting('bw.schools', true), '')::uuid[], '{}') $$;
-- System work (directory convergence, sign-in, background jobs) and district admins see the whole tenant.
CREATE FUNCTION bw_is_admin() RETURNS boolean LANGUAGE sql STABLE
  AS $$ SELECT coalesce(bw_role() IN ('system', 'district_admin'), false) $$;
CREATE FUNCTION bw_is_school_admin_of(school uuid) RETURNS boolean LANGUAGE sql STABLE
  AS $$ SELECT coalesce(bw_role() = 'school_admin' AND school = bw_school_id(), false) $$;
-- The migration role: the owner of schema public.
CREATE FUNCTION bw_is_migrator() RETURNS boolean LANGUAGE sql STABLE
  AS $$ SELECT pg_has_role(current_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'public'), 'MEMBER') $$;

CREATE TABLE schools (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code           text NOT NULL UNIQUE,
  name           text NOT NULL,
  time_zone      text NOT NULL,
  calendar       jsonb NOT NULL DEFAULT '{}',
  grade_bands    jsonb NOT NULL DEFAULT '[]',
  branding       jsonb NOT NULL DEFAULT '{}',
  seats          integer,
  directory_hash text NOT NULL DEFAULT '',
  archived_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email           text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
  display_name    text NOT NULL,
  given_name      text NOT NULL DEFAULT '',
  family_name     text NOT NULL DEFAULT '',
  locale          text NOT NULL DEFAULT 'en',
  time_zone       text,
  grade           text,
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
  password_hash   text,
  sourced_id      text UNIQUE,
  username        text,
  failed_sign_ins integer NOT NULL DEFAULT 0,
  locked_until    timestamptz,
  last_sign_in_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE memberships (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  school_id  uuid REFERENCES schools,
  role       text NOT NULL CHECK (role IN ('district_admin', 'school_admin', 'teacher', 'student', 'guardian')),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'district_admin') = (school_id IS NULL)),
  UNIQUE NULLS NOT DISTINCT (user_id, school_id, role)
);
CREATE INDEX memberships_school ON memberships (school_id, role);

CREATE TABLE guardian_links (
  guardian_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  student_id  uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (guardian_id, student_id),
  CHECK (guardian_id <> student_id)
);
CREATE INDEX guardian_links_student ON guardian_links (student_id);

CREATE TABLE terms (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id  uuid NOT NULL REFERENCES schools,
  sourced_id text,
  name       text NOT NULL,
  kind       text NOT NULL DEFAULT 'term',
  starts_on  date NOT NULL,
  ends_on    date NOT NULL CHECK (ends_on >= starts_on),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX terms_school ON terms (school_id, starts_on);
CREATE UNIQUE INDEX terms_sourced ON terms (school_id, sourced_id);

-- A course without a school is the district's, taught at any of its schools.
CREATE TABLE courses (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id  uuid REFERENCES schools,
  sourced_id text UNIQUE,
  title      text NOT NULL,
  code       text NOT NULL DEFAULT '',
  grades     text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX courses_school ON courses (school_id);

CREATE TABLE sections (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id  uuid NOT NULL REFERENCES schools,
  course_id  uuid NOT NULL REFERENCES courses,
  sourced_id text UNIQUE,
  title      text NOT NULL,
  code       text NOT NULL DEFAULT '',
  period     text NOT NULL DEFAULT '',
  term_ids   uuid[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sections_school ON sections (school_id);

CREATE TABLE enrollments (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  section_id uuid NOT NULL REFERENCES sections ON DELETE CASCADE,
  school_id  uuid NOT NULL REFERENCES schools,
  user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  role       text NOT NULL CHECK (role IN ('teacher', 'student')),
  is_primary boolean NOT NULL DEFAULT false,
  sourced_id text UNIQUE,
  begins_on  date,
  ends_on    date,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (section_id, user_id, role)
);
CREATE INDEX enrollments_user ON enrollments (user_id, role);

CREATE TABLE sessions (
  id_sha256        text PRIMARY KEY,
  user_id          uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  role             text NOT NULL,
  school_id        uuid REFERENCES schools,
  csrf_token       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_seen_at     timestamptz NOT NULL DEFAULT now(),
  idle_expires_at  timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  user_agent       text NOT NULL DEFAULT '',
  ip               text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE invitations (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email        text NOT NULL,
  role         text NOT NULL CHECK (role IN ('district_admin', 'school_admin', 'teacher', 'student', 'guardian')),
  school_id    uuid REFERENCES schools,
  token_sha256 text NOT NULL UNIQUE,
  expires_at   timestamptz NOT NULL,
  accepted_at  timestamptz,
  created_by   uuid REFERENCES users,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE password_resets (
  token_sha256 text PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sign_in_throttle (
  key          text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  failures     integer NOT NULL DEFAULT 0,
  locked_until timestamptz
);

CREATE TABLE audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor_id   uuid,
  actor_role text NOT NULL,
  school_id  uuid,
  action     text NOT NULL,
  target     text NOT NULL DEFAULT '',
  detail     jsonb NOT NULL DEFAULT '{}',
  request_id text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at DESC);

CREATE TABLE imports (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind        text NOT NULL CHECK (kind IN ('oneroster', 'users_csv')),
  status      text NOT NULL DEFAULT 'previewed' CHECK (status IN ('previewed', 'queued', 'running', 'applied', 'failed', 'discarded')),
  school_id   uuid REFERENCES schools,
  created_by  uuid NOT NULL REFERENCES users,
  files       jsonb NOT NULL DEFAULT '{}',
  plan        jsonb NOT NULL DEFAULT '{}',
  problems    jsonb NOT NULL DEFAULT '[]',
  progress    integer NOT NULL DEFAULT 0,
  total       integer NOT NULL DEFAULT 0,
  error       text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE import_files (
  import_id uuid NOT NULL REFERENCES imports ON DELETE CASCADE,
  name      text NOT NULL,
  data      bytea NOT NULL,
  PRIMARY KEY (import_id, name)
);

-- Read by the operator with the tenant's readonly role (see pkg/directory/status.go).
CREATE TABLE operator_status (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Row-level security: enabled and forced on every table, policies below.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END $$;
-- +goose StatementEnd

-- goose's own version table: the migration role only.
CREATE POLICY migrator ON goose_db_version USING (bw_is_migrator()) WITH CHECK (bw_is_migrator());

CREATE POLICY read_all ON schools FOR SELECT USING (bw_role() IS NOT NULL);
CREATE POLICY admin_write ON schools USING (bw_role() = 'system') WITH CHECK (bw_role() = 'system');

CREATE POLICY visible ON users FOR SELECT USING (
  bw_is_admin()
  OR id = bw_user_id()
  OR (bw_role() = 'school_admin' AND id IN (SELECT user_id FROM memberships WHERE school_id = bw_school_id()))
  OR (bw_role() IN ('teacher', 'student', 'guardian') AND id IN (SELECT user_id FROM enrollments WHERE section_id = ANY (bw_sections())))
  OR (bw_role() = 'guardian' AND id = ANY (bw_students()))
  OR (bw_role() = 'teacher' AND id IN (SELECT guardian_id FROM guardian_links))
);
CREATE POLICY admin_insert ON users FOR INSERT WITH CHECK (bw_is_admin() OR bw_role() = 'school_admin');
CREATE POLICY admin_update ON users FOR UPDATE USING (
  bw_is_admin() OR id = bw_user_id()
  OR (bw_role() = 'school_admin' AND id IN (SELECT user_id FROM memberships WHERE school_id = bw_school_id()))
);
CREATE POLICY system_delete ON users FOR DELETE USING (bw_role() = 'system');

CREATE POLICY visible ON memberships FOR SELECT USING (
  bw_is_admin() OR user_id = bw_user_id() OR bw_is_school_admin_of(school_id)
  OR (bw_role() = 'guardian' AND user_id = ANY (bw_students()))
);
CREATE POLICY admin_write ON memberships USING (bw_is_admin() OR bw_is_school_admin_of(school_id))
  WITH CHECK (bw_is_admin() OR (bw_is_school_admin_of(school_id) AND role <> 'district_admin'));

CREATE POLICY visible ON guardian_links FOR SELECT USING (
  bw_is_admin() OR guardian_id = bw_user_id() OR student_id = bw_user_id()
  OR (bw_role() = 'school_admin' AND student_id IN (SELECT user_id FROM memberships WHERE school_id = bw_school_id()))
  OR (bw_role() = 'teacher' AND student_id IN (SELECT user_id FROM enrollments WHERE section_id = ANY (bw_sections()) AND role = 'student'))
);
CREATE POLICY admin_write ON guardian_links USING (
  bw_is_admin() OR (bw_role() = 'school_admin' AND student_id IN (SELECT user_id FROM memberships WHERE school_id = bw_school_id()))
);

CREATE POLICY visible ON terms FOR SELECT USING (bw_is_admin() OR school_id = ANY (bw_schools()));
CREATE POLICY admin_write ON terms USING (bw_is_admin() OR bw_is_school_admin_of(school_id));
CREATE POLICY visible ON courses FOR SELECT USING (bw_is_admin()
  OR (bw_role() = 'school_admin' AND (school_id IS NULL OR school_id = bw_school_id()))
  OR id IN (SELECT course_id FROM sections WHERE id = ANY (bw_sections())));
CREATE POLICY admin_write ON courses USING (bw_is_admin() OR bw_is_school_admin_of(school_id));

CREATE POLICY visible ON sections FOR SELECT USING (bw_is_admin() OR bw_is_school_admin_of(school_id) OR id = ANY (bw_sections()));
CREATE POLICY admin_write ON sections USING (bw_is_admin() OR bw_is_school_admin_of(school_id));

-- Teachers see whole rosters of their sections; students and guardians see
-- their own (or their children's) enrollments and who teaches them, not classmates.
CREATE POLICY visible ON enrollments FOR SELECT USING (
  bw_is_admin() OR bw_is_school_admin_of(school_id) OR user_id = bw_user_id()
  OR (bw_role() = 'teacher' AND section_id = ANY (bw_sections()))
  OR (bw_role() IN ('student', 'guardian') AND role = 'teacher' AND section_id = ANY (bw_sections()))
  OR (bw_role() = 'guardian' AND user_id = ANY (bw_students()))
);
CREATE POLICY admin_write ON enrollments USING (bw_is_admin() OR bw_is_school_admin_of(school_id));

CREATE POLICY system_only ON sessions USING (bw_role() = 'system') WITH CHECK (bw_role() = 'system');
CREATE POLICY system_only ON password_resets USING (bw_role() = 'system') WITH CHECK (bw_role() = 'system');
CREATE POLICY system_only ON sign_in_throttle USING (bw_role() = 'system') WITH CHECK (bw_role() = 'system');

CREATE POLICY admin_all ON invitations USING (bw_is_admin() OR bw_is_school_admin_of(school_id));

CREATE POLICY append ON audit_log FOR INSERT WITH CHECK (bw_role() IS NOT NULL);
CREATE POLICY visible ON audit_log FOR SELECT USING (bw_is_admin() OR bw_is_school_admin_of(school_id));

CREATE POLICY admin_all ON imports USING (bw_is_admin() OR bw_is_school_admin_of(school_id));
CREATE POLICY admin_all ON import_files USING (import_id IN (SELECT id FROM imports));

-- The operator's report: readable by every role (no personal data), written by system work.
CREATE POLICY read_all ON operator_status FOR SELECT USING (true);
CREATE POLICY system_write ON operator_status FOR INSERT WITH CHECK (bw_role() = 'system');
CREATE POLICY system_update ON operator_status FOR UPDATE USING (bw_role() = 'system');

-- bw_begin sets the acting user, role and school for the rest of the
-- transaction and computes the scopes policies use. It refuses a role the
-- user does not hold, so a wrong context fails instead of widening access.
-- +goose StatementBegin
CREATE FUNCTION bw_begin(actor uuid, actor_role text, school uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  scope uuid[];
BEGIN
  IF actor_role NOT IN ('system', 'district_admin', 'school_admin', 'teacher', 'student', 'guardian') THEN
    RAISE EXCEPTION 'unknown actor role %', actor_role USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM set_config('bw.user_id', coalesce(actor::text, ''), true);
  PERFORM set_config('bw.role', actor_role, true);
  PERFORM set_config('bw.school_id', coalesce(school::text, ''), true);
  PERFORM set_config('bw.sections', '', true);
  PERFORM set_config('bw.students', '', true);
  PERFORM set_config('bw.schools', '', true);
  IF actor_role = 'system' THEN
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                 WHERE m.user_id = actor AND m.role = actor_role AND m.school_id IS NOT DISTINCT FROM school
                   AND u.status = 'active') THEN
    PERFORM set_config('bw.role', '', true);
    RAISE EXCEPTION 'user % does not hold role % at school %', actor, actor_role, school USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF actor_role = 'guardian' THEN
    SELECT coalesce(array_agg(student_id), '{}') INTO scope FROM guardian_links WHERE guardian_id = actor;
    PERFORM set_config('bw.students', scope::text, true);
    SELECT coalesce(array_agg(DISTINCT section_id), '{}') INTO scope FROM enrollments
      WHERE user_id = ANY (bw_students()) AND role = 'student';
  ELSIF actor_role IN ('teacher', 'student') THEN
    SELECT coalesce(array_agg(section_id), '{}') INTO scope FROM enrollments WHERE user_id = actor AND role = actor_role;
  END IF;
  PERFORM set_config('bw.sections', coalesce(scope, '{}')::text, true);
  IF actor_role = 'guardian' THEN
    SELECT coalesce(array_agg(DISTINCT school_id), '{}') INTO scope FROM memberships WHERE user_id = ANY (bw_students());
  ELSE
    scope := ARRAY[school];
  END IF;
  PERFORM set_config('bw.schools', coalesce(scope, '{}')::text, true);
END $$;
-- +goose StatementEnd

-- +goose Down
SELECT 'the foundation migration cannot be reverted: restore from a backup instead';
