-- Expand: deleting course work without losing what was saved, and hiding an
-- assignment's files from students and guardians until it opens.
--
-- * assignments.deleted_at / deleted_by: an assignment that has submissions
--   or grades is never removed; deleting it sets deleted_at, and every app
--   role stops seeing it (so it leaves pages, the gradebook, grades, the
--   API and every policy that reads assignments: nobody grades, submits to,
--   or downloads the files of deleted work). Its submissions, grades and
--   grade_audit rows stay as they were; the backup role (BYPASSRLS) and the
--   schema owner still read it.
-- * bw_delete_assignment(id): removes an assignment without submissions or
--   grades, or marks one with them deleted. It runs as the owner (the app
--   role's own UPDATE could not hide a row from itself) and checks the
--   verified context itself: a district admin, or a teacher of every
--   section the assignment is posted to (as the teacher_delete policy).
-- * bw_delete_group(id, move_to): moves a group's assignments (deleted ones
--   too, which no teacher sees) and its never-drop marks to another group
--   of the same section, then deletes the group; without move_to it deletes
--   only a group with no live work (deleted work is ungrouped). A trigger
--   refuses deleting a group that still has assignments any other way.
-- * announcements: the section's teachers (not only the author) edit and
--   delete them; edited_at / edited_by say who changed one last, and a
--   trigger keeps the author, section and posting time as they were.
-- * bw_rubric_use(id): how many assignments (deleted ones too, in any
--   section) use a rubric, and how many grades rated with it; triggers
--   refuse deleting a used rubric and changing the criteria of one that
--   rated a grade, so a grade's rubric levels keep their meaning.
-- * assignment_attachments: students and guardians see an assignment's
--   files only once it has opened (unlock_at passed), so GET /files/{id}
--   answers 404 before; teachers and admins always see them.

-- +goose Up

ALTER TABLE assignments
  ADD COLUMN deleted_at timestamptz,
  ADD COLUMN deleted_by uuid REFERENCES users;

DROP POLICY visible ON assignments;
CREATE POLICY visible ON assignments FOR SELECT USING ((SELECT bw_is_migrator())
  OR (deleted_at IS NULL AND ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'teacher' AND section_ids && (SELECT bw_sections())::uuid[])
  OR ((SELECT bw_role()) IN ('student', 'guardian') AND published AND section_ids && (SELECT bw_sections())::uuid[]))));

DROP POLICY visible ON assignment_attachments;
CREATE POLICY visible ON assignment_attachments FOR SELECT USING ((SELECT bw_is_admin())
  OR assignment_id IN (SELECT a.id FROM assignments a
    WHERE coalesce((SELECT bw_role()), '') NOT IN ('student', 'guardian') OR a.unlock_at IS NULL OR a.unlock_at <= now()));

-- +goose StatementBegin
CREATE FUNCTION bw_delete_assignment(target uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  ctx public.bw_context_value := public.bw_context_row();
  a record;
BEGIN
  -- The row lock makes a concurrent submission or grade wait, so none
  -- slips in between the check and the delete.
  SELECT id, section_ids INTO a FROM public.assignments WHERE id = target AND deleted_at IS NULL FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF NOT (ctx.role = 'district_admin' OR (ctx.role = 'teacher' AND a.section_ids <@ coalesce(ctx.sections, '{}'))) THEN
    RAISE EXCEPTION 'not allowed to delete assignment %', target USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF EXISTS (SELECT 1 FROM public.submissions WHERE assignment_id = target)
     OR EXISTS (SELECT 1 FROM public.grades WHERE assignment_id = target) THEN
    UPDATE public.assignments SET deleted_at = now(), deleted_by = ctx.user_id, updated_at = now() WHERE id = target;
    RETURN 'archived';
  END IF;
  DELETE FROM public.assignments WHERE id = target;
  RETURN 'deleted';
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION bw_refuse_used_group() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  -- A section's deletion cascades to its groups (trigger depth 2): that
  -- one ungroups its work as before.
  IF pg_trigger_depth() = 1 AND EXISTS (SELECT 1 FROM public.assignments WHERE group_id = OLD.id) THEN
    RAISE EXCEPTION 'assignment group % still has assignments', OLD.id USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN OLD;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_refuse_used_group() FROM PUBLIC;
CREATE TRIGGER refuse_used_group BEFORE DELETE ON assignment_groups FOR EACH ROW EXECUTE FUNCTION bw_refuse_used_group();

-- +goose StatementBegin
CREATE FUNCTION bw_delete_group(target uuid, move_to uuid) RETURNS boolean
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

-- Counts for a rubric of the caller's school (a district admin: any).
-- +goose StatementBegin
CREATE FUNCTION bw_rubric_use(target uuid, OUT assignments integer, OUT graded integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  ctx public.bw_context_value := public.bw_context_row();
BEGIN
  assignments := 0;
  graded := 0;
  IF NOT EXISTS (SELECT 1 FROM public.rubrics r WHERE r.id = target
                 AND (ctx.role = 'district_admin' OR (ctx.role IS NOT NULL AND r.school_id = ctx.school_id))) THEN
    RETURN;
  END IF;
  SELECT count(*) INTO assignments FROM public.assignments a WHERE a.rubric_id = target;
  SELECT count(*) INTO graded FROM public.grades g JOIN public.assignments a ON a.id = g.assignment_id
   WHERE a.rubric_id = target AND g.rubric_levels <> '{}'::jsonb;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION bw_protect_used_rubric() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM public.assignments WHERE rubric_id = OLD.id) THEN
      RAISE EXCEPTION 'rubric % is used by assignments', OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.criteria IS DISTINCT FROM OLD.criteria AND EXISTS (SELECT 1 FROM public.grades g JOIN public.assignments a ON a.id = g.assignment_id
       WHERE a.rubric_id = OLD.id AND g.rubric_levels <> '{}'::jsonb) THEN
    RAISE EXCEPTION 'rubric % has rated grades', OLD.id USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_protect_used_rubric() FROM PUBLIC;
CREATE TRIGGER protect_used_rubric BEFORE UPDATE OR DELETE ON rubrics FOR EACH ROW EXECUTE FUNCTION bw_protect_used_rubric();

ALTER TABLE announcements
  ADD COLUMN edited_at timestamptz,
  ADD COLUMN edited_by uuid REFERENCES users;

DROP POLICY teacher_write ON announcements;
CREATE POLICY teacher_insert ON announcements FOR INSERT WITH CHECK ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])
    AND author_id = (SELECT bw_user_id()) AND school_id = (SELECT bw_school_id())));
CREATE POLICY teacher_update ON announcements FOR UPDATE
  USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])))
  WITH CHECK ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])
    AND edited_by = (SELECT bw_user_id()) AND school_id = (SELECT bw_school_id())));
CREATE POLICY teacher_delete ON announcements FOR DELETE
  USING ((SELECT bw_is_admin()) OR ((SELECT bw_role()) = 'teacher' AND section_id = ANY ((SELECT bw_sections())::uuid[])));

-- +goose StatementBegin
CREATE FUNCTION bw_keep_announcement_origin() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.author_id := OLD.author_id;
  NEW.section_id := OLD.section_id;
  NEW.school_id := OLD.school_id;
  NEW.posted_at := OLD.posted_at;
  RETURN NEW;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION bw_keep_announcement_origin() FROM PUBLIC;
CREATE TRIGGER keep_announcement_origin BEFORE UPDATE ON announcements FOR EACH ROW EXECUTE FUNCTION bw_keep_announcement_origin();

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
