-- Expand: a signed-in request reads its session in its own transaction.
--
-- Until now a page ran two transactions: one on the system login to read
-- the session (sessions is system work only), the user, their memberships
-- and the branding school; then the user's, which called
-- bw_session_begin(token) and looked the same session up again. So a page
-- paid two BEGIN/COMMIT pairs and two session lookups (issue 16,
-- docs/performance.md).
--
-- bw_session_open(token) is bw_session_begin(token) that also returns the
-- session's row: the same lookup, the same checks in bw_establish (a live
-- session, an active user holding the session's role), the same context.
-- The row goes only to the holder of the token, who could act as that
-- session anyway; the database keeps only the token's hash, so reading
-- hashes elsewhere gives nothing to pass here. The user, memberships and
-- school reads then run as that user, under the usual policies (a user
-- sees their own row and memberships, every school).
--
-- Nothing about who may establish a context changes; bw_session_begin stays
-- for every other transaction and for the release before.

-- +goose Up

-- +goose StatementBegin
CREATE FUNCTION bw_session_open(token text)
RETURNS TABLE (id_sha256 text, user_id uuid, role text, school_id uuid, csrf_token text, created_at timestamptz,
               last_seen_at timestamptz, idle_expires_at timestamptz, absolute_expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  s public.sessions%ROWTYPE;
BEGIN
  SELECT * INTO s FROM public.sessions x
    WHERE x.id_sha256 = encode(sha256(convert_to(coalesce(token, ''), 'UTF8')), 'hex')
      AND x.idle_expires_at > now() AND x.absolute_expires_at > now();
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no live session' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM public.bw_establish(s.user_id, s.role, s.school_id);
  id_sha256 := s.id_sha256; user_id := s.user_id; role := s.role; school_id := s.school_id;
  csrf_token := s.csrf_token; created_at := s.created_at; last_seen_at := s.last_seen_at;
  idle_expires_at := s.idle_expires_at; absolute_expires_at := s.absolute_expires_at;
  RETURN NEXT;
END $$;
-- +goose StatementEnd

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
