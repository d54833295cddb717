package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
)

// A tenant's app login cannot connect to another tenant's database, with
// its real password; no role of one tenant can; a wrong password is refused.
func TestTenantsCannotReachEachOther(t *testing.T) {
	startManager(t, nil)
	create(t, externalTenant("iso-a"), externalTenant("iso-b"))
	waitTenant(t, "iso-a", metav1.ConditionTrue, 60*time.Second)
	waitTenant(t, "iso-b", metav1.ConditionTrue, 60*time.Second)

	for _, kind := range []string{"app", "system", "owner", "readonly", "backup"} {
		a := secretData(t, "tenant-iso-a", "db-"+kind)
		if err := login("bw_iso_a", a["username"], a["password"]); err != nil {
			t.Fatalf("%s of iso-a cannot reach its own database: %v", kind, err)
		}
		err := login("bw_iso_b", a["username"], a["password"])
		if err == nil || !strings.Contains(err.Error(), `permission denied for database "bw_iso_b"`) {
			t.Errorf("%s of iso-a connecting to bw_iso_b: got %v, want permission denied (no CONNECT)", kind, err)
		}
	}
	a := entryOf(t, "iso-a").Database.App
	if err := login("bw_iso_a", a.User, a.Password+"x"); err == nil || !strings.Contains(err.Error(), "password authentication failed") {
		t.Errorf("wrong password: got %v, want password authentication failed", err)
	}
}

// Roles changed by hand are put back on the next drift check, and an
// Event says what was put back.
func TestRoleDriftIsRepaired(t *testing.T) {
	ctx := context.Background()
	startManager(t, func(o *controllers.Options) { o.Tenant.DriftInterval = time.Second })
	create(t, externalTenant("drift"))
	waitTenant(t, "drift", metav1.ConditionTrue, 60*time.Second)

	su := superuser(t, "postgres")
	for _, sql := range []string{
		"ALTER ROLE bw_drift_app_blue BYPASSRLS",
		"GRANT bw_drift_owner TO bw_drift_app_blue",
		"ALTER ROLE bw_drift_app_green CONNECTION LIMIT 3 CREATEDB",
		"GRANT CONNECT ON DATABASE bw_drift TO PUBLIC",
		"ALTER ROLE bw_drift_readonly SUPERUSER",
		"ALTER ROLE bw_drift_backup PASSWORD 'set-by-hand-somewhere'",
	} {
		mustExec(t, su, sql)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		var bypass, super, createdb bool
		var limit, memberships, publicConnect int
		err := su.QueryRow(ctx, `SELECT
			(SELECT rolbypassrls FROM pg_roles WHERE rolname = 'bw_drift_app_blue'),
			(SELECT rolsuper FROM pg_roles WHERE rolname = 'bw_drift_readonly'),
			(SELECT rolcreatedb FROM pg_roles WHERE rolname = 'bw_drift_app_green'),
			(SELECT rolconnlimit FROM pg_roles WHERE rolname = 'bw_drift_app_green'),
			(SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'bw_drift_app_blue'),
			(SELECT count(*) FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = 'bw_drift' AND a.grantee = 0)`).
			Scan(&bypass, &super, &createdb, &limit, &memberships, &publicConnect)
		if err != nil {
			return false, err.Error()
		}
		ok := !bypass && !super && !createdb && limit == 20 && memberships == 1 && publicConnect == 0
		return ok, fmt.Sprintf("bypass=%v super=%v createdb=%v limit=%d memberships=%d public=%d", bypass, super, createdb, limit, memberships, publicConnect)
	})
	var notes string
	eventually(t, 30*time.Second, func() (bool, string) {
		var list corev1.EventList
		if err := env.Client.List(ctx, &list, client.InNamespace("default")); err != nil {
			return false, err.Error()
		}
		notes = ""
		others := ""
		for _, e := range list.Items {
			if e.InvolvedObject.Name == "drift" && e.Reason == platformv1.ReasonRoleDriftRepaired && e.Type == "Warning" {
				notes += e.Message + "\n"
			} else if e.InvolvedObject.Name == "drift" {
				others += fmt.Sprintf("%s %s (x%d): %s\n", e.Type, e.Reason, e.Count, e.Message)
			}
		}
		notes += "other events:\n" + others
		for _, want := range []string{"bw_drift_app_blue had BYPASSRLS; removed", "bw_drift_app_blue was a member of bw_drift_owner; revoked",
			"bw_drift_app_green had CONNECTION LIMIT 3; set 20", "PUBLIC had CONNECT on database bw_drift; revoked", "bw_drift_readonly had SUPERUSER; removed",
			"the password of role bw_drift_backup did not match Secret db-backup; set again"} {
			if !strings.Contains(notes, want) {
				return false, fmt.Sprintf("no RoleDriftRepaired event says %q; events:\n%s", want, notes)
			}
		}
		return true, ""
	})
	backup := secretData(t, "tenant-drift", "db-backup")
	if err := login("bw_drift", backup["username"], backup["password"]); err != nil {
		t.Errorf("db-backup's password was not put back: %v", err)
	}

	// Privileges given beyond a role's share, and a table given to the app
	// role, are taken back too.
	in := superuser(t, "bw_drift")
	for _, sql := range []string{
		"CREATE TABLE grades (id int)",
		"ALTER TABLE grades OWNER TO bw_drift_app",
		"CREATE TABLE notes (id int)",
		"GRANT INSERT, DELETE ON notes TO bw_drift_readonly",
		"GRANT TRUNCATE ON notes TO PUBLIC",
		"GRANT CREATE ON SCHEMA public TO bw_drift_app",
	} {
		mustExec(t, in, sql)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		var owner string
		var roInsert, appTruncate, appCreate bool
		err := in.QueryRow(ctx, `SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE relname = 'grades'`).Scan(&owner)
		if err == nil {
			err = in.QueryRow(ctx, `SELECT has_table_privilege('bw_drift_readonly', 'notes', 'INSERT'),
				has_table_privilege('bw_drift_app', 'notes', 'TRUNCATE'), has_schema_privilege('bw_drift_app', 'public', 'CREATE')`).
				Scan(&roInsert, &appTruncate, &appCreate)
		}
		if err != nil {
			return false, err.Error()
		}
		return owner == "bw_drift_owner" && !roInsert && !appTruncate && !appCreate,
			fmt.Sprintf("grades owned by %s; readonly INSERT %v, app TRUNCATE %v, app CREATE %v", owner, roInsert, appTruncate, appCreate)
	})
	for _, want := range []string{"the LMS's roles owned 1 objects in database bw_drift", "bw_drift_app could create in schema public",
		"bw_drift_readonly:INSERT"} {
		waitEvent(t, "drift", "Warning", platformv1.ReasonRoleDriftRepaired, want)
	}

	// Still Ready: drift repair does not take the tenant down.
	if tn := getTenant(t, "drift"); tn.Status.Phase != platformv1.PhaseReady {
		t.Errorf("phase %s after drift repair", tn.Status.Phase)
	}
}
