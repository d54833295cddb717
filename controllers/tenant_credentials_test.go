package controllers_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
)

// Rotating switches the directory to the other app login with a working
// password; the old login keeps working through the grace period and is
// refused after it. Owner, readonly and backup get new passwords in place.
func TestRotationNeverLeavesTheLMSWithoutALogin(t *testing.T) {
	ctx := context.Background()
	startManager(t, nil) // RotationGrace is 3s in tests
	create(t, externalTenant("rot"))
	waitTenant(t, "rot", metav1.ConditionTrue, 60*time.Second)
	old := entryOf(t, "rot").Database.App
	oldOwner := secretData(t, "tenant-rot", "db-owner")
	if old.User != "bw_rot_app_blue" {
		t.Fatalf("app login %s, want blue first", old.User)
	}

	tn := getTenant(t, "rot")
	patch := client.MergeFrom(tn.DeepCopy())
	tn.Spec.Database.Credentials.RotationRequest = "2026-11-25"
	if err := env.Client.Patch(ctx, tn, patch); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, func() (bool, string) {
		e := entryOf(t, "rot")
		return e != nil && e.Database.App.User == "bw_rot_app_green", "directory still on blue"
	})
	current := entryOf(t, "rot").Database.App
	if err := login("bw_rot", current.User, current.Password); err != nil {
		t.Fatalf("new app login does not work: %v", err)
	}
	app := secretData(t, "tenant-rot", "db-app")
	if app["username"] != current.User || app["password"] != current.Password {
		t.Errorf("db-app holds %s, the directory %s", app["username"], current.User)
	}
	var st *platformv1.CredentialsStatus
	eventually(t, 10*time.Second, func() (bool, string) {
		st = getTenant(t, "rot").Status.Credentials
		return st != nil && st.ActiveAppLogin == "bw_rot_app_green" && st.RetiringAppLogin == "bw_rot_app_blue" && st.RetireAfter != nil,
			fmt.Sprintf("status.credentials = %+v", st)
	})
	// During the grace period the old login still works (checked only
	// while the grace period visibly lasts, so a slow machine cannot fail it).
	err := login("bw_rot", old.User, old.Password)
	if time.Now().Before(st.RetireAfter.Add(-time.Second)) && err != nil {
		t.Errorf("old login refused during the grace period: %v", err)
	}

	var final *platformv1.Tenant
	eventually(t, 30*time.Second, func() (bool, string) {
		final = getTenant(t, "rot")
		c := final.Status.Credentials
		return c != nil && c.RetiringAppLogin == "" && c.ObservedRotationRequest == "2026-11-25", "old login not retired yet"
	})
	if err := login("bw_rot", old.User, old.Password); err == nil {
		t.Error("old app login still accepted after the grace period")
	}
	if err := login("bw_rot", current.User, current.Password); err != nil {
		t.Errorf("new app login stopped working: %v", err)
	}
	owner := secretData(t, "tenant-rot", "db-owner")
	if owner["password"] == oldOwner["password"] {
		t.Error("owner password not rotated")
	}
	if err := login("bw_rot", owner["username"], owner["password"]); err != nil {
		t.Errorf("rotated owner password does not work: %v", err)
	}
	if err := login("bw_rot", oldOwner["username"], oldOwner["password"]); err == nil {
		t.Error("old owner password still works")
	}
	if final.Status.Credentials.ActiveAppLogin != "bw_rot_app_green" {
		t.Errorf("active app login %s", final.Status.Credentials.ActiveAppLogin)
	}
}

