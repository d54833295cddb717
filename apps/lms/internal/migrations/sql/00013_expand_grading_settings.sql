-- Expand: a section's grading settings, drop rules per assignment group, and
-- final-grade overrides per student with their append-only trail. Every new
-- table has row-level security ENABLED and FORCED, with policies for every
-- role:
--
-- * the section's teachers read and write its settings and overrides;
-- * students and guardians read the settings of their (children's)
--   sections, a student their own override and a guardian their linked
--   children's, and only once posted; neither writes;
-- * school admins read their school's rows, district admins and system work
--   the whole district;
-- * every change to an override is appended to final_grade_audit by a
--   trigger running as the schema owner; nobody else writes that table and
--   nobody changes or deletes its rows.
--
-- Grading periods are the section's terms of kind 'gradingPeriod' (from
-- rostering, or added by a school admin); period_weights weights them when
-- weighted_periods is on.

-- +goose Up

CREATE TABLE grading_settings (
  section_id          uuid PRIMARY KEY REFERENCES sections ON DELETE CASCADE,
  school_id           uuid NOT NULL REFERENCES schools,
  weighting           text NOT NULL DEFAULT 'points' CHECK (weighting IN ('points', 'percent')),
  late_deduction      numeric(6,2) CHECK (late_deduction >= 0 AND late_deduction <= 100),
  late_interval       text NOT NULL DEFAULT 'day' CHECK (late_interval IN ('hour', 'day')),
  late_floor          numeric(6,2) CHECK (late_floor >= 0 AND late_floor <= 100),
  missing_score       numeric(6,2) CHECK (missing_score >= 0 AND missing_score <= 100),
  post_policy         text NOT NULL DEFAULT 'manual' CHECK (post_policy IN ('automatic', 'manual')),
  -- [{"letter": "A", "min": 90}, ...]; '[]' shows no letters.
  scheme              jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(scheme) = 'array'),
  weighted_periods    boolean NOT NULL DEFAULT false,
  -- {"<term id>": weight}
  period_weights      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(period_weights) = 'object'),
  updated_by          uuid REFERENCES users,
  updated_at          timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE assignment_groups
  ADD COLUMN drop_lowest  integer NOT NULL DEFAULT 0 CHECK (drop_lowest >= 0),
  ADD COLUMN drop_highest integer NOT NULL DEFAULT 0 CHECK (drop_highest >= 0),
  ADD COLUMN never_drop   uuid[] NOT NULL DEFAULT '{}';

CREATE TABLE final_grade_overrides (
  section_id uuid NOT NULL REFERENCES sections ON DELETE CASCADE,
  student_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  school_id  uuid NOT NULL REFERENCES schools,
  percent    numeric(6,2) CHECK (percent >= 0),
  letter     text NOT NULL DEFAULT '',
  posted     boolean NOT NULL DEFAULT false,
  updated_by uuid REFERENCES users,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (section_id, student_id),
  CHECK (percent IS NOT NULL OR letter <> '')
);
CREATE INDEX final_grade_overrides_student ON final_grade_overrides (student_id);

CREATE TABLE final_grade_audit (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  section_id uuid NOT NULL,
  student_id uuid NOT NULL,
  school_id  uuid NOT NULL,
  actor_id   uuid,
  actor_role text NOT NULL,
  old        jsonb,
  new        jsonb,
  reason     text NOT NULL DEFAULT ''
);
CREATE INDEX final_grade_audit_student ON final_grade_audit (section_id, student_id, at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['grading_settings', 'final_grade_overrides', 'final_grade_audit'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END $$;
-- +goose StatementEnd

CREATE POLICY visible ON grading_settings FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR section_id = ANY ((SELECT bw_sections())::uuid[]));
CREATE POLICY teacher_write ON grading_settings
  USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])))
  WITH CHECK ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])
    AND school_id = (SELECT bw_school_id())));

CREATE POLICY visible ON final_grade_overrides FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[]))
  OR ((SELECT bw_role()) = 'student' AND posted AND student_id = (SELECT bw_user_id()))
  OR ((SELECT bw_role()) = 'guardian' AND posted AND student_id = ANY ((SELECT bw_students())::uuid[])));
-- The section's teachers override the grades of its students; an override
-- is removed by deleting it (the trail keeps it).
CREATE POLICY teacher_write ON final_grade_overrides
  USING ((SELECT bw_is_system()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])))
  WITH CHECK ((SELECT bw_is_system())
    OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])
      AND school_id = (SELECT bw_school_id())
      AND student_id IN (SELECT e.user_id FROM enrollments e WHERE e.section_id = final_grade_overrides.section_id AND e.role = 'student')));

CREATE POLICY visible ON final_grade_audit FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])));
CREATE POLICY owner_append ON final_grade_audit FOR INSERT WITH CHECK ((SELECT bw_is_migrator()));

-- +goose StatementBegin
CREATE FUNCTION bw_audit_final_grade() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  ctx public.bw_context_value := public.bw_context_row();
  fields text[] := ARRAY['percent', 'letter', 'posted'];
  old_v jsonb;
  new_v jsonb;
  r record;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    SELECT jsonb_object_agg(k, v) INTO old_v FROM jsonb_each(to_jsonb(OLD)) AS e(k, v) WHERE k = ANY (fields);
    r := OLD;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT jsonb_object_agg(k, v) INTO new_v FROM jsonb_each(to_jsonb(NEW)) AS e(k, v) WHERE k = ANY (fields);
    r := NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND old_v = new_v THEN
    RETURN NEW;
  END IF;
  INSERT INTO final_grade_audit (section_id, student_id, school_id, actor_id, actor_role, old, new, reason)
    VALUES (r.section_id, r.student_id, r.school_id, ctx.user_id, coalesce(ctx.role, 'system'),
            old_v, new_v, left(coalesce(current_setting('bw.grade_reason', true), ''), 500));
  RETURN NULL;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_audit_final_grade() FROM PUBLIC;
CREATE TRIGGER audit_final_grade AFTER INSERT OR UPDATE OR DELETE ON final_grade_overrides
  FOR EACH ROW EXECUTE FUNCTION bw_audit_final_grade();

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
