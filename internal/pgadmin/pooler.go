package pgadmin

import (
	"context"
	"fmt"
)

// PoolerRole is the role CloudNativePG's PgBouncer authenticates as to run
// its auth query.
const PoolerRole = "cnpg_pooler_pgbouncer"

// PoolerFunctionState is PgBouncer's lookup function, public.user_search.
type PoolerFunctionState struct {
	// RoleExists is true when PoolerRole exists.
	RoleExists bool
	// Exists is true when public.user_search(text) exists.
	Exists bool
	// Sound is true when it is SECURITY DEFINER, owned by a superuser, with
	// search_path pinned and the expected body.
	Sound bool
	// PoolerCanExecute and PublicCanExecute are its EXECUTE grants.
	PoolerCanExecute bool
	PublicCanExecute bool
}

// userSearchBody is the query CloudNativePG's PgBouncer integration expects
// behind "SELECT usename, passwd FROM public.user_search($1)".
const userSearchBody = "SELECT usename, passwd FROM pg_catalog.pg_shadow WHERE usename=$1;"

// InspectPoolerFunction reads public.user_search(text) in the connected database.
func InspectPoolerFunction(ctx context.Context, s Session) (PoolerFunctionState, error) {
	var st PoolerFunctionState
	err := s.QueryRow(ctx, `
WITH f AS (SELECT p.* FROM pg_proc p WHERE p.oid = to_regprocedure('public.user_search(text)'))
SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1),
       EXISTS (SELECT 1 FROM f),
       coalesce((SELECT f.prosecdef AND r.rolsuper AND f.prosrc = $2
                        AND 'search_path=pg_catalog, pg_temp' = ANY(coalesce(f.proconfig, '{}'))
                 FROM f JOIN pg_roles r ON r.oid = f.proowner), false),
       coalesce((SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)
                        AND has_function_privilege($1, f.oid, 'EXECUTE') FROM f), false),
       coalesce((SELECT EXISTS (SELECT 1 FROM aclexplode(coalesce(f.proacl, acldefault('f', f.proowner))) a
                                WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE') FROM f), false)`,
		PoolerRole, userSearchBody).Scan(&st.RoleExists, &st.Exists, &st.Sound, &st.PoolerCanExecute, &st.PublicCanExecute)
	if err != nil {
		return st, fmt.Errorf("read public.user_search: %w", err)
	}
	return st, nil
}

// PlanPoolerRole creates PoolerRole as CloudNativePG does when a Pooler
// exists, so the grants below can name it before CloudNativePG gets there.
// It is a cluster-wide role and belongs to no tenant.
func PlanPoolerRole(st PoolerFunctionState) []Change {
	if st.RoleExists {
		return nil
	}
	return []Change{{
		SQL:  fmt.Sprintf("CREATE ROLE %s WITH LOGIN", ident(PoolerRole)),
		What: fmt.Sprintf("Created role %s for PgBouncer's auth query", PoolerRole),
	}}
}

// PlanPoolerFunction ensures the tenant database holds PgBouncer's lookup
// function: SECURITY DEFINER over pg_shadow with search_path pinned, EXECUTE
// for PoolerRole only. It runs in the tenant database as a superuser.
func PlanPoolerFunction(n Names, st PoolerFunctionState) []Change {
	var out []Change
	drift := ""
	if st.Exists && !st.Sound {
		drift = fmt.Sprintf("public.user_search in database %s had been changed; recreated", n.Database)
	}
	if !st.Exists || !st.Sound {
		out = append(out, Change{
			SQL: `CREATE OR REPLACE FUNCTION public.user_search(uname text)
  RETURNS TABLE (usename name, passwd text)
  LANGUAGE sql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS ` + quoteLiteral(userSearchBody),
			What:  fmt.Sprintf("Created PgBouncer's lookup function in database %s", n.Database),
			Drift: drift,
		})
	}
	if !st.Exists || !st.Sound || st.PublicCanExecute || !st.PoolerCanExecute {
		out = append(out,
			Change{SQL: "REVOKE ALL ON FUNCTION public.user_search(text) FROM PUBLIC",
				What: fmt.Sprintf("Revoked EXECUTE on public.user_search from PUBLIC in database %s", n.Database)},
			Change{SQL: fmt.Sprintf("GRANT EXECUTE ON FUNCTION public.user_search(text) TO %s", ident(PoolerRole)),
				What: fmt.Sprintf("Granted EXECUTE on public.user_search to %s in database %s", PoolerRole, n.Database)},
		)
		if st.Exists && st.Sound && st.PublicCanExecute {
			out[len(out)-2].Drift = fmt.Sprintf("PUBLIC could execute public.user_search in database %s; revoked", n.Database)
		}
	}
	return out
}
