package controllers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
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
