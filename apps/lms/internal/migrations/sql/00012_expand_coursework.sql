-- Expand: course delivery. Assignment groups, rubrics, assignments posted to
-- one or more of a teacher's sections with per-section and per-student due
-- date overrides, attachments and uploaded files, submissions (every attempt
-- kept), grades and their append-only audit trail. Every table has
-- row-level security ENABLED and FORCED, with policies for every role:
--
-- * teachers read and write the work of the sections they teach;
-- * students read published work of their sections and their own
--   submissions, and submit only as themselves, while the assignment is
--   open, with the database's clock as the submission time;
-- * guardians read published work, submissions and posted grades of their
--   linked children, and write nothing;
-- * a student reads only their own grades, and only once posted;
-- * school admins read their school's rows, district admins and system
--   work the whole district (system work also writes, for restores);
-- * every change to a grade is appended to grade_audit by a trigger that
--   runs as the schema owner; nobody else may write that table, and nobody
--   may change or delete its rows.
--
-- The same trigger records the onboarding milestone "FirstAssignmentGraded"
-- in operator_status, where the operator's readonly role reads it.

-- +goose Up

CREATE TABLE assignment_groups (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  section_id uuid NOT NULL REFERENCES sections ON DELETE CASCADE,
  school_id  uuid NOT NULL REFERENCES schools,
  name       text NOT NULL CHECK (btrim(name) <> ''),
  position   integer NOT NULL DEFAULT 0,
  weight     numeric(6,2) CHECK (weight >= 0 AND weight <= 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (section_id, name)
);

-- A rubric belongs to the teacher who built it; the teachers of the same
-- school may reuse it. criteria: [{"title", "description", "levels": [{"title", "points"}]}].
CREATE TABLE rubrics (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id  uuid NOT NULL REFERENCES schools,
  owner_id   uuid NOT NULL REFERENCES users,
  title      text NOT NULL CHECK (btrim(title) <> ''),
  criteria   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(criteria) = 'array'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rubrics_school ON rubrics (school_id);

-- section_ids: the sections the assignment is posted to (at least one, all
-- of one school). due_at is the default due time; assignment_overrides
-- move it per section or per student.
CREATE TABLE assignments (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id         uuid NOT NULL REFERENCES schools,
  section_ids       uuid[] NOT NULL CHECK (cardinality(section_ids) >= 1),
  group_id          uuid REFERENCES assignment_groups ON DELETE SET NULL,
  rubric_id         uuid REFERENCES rubrics ON DELETE SET NULL,
  title             text NOT NULL CHECK (btrim(title) <> ''),
  instructions_html text NOT NULL DEFAULT '',
  grading_type      text NOT NULL CHECK (grading_type IN ('points', 'complete_incomplete', 'letter', 'not_graded')),
  points_possible   numeric(8,2) CHECK (points_possible >= 0),
  submission_types  text[] NOT NULL DEFAULT '{}' CHECK (submission_types <@ ARRAY['text', 'file', 'link']),
  due_at            timestamptz,
  unlock_at         timestamptz,
  lock_at           timestamptz,
  published         boolean NOT NULL DEFAULT false,
  omit_from_final   boolean NOT NULL DEFAULT false,
  created_by        uuid REFERENCES users,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (unlock_at IS NULL OR lock_at IS NULL OR unlock_at < lock_at)
);
CREATE INDEX assignments_sections ON assignments USING gin (section_ids);

-- Exactly one of section_id and student_id: the due time for that section,
-- or for that student (which wins).
CREATE TABLE assignment_overrides (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  assignment_id uuid NOT NULL REFERENCES assignments ON DELETE CASCADE,
  school_id     uuid NOT NULL REFERENCES schools,
  section_id    uuid REFERENCES sections ON DELETE CASCADE,
  student_id    uuid REFERENCES users ON DELETE CASCADE,
  due_at        timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(section_id, student_id) = 1),
  UNIQUE NULLS NOT DISTINCT (assignment_id, section_id, student_id)
);

-- Uploaded files: the bytes live in the storage the LMS is configured with
-- (a folder locally, S3 in clusters) under storage_key.
CREATE TABLE files (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id    uuid NOT NULL REFERENCES schools,
  uploaded_by  uuid NOT NULL REFERENCES users,
  name         text NOT NULL,
  content_type text NOT NULL,
  size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
  sha256       text NOT NULL,
  storage_key  text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assignment_attachments (
  assignment_id uuid NOT NULL REFERENCES assignments ON DELETE CASCADE,
  file_id       uuid NOT NULL REFERENCES files,
  school_id     uuid NOT NULL REFERENCES schools,
  PRIMARY KEY (assignment_id, file_id)
);

-- One row per attempt: resubmitting adds a row, so the history stays.
CREATE TABLE submissions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  assignment_id uuid NOT NULL REFERENCES assignments ON DELETE CASCADE,
  school_id     uuid NOT NULL REFERENCES schools,
  section_id    uuid NOT NULL REFERENCES sections ON DELETE CASCADE,
  student_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  attempt       integer NOT NULL CHECK (attempt >= 1),
  kind          text NOT NULL CHECK (kind IN ('text', 'file', 'link')),
  body          text,
  url           text,
  file_id       uuid REFERENCES files,
  submitted_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (assignment_id, student_id, attempt),
  CHECK ((kind = 'text') = (body IS NOT NULL) AND (kind = 'link') = (url IS NOT NULL) AND (kind = 'file') = (file_id IS NOT NULL))
);
CREATE INDEX submissions_section ON submissions (section_id, assignment_id);
CREATE INDEX submissions_student ON submissions (student_id);

-- One grade per student and assignment. status overrides the derived
-- late/missing state ('none': neither); score is in points.
CREATE TABLE grades (
  assignment_id uuid NOT NULL REFERENCES assignments ON DELETE CASCADE,
  student_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  school_id     uuid NOT NULL REFERENCES schools,
  section_id    uuid NOT NULL REFERENCES sections ON DELETE CASCADE,
  score         numeric(8,2),
  entered       text NOT NULL DEFAULT '',
  status        text CHECK (status IN ('late', 'missing', 'excused', 'none')),
  comment       text NOT NULL DEFAULT '',
  rubric_levels jsonb NOT NULL DEFAULT '{}',
  posted        boolean NOT NULL DEFAULT false,
  posted_at     timestamptz,
  graded_by     uuid REFERENCES users,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (assignment_id, student_id)
);
CREATE INDEX grades_section ON grades (section_id);
CREATE INDEX grades_student ON grades (student_id);

-- A section's announcements, shown on its home page.
CREATE TABLE announcements (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  section_id uuid NOT NULL REFERENCES sections ON DELETE CASCADE,
  school_id  uuid NOT NULL REFERENCES schools,
  author_id  uuid REFERENCES users,
  title      text NOT NULL CHECK (btrim(title) <> ''),
  body_html  text NOT NULL DEFAULT '',
  posted_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX announcements_section ON announcements (section_id, posted_at DESC);

CREATE TABLE grade_audit (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  assignment_id uuid NOT NULL,
  student_id    uuid NOT NULL,
  school_id     uuid NOT NULL,
  section_id    uuid NOT NULL,
  actor_id      uuid,
  actor_role    text NOT NULL,
  old           jsonb,
  new           jsonb NOT NULL,
  reason        text NOT NULL DEFAULT ''
);
CREATE INDEX grade_audit_grade ON grade_audit (assignment_id, student_id, at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['assignment_groups', 'rubrics', 'assignments', 'assignment_overrides', 'files',
                           'assignment_attachments', 'submissions', 'grades', 'announcements', 'grade_audit'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END $$;
-- +goose StatementEnd

-- Who sees what. (SELECT bw_x()) runs each accessor once per query.

CREATE POLICY visible ON assignment_groups FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR section_id = ANY ((SELECT bw_sections())::uuid[]));
CREATE POLICY teacher_write ON assignment_groups
  USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])))
  WITH CHECK ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])
    AND school_id = (SELECT bw_school_id())));

