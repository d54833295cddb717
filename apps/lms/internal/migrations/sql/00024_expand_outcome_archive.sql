-- Expand: outcomes are archived, never lost. An archived outcome
-- (archived_at set) is no longer offered for new attachments, but keeps
-- its attachments, its recorded results and its trail; restoring it clears
-- archived_at. Deleting an outcome that has recorded results directly is
-- refused (a section's deletion still cascades). The trail (outcome_audit)
-- now also records archiving, and attaching or detaching an outcome to an
-- assignment or a rubric criterion (kind 'link'), with who, when, old, new
-- and the reason, through triggers running as the schema owner: the app
-- role still cannot write the trail.

-- +goose Up
ALTER TABLE outcomes ADD COLUMN archived_at timestamptz;

ALTER TABLE outcome_audit DROP CONSTRAINT outcome_audit_kind_check;
ALTER TABLE outcome_audit ADD CONSTRAINT outcome_audit_kind_check CHECK (kind IN ('outcome', 'result', 'link')) NOT VALID;
ALTER TABLE outcome_audit VALIDATE CONSTRAINT outcome_audit_kind_check;

-- As in 00021, with archived_at among the fields a change is recorded for.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_audit_outcome() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  ctx public.bw_context_value := public.bw_context_row();
  fields text[];
  old_v jsonb;
  new_v jsonb;
  r record;
BEGIN
  IF TG_TABLE_NAME = 'outcomes' THEN
    fields := ARRAY['title', 'description', 'scale', 'points_possible', 'mastery_points', 'method', 'calculation_int', 'archived_at'];
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

-- Attaching and detaching: one 'link' entry per outcome whose attachment
-- changed. new (attached) or old (detached) names what it is attached to:
-- {"assignmentId", "assignment"} or {"rubricId", "rubric", "criterion",
-- "criterionTitle"}. The entry's section is the outcome's own (a course
-- outcome) or, for a district outcome on an assignment, the assignment's
-- first section, so that section's teachers read it; its school is the
-- assignment's or the rubric's.
-- +goose StatementBegin
CREATE FUNCTION bw_audit_outcome_link() RETURNS trigger
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
REVOKE ALL ON FUNCTION bw_audit_outcome_link() FROM PUBLIC;
CREATE TRIGGER audit_outcome_link AFTER INSERT OR UPDATE OF outcome_ids ON assignments
  FOR EACH ROW EXECUTE FUNCTION bw_audit_outcome_link();
CREATE TRIGGER audit_outcome_link AFTER INSERT OR UPDATE OF criteria ON rubrics
  FOR EACH ROW EXECUTE FUNCTION bw_audit_outcome_link();

-- Nothing saved may be lost: an outcome with recorded results is archived,
-- not deleted. Only a direct DELETE is refused (trigger depth 1); deleting
-- its section still removes it with everything else of the section.
-- +goose StatementBegin
CREATE FUNCTION bw_keep_assessed_outcome() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF pg_trigger_depth() = 1 AND EXISTS (SELECT 1 FROM public.outcome_results WHERE outcome_id = OLD.id) THEN
    RAISE EXCEPTION 'outcome % has recorded results: archive it instead of deleting it', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN OLD;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_keep_assessed_outcome() FROM PUBLIC;
CREATE TRIGGER keep_assessed_outcome BEFORE DELETE ON outcomes
  FOR EACH ROW EXECUTE FUNCTION bw_keep_assessed_outcome();

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
