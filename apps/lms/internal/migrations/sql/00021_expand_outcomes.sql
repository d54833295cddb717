-- Expand: standards-based grading. Outcomes (standards) defined for the
-- whole district or for one section (course level), attached to rubric
-- criteria (an "outcomeId" on a criterion in rubrics.criteria) and to
-- assignments (assignments.outcome_ids); per-student results recorded when
-- work is graded; an append-only trail of every change to both. Every new
-- table has row-level security ENABLED and FORCED, with policies for every
-- role:
--
-- * everyone in the district reads district outcomes; a section's outcomes
--   are read by its teachers, students and guardians (through
--   bw_sections()) and by the school's admins;
-- * district admins write district outcomes, a section's teachers write its
--   outcomes; nobody else writes;
-- * outcome_results are written only by bw_record_outcome_results(), the
--   trigger on grades, running as the schema owner: a result is always what
--   the grade says, and the app role cannot forge one;
-- * a student reads their own results, a guardian their linked children's,
--   and only those of a posted grade; teachers read their sections', school
--   admins their school's, district admins all;
-- * every change to an outcome or a result is appended to outcome_audit by
--   a trigger running as the owner; nobody changes or deletes its rows.

-- +goose Up

CREATE TABLE outcomes (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Both NULL: a district outcome. section_id set: a course outcome of that
  -- section, whose school is school_id.
  school_id       uuid REFERENCES schools,
  section_id      uuid REFERENCES sections ON DELETE CASCADE,
  title           text NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 200),
  description     text NOT NULL DEFAULT '',
  -- The rating scale: [{"description": "Exceeds", "points": 4}, ...], best first.
  scale           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(scale) = 'array'),
  points_possible numeric(8,2) NOT NULL CHECK (points_possible > 0),
  mastery_points  numeric(8,2) NOT NULL CHECK (mastery_points >= 0),
  method          text NOT NULL DEFAULT 'decaying_average'
                    CHECK (method IN ('decaying_average', 'n_mastery', 'latest', 'highest', 'average')),
  calculation_int integer,
  created_by      uuid REFERENCES users,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((section_id IS NULL) = (school_id IS NULL)),
  CHECK (mastery_points <= points_possible),
  CHECK (CASE method WHEN 'decaying_average' THEN calculation_int BETWEEN 1 AND 99
                     WHEN 'n_mastery' THEN calculation_int BETWEEN 1 AND 10
                     ELSE calculation_int IS NULL END)
);
CREATE INDEX outcomes_section ON outcomes (section_id);

ALTER TABLE assignments ADD COLUMN outcome_ids uuid[] NOT NULL DEFAULT '{}';

-- One result per outcome, graded work and source: 'assignment' for an
-- outcome attached to the assignment, 'criterion:<index>' for a rubric
-- criterion. score is in the outcome's points.
CREATE TABLE outcome_results (
  outcome_id    uuid NOT NULL REFERENCES outcomes ON DELETE CASCADE,
  assignment_id uuid NOT NULL REFERENCES assignments ON DELETE CASCADE,
  student_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  section_id    uuid NOT NULL REFERENCES sections ON DELETE CASCADE,
  school_id     uuid NOT NULL REFERENCES schools,
  source        text NOT NULL CHECK (source = 'assignment' OR source ~ '^criterion:[0-9]+$'),
  score         numeric(8,2) NOT NULL CHECK (score >= 0),
  assessed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (outcome_id, assignment_id, student_id, source)
);
CREATE INDEX outcome_results_section ON outcome_results (section_id, student_id);
CREATE INDEX outcome_results_grade ON outcome_results (assignment_id, student_id);

CREATE TABLE outcome_audit (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  kind          text NOT NULL CHECK (kind IN ('outcome', 'result')),
  outcome_id    uuid NOT NULL,
  section_id    uuid,
  school_id     uuid,
  assignment_id uuid,
  student_id    uuid,
  actor_id      uuid,
  actor_role    text NOT NULL,
  old           jsonb,
  new           jsonb,
  reason        text NOT NULL DEFAULT ''
);
CREATE INDEX outcome_audit_outcome ON outcome_audit (outcome_id, at);
CREATE INDEX outcome_audit_section ON outcome_audit (section_id, at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['outcomes', 'outcome_results', 'outcome_audit'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END $$;
-- +goose StatementEnd

CREATE POLICY visible ON outcomes FOR SELECT USING ((SELECT bw_is_admin())
  OR (section_id IS NULL AND (SELECT bw_role()) IS NOT NULL)
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR section_id = ANY ((SELECT bw_sections())::uuid[]));
CREATE POLICY author_write ON outcomes
  USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])))
  WITH CHECK ((SELECT bw_is_admin())
    OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[]) AND school_id = (SELECT bw_school_id())));

CREATE POLICY visible ON outcome_results FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[]))
  OR ((SELECT bw_role()) = 'student' AND student_id = (SELECT bw_user_id())
      AND EXISTS (SELECT 1 FROM grades g WHERE g.assignment_id = outcome_results.assignment_id
                  AND g.student_id = outcome_results.student_id AND g.posted))
  OR ((SELECT bw_role()) = 'guardian' AND student_id = ANY ((SELECT bw_students())::uuid[])
      AND EXISTS (SELECT 1 FROM grades g WHERE g.assignment_id = outcome_results.assignment_id
                  AND g.student_id = outcome_results.student_id AND g.posted)));
CREATE POLICY system_write ON outcome_results USING ((SELECT bw_is_system())) WITH CHECK ((SELECT bw_is_system()));