CREATE POLICY visible ON rubrics FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) IN ('school_admin', 'teacher') AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) IN ('student', 'guardian') AND id IN (SELECT rubric_id FROM assignments)));
CREATE POLICY owner_write ON rubrics
  USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND owner_id = (SELECT bw_user_id())))
  WITH CHECK ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND owner_id = (SELECT bw_user_id())
    AND school_id = (SELECT bw_school_id())));

CREATE POLICY visible ON assignments FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'teacher' AND section_ids && (SELECT bw_sections())::uuid[])
  OR ((SELECT bw_role()) IN ('student', 'guardian') AND published AND section_ids && (SELECT bw_sections())::uuid[]));
-- A teacher writes assignments posted only to sections they teach.
CREATE POLICY teacher_insert ON assignments FOR INSERT WITH CHECK ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'teacher' AND section_ids <@ (SELECT bw_sections())::uuid[] AND school_id = (SELECT bw_school_id())));
CREATE POLICY teacher_update ON assignments FOR UPDATE
  USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_ids <@ (SELECT bw_sections())::uuid[]))
  WITH CHECK ((SELECT bw_is_admin())
    OR ((SELECT bw_role()) = 'teacher' AND section_ids <@ (SELECT bw_sections())::uuid[] AND school_id = (SELECT bw_school_id())));
