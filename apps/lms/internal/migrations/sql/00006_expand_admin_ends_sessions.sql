-- Expand: an admin's change to a person and what must go with it happen in
-- one transaction, as that admin: deactivating someone ends their sessions,
-- and a reset link an admin sends is stored, in the admin's own
-- transaction, or neither happens. Until now both ran as a second,
-- system transaction inside the admin's, so a failure between them left a
-- deactivated user signed in, or a reset logged that never existed.
--
-- bw_manages(user) is who an admin may change: district admins anyone, a
-- school admin the people of their school who are not shared with the
-- district or another school (bw_foreign(), as for users and memberships).
-- Admins may read and end the sessions of people they manage (DELETE ...
-- WHERE needs the rows visible) and issue them password resets; reading
-- and consuming resets, and everything else on these tables, stays system
-- work. Numbered after 00004/00005 so it follows the verified-context
-- migration (which replaces every policy) on new databases.

-- +goose Up
CREATE FUNCTION bw_manages(target uuid) RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, public
  AS $$ SELECT coalesce(bw_role() = 'district_admin'
         OR (bw_role() = 'school_admin'
             AND target IN (SELECT user_id FROM memberships WHERE school_id = bw_school_id())
             AND NOT target = ANY (bw_foreign())), false) $$;

CREATE POLICY admin_read ON sessions FOR SELECT USING (bw_manages(user_id));
CREATE POLICY admin_end ON sessions FOR DELETE USING (bw_manages(user_id));
CREATE POLICY admin_issue ON password_resets FOR INSERT WITH CHECK (bw_manages(user_id));

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
