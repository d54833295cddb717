-- Expand: an assignment's group and rubric belong with the assignment.
--
-- Foreign keys ignore row-level security, so until now a teacher who knew
-- the id of another section's group (or another school's rubric) could
-- file their assignment there: the other section's teacher then saw an
-- empty group that refused deletion, and bw_delete_group (owner rights)
-- moved the foreign work into another of their groups.
--
-- * check_assignment_refs: an assignment's group must be a group of one of
--   the sections it is posted to, and its rubric a rubric of its school.
--   Rubrics are school-wide (any teacher of the school reuses them, which
--   is exactly who sees them under the rubrics policy, and a teacher only
--   writes assignments of their own school), so "same school as the
--   assignment" is "a rubric the writer may see". The trigger runs on
--   writes only and checks a reference only when it, or what it is checked
--   against, changes: rows written before keep working as they were. It
--   raises check_violation (23514) naming the constraint
--   assignment_group_section or assignment_rubric_school, which the LMS
--   turns into a message on the group or rubric field.
-- * bw_delete_group ungroups such work of other sections instead of moving
--   it into another of the group's section's groups.
-- * bw_rubric_use answers only teachers and admins: students and guardians
--   get zeros (they never manage rubrics).

-- +goose Up

-- +goose StatementBegin
CREATE FUNCTION bw_check_assignment_refs() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NEW.group_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.group_id IS DISTINCT FROM OLD.group_id
                                   OR NEW.section_ids IS DISTINCT FROM OLD.section_ids)
     AND NOT EXISTS (SELECT 1 FROM public.assignment_groups g WHERE g.id = NEW.group_id AND g.section_id = ANY (NEW.section_ids)) THEN
    RAISE EXCEPTION 'assignment group % is not a group of the assignment''s sections', NEW.group_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'assignment_group_section';
  END IF;
  IF NEW.rubric_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.rubric_id IS DISTINCT FROM OLD.rubric_id
                                    OR NEW.school_id IS DISTINCT FROM OLD.school_id)
     AND NOT EXISTS (SELECT 1 FROM public.rubrics r WHERE r.id = NEW.rubric_id AND r.school_id = NEW.school_id) THEN
    RAISE EXCEPTION 'rubric % is not a rubric of the assignment''s school', NEW.rubric_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'assignment_rubric_school';
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_check_assignment_refs() FROM PUBLIC;
CREATE TRIGGER check_assignment_refs BEFORE INSERT OR UPDATE OF group_id, section_ids, rubric_id, school_id ON assignments
  FOR EACH ROW EXECUTE FUNCTION bw_check_assignment_refs();

-- As in 00026, for teachers and admins only.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_rubric_use(target uuid, OUT assignments integer, OUT graded integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  ctx public.bw_context_value := public.bw_context_row();
BEGIN
  assignments := 0;
  graded := 0;
  IF NOT EXISTS (SELECT 1 FROM public.rubrics r WHERE r.id = target
                 AND (ctx.role = 'district_admin'
                      OR (ctx.role IN ('teacher', 'school_admin') AND r.school_id = ctx.school_id))) THEN
    RETURN;
  END IF;
  SELECT count(*) INTO assignments FROM public.assignments a WHERE a.rubric_id = target;
  SELECT count(*) INTO graded FROM public.grades g JOIN public.assignments a ON a.id = g.assignment_id
   WHERE a.rubric_id = target AND g.rubric_levels <> '{}'::jsonb;
END $$;
-- +goose StatementEnd

-- As in 00026, but work of other sections in the group is ungrouped,
-- not moved (the check above would refuse moving it anyway).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bw_delete_group(target uuid, move_to uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  ctx public.bw_context_value := public.bw_context_row();
  g record;
  dest record;
BEGIN
  SELECT id, section_id, never_drop INTO g FROM public.assignment_groups WHERE id = target FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF NOT (ctx.role = 'district_admin' OR (ctx.role = 'teacher' AND g.section_id = ANY (coalesce(ctx.sections, '{}')))) THEN
    RAISE EXCEPTION 'not allowed to delete assignment group %', target USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- Work another section filed here before 00029 is not this section's
  -- to move: it leaves the group (its own teacher never saw it there).
  UPDATE public.assignments SET group_id = NULL, updated_at = now()
   WHERE group_id = target AND NOT (g.section_id = ANY (section_ids));
  IF move_to IS NULL THEN
    IF EXISTS (SELECT 1 FROM public.assignments WHERE group_id = target AND deleted_at IS NULL) THEN
      RAISE EXCEPTION 'assignment group % still has assignments', target USING ERRCODE = 'restrict_violation';
    END IF;
    -- Deleted work nobody sees any more leaves the group with it.
    UPDATE public.assignments SET group_id = NULL WHERE group_id = target;
  ELSE
    SELECT id, section_id INTO dest FROM public.assignment_groups WHERE id = move_to AND id <> target FOR UPDATE;
    IF NOT FOUND OR dest.section_id <> g.section_id THEN
      RAISE EXCEPTION 'assignment group % is not another group of the same section', move_to USING ERRCODE = 'foreign_key_violation';
    END IF;
    UPDATE public.assignments SET group_id = move_to, updated_at = now() WHERE group_id = target;
    UPDATE public.assignment_groups SET never_drop = ARRAY(SELECT DISTINCT x FROM unnest(never_drop || g.never_drop) AS x)
     WHERE id = move_to;
  END IF;
  DELETE FROM public.assignment_groups WHERE id = target;
  RETURN true;
END $$;
-- +goose StatementEnd

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