CREATE POLICY teacher_delete ON assignments FOR DELETE
  USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_ids <@ (SELECT bw_sections())::uuid[]));

CREATE POLICY visible ON assignment_overrides FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'teacher' AND assignment_id IN (SELECT id FROM assignments))
  OR ((SELECT bw_role()) = 'student' AND assignment_id IN (SELECT id FROM assignments)
      AND (section_id = ANY ((SELECT bw_sections())::uuid[]) OR student_id = (SELECT bw_user_id())))
  OR ((SELECT bw_role()) = 'guardian' AND assignment_id IN (SELECT id FROM assignments)
      AND (section_id = ANY ((SELECT bw_sections())::uuid[]) OR student_id = ANY ((SELECT bw_students())::uuid[]))));
CREATE POLICY teacher_write ON assignment_overrides
  USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher'
    AND assignment_id IN (SELECT id FROM assignments WHERE section_ids <@ (SELECT bw_sections())::uuid[])))
  WITH CHECK ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher'
    AND assignment_id IN (SELECT id FROM assignments WHERE section_ids <@ (SELECT bw_sections())::uuid[]
      AND (assignment_overrides.section_id IS NULL OR assignment_overrides.section_id = ANY (section_ids)))
    AND (student_id IS NULL OR student_id IN (SELECT e.user_id FROM enrollments e
      WHERE e.role = 'student' AND e.section_id = ANY ((SELECT bw_sections())::uuid[])))));

-- Whether the actor uploaded a file. The policies that attach a file
-- (to work or to a submission) ask this instead of reading files, whose own
-- policy reads those tables: Postgres refuses such a cycle as recursion.
-- It answers only for the acting user's own files.
-- +goose StatementBegin
CREATE FUNCTION bw_own_file(file uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  RETURN EXISTS (SELECT 1 FROM public.files f WHERE f.id = file AND f.uploaded_by = public.bw_user_id());
END $$;
-- +goose StatementEnd

-- Files: the uploader's own, and those attached to work or submissions the
-- actor sees (those tables' policies decide).
CREATE POLICY visible ON files FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR uploaded_by = (SELECT bw_user_id())
  OR id IN (SELECT file_id FROM assignment_attachments)
  OR id IN (SELECT file_id FROM submissions WHERE file_id IS NOT NULL));
CREATE POLICY own_insert ON files FOR INSERT WITH CHECK ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) IN ('teacher', 'student') AND uploaded_by = (SELECT bw_user_id()) AND school_id = (SELECT bw_school_id())));
CREATE POLICY own_delete ON files FOR DELETE USING ((SELECT bw_is_admin()) OR uploaded_by = (SELECT bw_user_id()));

CREATE POLICY visible ON assignment_attachments FOR SELECT USING ((SELECT bw_is_admin())
  OR assignment_id IN (SELECT id FROM assignments));
CREATE POLICY teacher_write ON assignment_attachments
  USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher'
    AND assignment_id IN (SELECT id FROM assignments WHERE section_ids <@ (SELECT bw_sections())::uuid[])))
  WITH CHECK ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher'
    AND assignment_id IN (SELECT id FROM assignments WHERE section_ids <@ (SELECT bw_sections())::uuid[])
    AND bw_own_file(file_id)));

CREATE POLICY visible ON submissions FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[]))
  OR ((SELECT bw_role()) = 'student' AND student_id = (SELECT bw_user_id()))
  OR ((SELECT bw_role()) = 'guardian' AND student_id = ANY ((SELECT bw_students())::uuid[])));
