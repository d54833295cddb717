-- Expand: linking a guardian to a student by pairing code (issue 14,
-- "Guardian portal"). A student (for themselves) or an admin (for a student
-- of their school) creates a code; a guardian redeems it and is linked.
--
-- A code is "LOOKUP-SECRET": the lookup finds the row, only the SHA-256 of
-- the secret is stored. It expires, is single use, and is burned after
-- five wrong secrets; a guardian may try at most ten times an hour.
-- Row-level security is ENABLED and FORCED on both tables:
--
-- * students read, create and delete their own codes; school admins those
--   of their school's students; district admins and system work all of them;
-- * teachers and guardians read no code at all: a guardian redeems only
--   through bw_redeem_pairing_code(), which runs as the schema owner, reads
--   the guardian from the verified context, throttles, links and audits in
--   one step, and records failed attempts even though it returns normally;
-- * guardians read their own attempts; admins read every attempt; nobody
--   but the owner (that function) writes attempts, updates codes or links.

-- +goose Up

CREATE TABLE guardian_pairing_codes (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  lookup          text NOT NULL UNIQUE CHECK (lookup ~ '^[A-Z2-9]{4}$'),
  secret_sha256   bytea NOT NULL CHECK (length(secret_sha256) = 32),
  student_id      uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  school_id       uuid NOT NULL REFERENCES schools,
  created_by      uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  failed_attempts integer NOT NULL DEFAULT 0,
  used_at         timestamptz,
  used_by         uuid REFERENCES users ON DELETE SET NULL,
  CHECK (expires_at > created_at AND expires_at <= created_at + interval '30 days')
);
CREATE INDEX guardian_pairing_codes_student ON guardian_pairing_codes (student_id, created_at DESC);

CREATE TABLE guardian_pairing_attempts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  guardian_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  code_id     uuid REFERENCES guardian_pairing_codes ON DELETE SET NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  outcome     text NOT NULL CHECK (outcome IN ('linked', 'wrong', 'expired', 'used', 'burned', 'throttled'))
);
CREATE INDEX guardian_pairing_attempts_guardian ON guardian_pairing_attempts (guardian_id, at);

ALTER TABLE guardian_pairing_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE guardian_pairing_codes FORCE ROW LEVEL SECURITY;
ALTER TABLE guardian_pairing_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE guardian_pairing_attempts FORCE ROW LEVEL SECURITY;

CREATE POLICY visible ON guardian_pairing_codes FOR SELECT USING ((SELECT bw_is_admin()) OR (SELECT bw_is_migrator())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'student' AND student_id = (SELECT bw_user_id())));
CREATE POLICY create_code ON guardian_pairing_codes FOR INSERT WITH CHECK ((SELECT bw_is_system()) OR (
  created_by = (SELECT bw_user_id()) AND used_at IS NULL AND failed_attempts = 0 AND (
    ((SELECT bw_role()) = 'student' AND student_id = (SELECT bw_user_id()) AND school_id = (SELECT bw_school_id()))
    OR (SELECT bw_role()) = 'district_admin'
    OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id())
        AND student_id IN (SELECT user_id FROM memberships WHERE school_id = guardian_pairing_codes.school_id AND role = 'student')))));
-- Revoking a code: its student, their school's admins, district admins.
CREATE POLICY revoke_code ON guardian_pairing_codes FOR DELETE USING ((SELECT bw_is_admin())
  OR ((SELECT bw_role()) = 'school_admin' AND school_id = (SELECT bw_school_id()))
  OR ((SELECT bw_role()) = 'student' AND student_id = (SELECT bw_user_id())));
CREATE POLICY owner_update ON guardian_pairing_codes FOR UPDATE USING ((SELECT bw_is_migrator()));

CREATE POLICY visible ON guardian_pairing_attempts FOR SELECT USING ((SELECT bw_is_admin()) OR (SELECT bw_is_migrator())
  OR guardian_id = (SELECT bw_user_id()));
CREATE POLICY owner_append ON guardian_pairing_attempts FOR INSERT WITH CHECK ((SELECT bw_is_migrator()));

-- The link itself is written by the owner on the guardian's behalf.
CREATE POLICY owner_link ON guardian_links FOR INSERT WITH CHECK ((SELECT bw_is_migrator()));

-- bw_redeem_pairing_code links the acting guardian to the code's student
-- and says what happened: 'linked', 'wrong' (no such code or wrong secret),
-- 'expired', 'used', 'burned' (too many wrong secrets) or 'throttled' (too
-- many attempts by this guardian in the last hour). Every call is recorded.
-- +goose StatementBegin
CREATE FUNCTION bw_redeem_pairing_code(code_lookup text, secret bytea, request_id text)
RETURNS TABLE (outcome text, student_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  ctx public.bw_context_value := public.bw_context_row();
  c public.guardian_pairing_codes;
  result text;
BEGIN
  IF ctx.role IS DISTINCT FROM 'guardian' OR ctx.user_id IS NULL THEN
    RAISE EXCEPTION 'only a signed-in guardian redeems a pairing code' USING ERRCODE = '42501';
  END IF;
  IF (SELECT count(*) FROM public.guardian_pairing_attempts a WHERE a.guardian_id = ctx.user_id
        AND a.at > now() - interval '1 hour' AND a.outcome <> 'linked') >= 10 THEN
    result := 'throttled';
  ELSE
    SELECT * INTO c FROM public.guardian_pairing_codes g WHERE g.lookup = upper(code_lookup) FOR UPDATE;
    IF NOT FOUND THEN
      result := 'wrong';
    ELSIF c.used_at IS NOT NULL THEN
      result := 'used';
    ELSIF c.failed_attempts >= 5 THEN
      result := 'burned';
    ELSIF c.secret_sha256 <> sha256(secret) THEN
      result := 'wrong';
      UPDATE public.guardian_pairing_codes SET failed_attempts = failed_attempts + 1 WHERE id = c.id;
    ELSIF c.expires_at <= now() THEN
      result := 'expired';
    ELSE
      result := 'linked';
      UPDATE public.guardian_pairing_codes SET used_at = now(), used_by = ctx.user_id WHERE id = c.id;
      INSERT INTO public.guardian_links (guardian_id, student_id) VALUES (ctx.user_id, c.student_id) ON CONFLICT DO NOTHING;
      INSERT INTO public.audit_log (actor_id, actor_role, school_id, action, target, detail, request_id)
        VALUES (ctx.user_id, 'guardian', c.school_id, 'guardian.link', c.student_id::text,
                jsonb_build_object('via', 'pairing_code', 'code', c.id), request_id);
    END IF;
  END IF;
  INSERT INTO public.guardian_pairing_attempts (guardian_id, code_id, outcome) VALUES (ctx.user_id, c.id, result);
  RETURN QUERY SELECT result, CASE WHEN result = 'linked' THEN c.student_id END;
END $$;
-- +goose StatementEnd

-- +goose Down
SELECT 'expand migrations are not reverted: restore from a backup instead';