// The LMS's system login (the only login its row-level security treats as
// system work) is created, published in the directory, never BYPASSRLS,
// a member of the app group only, and, like every tenant role but the
// owner, may not create temporary tables; its password rotates in place.
func TestSystemLoginIsProvisionedWithoutBypassOrTemporaryAndRotates(t *testing.T) {
	ctx := context.Background()
	startManager(t, nil)
	create(t, externalTenant("sysl"))
	waitTenant(t, "sysl", metav1.ConditionTrue, 60*time.Second)
	old := entryOf(t, "sysl").Database.System
	if old.User != "bw_sysl_system" {
		t.Fatalf("system login %q, want bw_sysl_system", old.User)
	}
	if s := secretData(t, "tenant-sysl", "db-system"); s["username"] != old.User || s["password"] != old.Password {
		t.Errorf("db-system holds %s, the directory %s", s["username"], old.User)
	}
	if err := login("bw_sysl", old.User, old.Password); err != nil {
		t.Fatalf("system login does not work: %v", err)
	}
	su := superuser(t, "postgres")
	var bypass, canLogin bool
	var groups []string
	err := su.QueryRow(ctx, `SELECT r.rolbypassrls, r.rolcanlogin,
			coalesce(array(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid), '{}')
		FROM pg_roles r WHERE r.rolname = 'bw_sysl_system'`).Scan(&bypass, &canLogin, &groups)
	if err != nil {
		t.Fatal(err)
	}
	if bypass || !canLogin || len(groups) != 1 || groups[0] != "bw_sysl_app" {
		t.Errorf("bw_sysl_system: bypassrls=%v login=%v member of %v; want NOBYPASSRLS LOGIN, member of bw_sysl_app only", bypass, canLogin, groups)
	}
	for role, want := range map[string]bool{"bw_sysl_system": false, "bw_sysl_app_blue": false, "bw_sysl_app_green": false,
		"bw_sysl_readonly": false, "bw_sysl_owner": true} {
		var temp bool
		if err := su.QueryRow(ctx, "SELECT has_database_privilege($1, 'bw_sysl', 'TEMPORARY')", role).Scan(&temp); err != nil {
			t.Fatal(err)
		}
		if temp != want {
			t.Errorf("%s may create temporary tables: %v, want %v", role, temp, want)
		}
	}

	tn := getTenant(t, "sysl")
	patch := client.MergeFrom(tn.DeepCopy())
	tn.Spec.Database.Credentials.RotationRequest = "2026-11-28"
	if err := env.Client.Patch(ctx, tn, patch); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		e := entryOf(t, "sysl")
		return e != nil && e.Database.System.Password != old.Password, "directory still has the old system password"
	})
	current := entryOf(t, "sysl").Database.System
	if current.User != old.User {
		t.Errorf("system login changed from %s to %s; it rotates in place", old.User, current.User)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		err := login("bw_sysl", current.User, current.Password)
		return err == nil, fmt.Sprintf("rotated system password: %v", err)
	})
	if err := login("bw_sysl", old.User, old.Password); err == nil {
		t.Error("old system password still works")
	}
}

// Each credential Secret records the verifier Postgres holds for it; a
// record that does not match is checked with the SCRAM rounds and put
// right without setting the password again.
func TestCredentialSecretsRecordTheVerifiedPassword(t *testing.T) {
	ctx := context.Background()
	startManager(t, func(o *controllers.Options) { o.Tenant.DriftInterval = time.Second })
	create(t, externalTenant("verif"))
	waitTenant(t, "verif", metav1.ConditionTrue, 60*time.Second)
	su := superuser(t, "postgres")
	stored := func(role string) string {
		var v string
		if err := su.QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", role).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	recorded := func(name string) (string, string) {
		s := &corev1.Secret{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "tenant-verif", Name: name}, s); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(stored(string(s.Data["username"])) + "\x00" + string(s.Data["username"]) + "\x00" + string(s.Data["password"])))
		return s.Annotations["platform.bellwork.dev/verified-checksum"], hex.EncodeToString(sum[:8])
	}
	for _, name := range []string{"db-owner", "db-app", "db-system", "db-readonly", "db-backup"} {
		if got, want := recorded(name); got != want {
			t.Errorf("Secret %s records verified-checksum %q, want %q (the verifier Postgres holds)", name, got, want)
		}
	}

	before := stored("bw_verif_readonly")
	s := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "tenant-verif", Name: "db-readonly"}, s); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(s.DeepCopy())
	s.Annotations["platform.bellwork.dev/verified-checksum"] = "0000000000000000"
	if err := env.Client.Patch(ctx, s, patch); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		got, want := recorded("db-readonly")
		return got == want, fmt.Sprintf("verified-checksum %q, want %q", got, want)
	})
	if after := stored("bw_verif_readonly"); after != before {
		t.Error("the password was set again although Postgres held a verifier that accepts it")
	}
	readonly := secretData(t, "tenant-verif", "db-readonly")
	if err := login("bw_verif", readonly["username"], readonly["password"]); err != nil {
		t.Errorf("db-readonly's login: %v", err)
	}
}
