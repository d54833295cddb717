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

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
