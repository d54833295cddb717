-- Expand: which outcome a rubric's criterion measures may change after the
-- rubric rated grades; a newly linked outcome is one the caller sees.
--
-- bw_protect_used_rubric (00026) refused any change of criteria once a
-- grade had rubric levels, so linking an outcome to a criterion of a used
-- rubric always failed, though the link only decides where the grades'
-- results are recorded (the app re-records them at once). It now compares
-- the criteria with each criterion's outcomeId left out: titles and levels
-- still stay, the outcome may change.
--
-- bw_audit_outcome_link (00024) is SECURITY DEFINER and filed a trail entry
-- under the section of any outcome a criterion was linked to or unlinked
-- from. It now files a rubric's link or unlink only for an outcome the
-- caller's context sees (as the outcomes policy "visible" does), so naming
-- another section's outcome writes nothing in that section's trail; the
-- app refuses such a link anyway (rubrics.Create, rubrics.Update,
-- outcomes.SetCriterionOutcome). Work without a context (system jobs) is
-- filed as before; assignments' links are unchanged.
-- +goose Up

-- A rubric's criteria without the outcome each measures (anything but an
-- array of objects is returned as it is).
-- +goose StatementBegin
CREATE FUNCTION bw_criteria_without_outcomes(criteria jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT CASE WHEN jsonb_typeof(criteria) = 'array' AND NOT jsonb_path_exists(criteria, '$[*] ? (@.type() != "object")')
    THEN (SELECT coalesce(jsonb_agg(c - 'outcomeId' ORDER BY i), '[]'::jsonb)
            FROM jsonb_array_elements(criteria) WITH ORDINALITY AS t(c, i))
    ELSE criteria END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_criteria_without_outcomes(jsonb) FROM PUBLIC;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_protect_used_rubric() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM public.assignments WHERE rubric_id = OLD.id) THEN
      RAISE EXCEPTION 'rubric % is used by assignments', OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.criteria IS DISTINCT FROM OLD.criteria
     AND public.bw_criteria_without_outcomes(NEW.criteria) IS DISTINCT FROM public.bw_criteria_without_outcomes(OLD.criteria)
     AND EXISTS (SELECT 1 FROM public.grades g JOIN public.assignments a ON a.id = g.assignment_id
       WHERE a.rubric_id = OLD.id AND g.rubric_levels <> '{}'::jsonb) THEN
    RAISE EXCEPTION 'rubric % has rated grades', OLD.id USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd


-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_audit_outcome_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  ctx public.bw_context_value := public.bw_context_row();
  reason text := left(coalesce(current_setting('bw.grade_reason', true), ''), 500);
  old_c jsonb := '[]';
  r record;
BEGIN
  IF TG_TABLE_NAME = 'assignments' THEN
    FOR r IN
      SELECT o.id, o.section_id, ch.attached
        FROM (SELECT x AS id, true AS attached FROM unnest(NEW.outcome_ids) x
               WHERE TG_OP = 'INSERT' OR NOT (x = ANY (OLD.outcome_ids))
              UNION ALL
              SELECT x, false FROM unnest(OLD.outcome_ids) x
               WHERE TG_OP = 'UPDATE' AND NOT (x = ANY (NEW.outcome_ids))) ch
        JOIN public.outcomes o ON o.id = ch.id
    LOOP
      INSERT INTO public.outcome_audit (kind, outcome_id, section_id, school_id, assignment_id, actor_id, actor_role, old, new, reason)
        VALUES ('link', r.id, coalesce(r.section_id, NEW.section_ids[1]), NEW.school_id, NEW.id, ctx.user_id,
                coalesce(ctx.role, 'system'),
                CASE WHEN NOT r.attached THEN jsonb_build_object('assignmentId', NEW.id, 'assignment', NEW.title) END,
                CASE WHEN r.attached THEN jsonb_build_object('assignmentId', NEW.id, 'assignment', NEW.title) END,
                reason);
    END LOOP;
  ELSE
    IF TG_OP = 'UPDATE' THEN
      old_c := OLD.criteria;
    END IF;
    FOR r IN
      WITH idx AS (SELECT generate_series(0, greatest(jsonb_array_length(old_c), jsonb_array_length(NEW.criteria)) - 1) AS i),
      pairs AS (
        SELECT i, old_c->i->>'outcomeId' AS before, NEW.criteria->i->>'outcomeId' AS after,
               coalesce(NEW.criteria->i->>'title', old_c->i->>'title', '') AS title
          FROM idx)
      SELECT o.id, o.section_id, p.i, p.title, coalesce(o.id::text = p.after, false) AS attached
        FROM pairs p JOIN public.outcomes o ON o.id::text IN (p.before, p.after)
       WHERE p.before IS DISTINCT FROM p.after
         AND (ctx.role IS NULL OR ctx.role IN ('system', 'district_admin')
              OR (o.section_id IS NULL)
              OR (ctx.role = 'school_admin' AND o.school_id = ctx.school_id)
              OR o.section_id = ANY (ctx.sections))
    LOOP
      INSERT INTO public.outcome_audit (kind, outcome_id, section_id, school_id, actor_id, actor_role, old, new, reason)
        VALUES ('link', r.id, r.section_id, NEW.school_id, ctx.user_id, coalesce(ctx.role, 'system'),
                CASE WHEN NOT r.attached THEN jsonb_build_object('rubricId', NEW.id, 'rubric', NEW.title, 'criterion', r.i, 'criterionTitle', r.title) END,
                CASE WHEN r.attached THEN jsonb_build_object('rubricId', NEW.id, 'rubric', NEW.title, 'criterion', r.i, 'criterionTitle', r.title) END,
                reason);
    END LOOP;
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
