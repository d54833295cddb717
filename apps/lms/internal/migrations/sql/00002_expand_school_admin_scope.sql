-- Expand: a school admin manages the people of their own school only. Not a
-- district admin who also holds a role at the school, nor someone who also
-- works or learns at another school: their account is shared with the
-- district or that school, so a district admin changes it. bw_begin now
-- computes those people for a school admin once per transaction
-- (bw_foreign()), and the users and memberships write policies leave them
-- out. Replacing bw_begin and the two policies is safe for the release
-- before: the function keeps its signature and only narrows.

-- +goose Up

CREATE FUNCTION bw_foreign() RETURNS uuid[] LANGUAGE sql STABLE
  AS $$ SELECT coalesce(nullif(current_setting('bw.foreign', true), '')::uuid[], '{}') $$;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_begin(actor uuid, actor_role text, school uuid) RETURNS void
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
  PERFORM set_config('bw.foreign', '', true);
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
  IF actor_role = 'school_admin' THEN
    -- Seen as the system, briefly: the school admin's own view hides
    -- memberships at other schools, which are exactly what decides this.
    PERFORM set_config('bw.role', 'system', true);
    SELECT coalesce(array_agg(DISTINCT m.user_id), '{}') INTO scope FROM memberships m
      WHERE m.user_id IN (SELECT user_id FROM memberships WHERE school_id = school)
        AND (m.role = 'district_admin' OR m.school_id IS DISTINCT FROM school);
    PERFORM set_config('bw.role', actor_role, true);
    PERFORM set_config('bw.foreign', scope::text, true);
  END IF;
END $$;
-- +goose StatementEnd

DROP POLICY admin_update ON users;
CREATE POLICY admin_update ON users FOR UPDATE USING (
  bw_is_admin() OR id = bw_user_id()
  OR (bw_role() = 'school_admin' AND id IN (SELECT user_id FROM memberships WHERE school_id = bw_school_id())
      AND NOT id = ANY (bw_foreign()))
);

DROP POLICY admin_write ON memberships;
CREATE POLICY admin_write ON memberships
  USING (bw_is_admin() OR (bw_is_school_admin_of(school_id) AND NOT user_id = ANY (bw_foreign())))
  WITH CHECK (bw_is_admin() OR (bw_is_school_admin_of(school_id) AND role <> 'district_admin' AND NOT user_id = ANY (bw_foreign())));

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