-- A student submits as themselves, in one of their sections the assignment
-- is posted to, while it is open, at the database's time, with their own file.
CREATE POLICY student_submit ON submissions FOR INSERT WITH CHECK ((SELECT bw_is_system())
  OR ((SELECT bw_role()) = 'student' AND student_id = (SELECT bw_user_id())
      AND section_id = ANY ((SELECT bw_sections())::uuid[])
      AND school_id = (SELECT bw_school_id())
      AND submitted_at = now()
      AND assignment_id IN (SELECT a.id FROM assignments a WHERE a.published AND submissions.section_id = ANY (a.section_ids)
        AND submissions.kind = ANY (a.submission_types)
        AND (a.unlock_at IS NULL OR a.unlock_at <= now()) AND (a.lock_at IS NULL OR a.lock_at > now()))
      AND (file_id IS NULL OR bw_own_file(file_id))));

CREATE POLICY visible ON grades FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[]))
  OR ((SELECT bw_role()) = 'student' AND posted AND student_id = (SELECT bw_user_id()))
  OR ((SELECT bw_role()) = 'guardian' AND posted AND student_id = ANY ((SELECT bw_students())::uuid[])));
-- The teachers of a section grade its students on its assignments; grades
-- are never deleted (excuse instead).
CREATE POLICY teacher_insert ON grades FOR INSERT WITH CHECK ((SELECT bw_is_system())
  OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])
      AND school_id = (SELECT bw_school_id())
      AND assignment_id IN (SELECT a.id FROM assignments a WHERE grades.section_id = ANY (a.section_ids))
      AND student_id IN (SELECT e.user_id FROM enrollments e WHERE e.section_id = grades.section_id AND e.role = 'student')));
CREATE POLICY teacher_update ON grades FOR UPDATE
  USING ((SELECT bw_is_system()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])))
  WITH CHECK ((SELECT bw_is_system())
    OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])
      AND school_id = (SELECT bw_school_id())
      AND assignment_id IN (SELECT a.id FROM assignments a WHERE grades.section_id = ANY (a.section_ids))
      AND student_id IN (SELECT e.user_id FROM enrollments e WHERE e.section_id = grades.section_id AND e.role = 'student')));

CREATE POLICY visible ON announcements FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR section_id = ANY ((SELECT bw_sections())::uuid[]));
CREATE POLICY teacher_write ON announcements
  USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])))
  WITH CHECK ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])
    AND author_id = (SELECT bw_user_id()) AND school_id = (SELECT bw_school_id())));

-- The trail: read by the section's teachers and admins; written only by
-- bw_audit_grade() (the owner); no UPDATE or DELETE policy, so no row changes.
CREATE POLICY visible ON grade_audit FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])));
CREATE POLICY owner_append ON grade_audit FOR INSERT WITH CHECK ((SELECT bw_is_migrator()));

-- Every insert or update of a grade appends who, when, old, new and why
-- (the reason the LMS puts in bw.grade_reason for the transaction), and the
-- first real grade reaches the onboarding milestone. It runs as the owner,
-- so the app role never writes grade_audit or operator_status itself; the
-- actor comes from the verified context, not from the row.
-- +goose StatementBegin
CREATE FUNCTION bw_audit_grade() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  ctx public.bw_context_value := public.bw_context_row();
  fields text[] := ARRAY['score', 'entered', 'status', 'comment', 'rubric_levels', 'posted'];
  old_v jsonb;
  new_v jsonb;
BEGIN
  SELECT jsonb_object_agg(k, v) INTO new_v FROM jsonb_each(to_jsonb(NEW)) AS e(k, v) WHERE k = ANY (fields);
  IF TG_OP = 'UPDATE' THEN
    SELECT jsonb_object_agg(k, v) INTO old_v FROM jsonb_each(to_jsonb(OLD)) AS e(k, v) WHERE k = ANY (fields);
    IF old_v = new_v THEN
      RETURN NEW;
    END IF;
  END IF;
  INSERT INTO grade_audit (assignment_id, student_id, school_id, section_id, actor_id, actor_role, old, new, reason)
    VALUES (NEW.assignment_id, NEW.student_id, NEW.school_id, NEW.section_id, ctx.user_id, coalesce(ctx.role, 'system'),
            old_v, new_v, left(coalesce(current_setting('bw.grade_reason', true), ''), 500));
  IF NEW.score IS NOT NULL OR NEW.status = 'excused' THEN
    INSERT INTO operator_status (key, value) VALUES ('milestone:FirstAssignmentGraded', jsonb_build_object('reachedAt', now()))
      ON CONFLICT (key) DO NOTHING;
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_audit_grade() FROM PUBLIC;
CREATE TRIGGER audit_grade AFTER INSERT OR UPDATE ON grades FOR EACH ROW EXECUTE FUNCTION bw_audit_grade();

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