CREATE POLICY visible ON outcome_audit FOR SELECT USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])));
CREATE POLICY owner_append ON outcome_audit FOR INSERT WITH CHECK ((SELECT bw_is_migrator()));

-- Records a grade's outcome results: one per rated criterion linked to an
-- outcome (the level's share of the criterion's best level, in outcome
-- points) and one per outcome of the assignment (the score's share of the
-- points possible). Excused or ungraded work has none. Unchanged results
-- keep their time, so "latest" and the decaying average follow real
-- assessments, not re-saves.
-- +goose StatementBegin
CREATE FUNCTION bw_record_outcome_results() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  a record;
  keep text[] := '{}';
  r record;
BEGIN
  SELECT id, points_possible, rubric_id, outcome_ids INTO a FROM public.assignments WHERE id = NEW.assignment_id;
  IF coalesce(NEW.status, '') <> 'excused' THEN
    FOR r IN
      -- Rubric criteria linked to an outcome and rated in this grade.
      SELECT o.id AS outcome_id, 'criterion:' || (c.i - 1) AS source,
             round((lvl.points / best.points) * o.points_possible, 2) AS score
        FROM public.rubrics rb
        CROSS JOIN LATERAL jsonb_array_elements(rb.criteria) WITH ORDINALITY AS c(crit, i)
        JOIN public.outcomes o ON o.id::text = c.crit->>'outcomeId'
        CROSS JOIN LATERAL (SELECT (c.crit->'levels'->((NEW.rubric_levels->>((c.i - 1)::text))::int)->>'points')::numeric AS points) lvl
        CROSS JOIN LATERAL (SELECT max((l->>'points')::numeric) AS points FROM jsonb_array_elements(c.crit->'levels') l) best
       WHERE rb.id = a.rubric_id AND NEW.rubric_levels ? (c.i - 1)::text
         AND (NEW.rubric_levels->>((c.i - 1)::text))::int >= 0 AND lvl.points IS NOT NULL AND best.points > 0
      UNION ALL
      -- Outcomes attached to the assignment, from its score.
      SELECT o.id, 'assignment', round((NEW.score / a.points_possible) * o.points_possible, 2)
        FROM public.outcomes o
       WHERE o.id = ANY (a.outcome_ids) AND NEW.score IS NOT NULL AND a.points_possible > 0
    LOOP
      INSERT INTO public.outcome_results (outcome_id, assignment_id, student_id, section_id, school_id, source, score)
        VALUES (r.outcome_id, NEW.assignment_id, NEW.student_id, NEW.section_id, NEW.school_id, r.source, greatest(r.score, 0))
        ON CONFLICT (outcome_id, assignment_id, student_id, source) DO UPDATE
          SET score = EXCLUDED.score, assessed_at = now()
          WHERE outcome_results.score IS DISTINCT FROM EXCLUDED.score;
      keep := keep || (r.outcome_id::text || ' ' || r.source);
    END LOOP;
  END IF;
  DELETE FROM public.outcome_results
   WHERE assignment_id = NEW.assignment_id AND student_id = NEW.student_id
     AND NOT ((outcome_id::text || ' ' || source) = ANY (keep));
  RETURN NULL;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_record_outcome_results() FROM PUBLIC;
CREATE TRIGGER record_outcome_results AFTER INSERT OR UPDATE ON grades
  FOR EACH ROW EXECUTE FUNCTION bw_record_outcome_results();

-- The trail: who, when, old, new and why (bw.grade_reason) for every
-- change to an outcome's definition or to a result.
-- +goose StatementBegin
CREATE FUNCTION bw_audit_outcome() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  ctx public.bw_context_value := public.bw_context_row();
  fields text[];
  old_v jsonb;
  new_v jsonb;
  r record;
BEGIN
  IF TG_TABLE_NAME = 'outcomes' THEN
    fields := ARRAY['title', 'description', 'scale', 'points_possible', 'mastery_points', 'method', 'calculation_int'];
  ELSE
    fields := ARRAY['score', 'source'];
  END IF;
  IF TG_OP <> 'INSERT' THEN
    SELECT jsonb_object_agg(k, v) INTO old_v FROM jsonb_each(to_jsonb(OLD)) AS e(k, v) WHERE k = ANY (fields);
    r := OLD;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT jsonb_object_agg(k, v) INTO new_v FROM jsonb_each(to_jsonb(NEW)) AS e(k, v) WHERE k = ANY (fields);
    r := NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND old_v = new_v THEN
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'outcomes' THEN
    INSERT INTO public.outcome_audit (kind, outcome_id, section_id, school_id, actor_id, actor_role, old, new, reason)
      VALUES ('outcome', r.id, r.section_id, r.school_id, ctx.user_id, coalesce(ctx.role, 'system'), old_v, new_v,
              left(coalesce(current_setting('bw.grade_reason', true), ''), 500));
  ELSE
    INSERT INTO public.outcome_audit (kind, outcome_id, section_id, school_id, assignment_id, student_id, actor_id, actor_role,
                                      old, new, reason)
      VALUES ('result', r.outcome_id, r.section_id, r.school_id, r.assignment_id, r.student_id, ctx.user_id,
              coalesce(ctx.role, 'system'), old_v, new_v, left(coalesce(current_setting('bw.grade_reason', true), ''), 500));
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_audit_outcome() FROM PUBLIC;
CREATE TRIGGER audit_outcome AFTER INSERT OR UPDATE OR DELETE ON outcomes
  FOR EACH ROW EXECUTE FUNCTION bw_audit_outcome();
CREATE TRIGGER audit_outcome_result AFTER INSERT OR UPDATE OR DELETE ON outcome_results
  FOR EACH ROW EXECUTE FUNCTION bw_audit_outcome();

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
