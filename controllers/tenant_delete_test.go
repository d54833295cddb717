package controllers_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// Deleting a Tenant withdraws its entry first. Retain keeps the database
// and roles; Delete waits for the LMS's sessions, ends them after the
// bounded wait, and drops the database and roles of that tenant only.
func TestDeletionFollowsTheReclaimPolicy(t *testing.T) {
	ctx := context.Background()
	startManager(t, nil) // SessionWait is 2s in tests
	keep, drop, bystander := externalTenant("del-keep"), externalTenant("del-drop"), externalTenant("del-by")
	drop.Spec.ReclaimPolicy = platformv1.ReclaimDelete
	create(t, keep, drop, bystander)
	for _, n := range []string{"del-keep", "del-drop", "del-by"} {
		waitTenant(t, n, metav1.ConditionTrue, 60*time.Second)
	}
	// The LMS holds a session on the database being deleted.
	app := entryOf(t, "del-drop").Database.App
	lms, err := pgx.Connect(ctx, pg.URL("bw_del_drop", app.User, app.Password))
	if err != nil {
		t.Fatal(err)
	}
	defer lms.Close(ctx)

	deleteTenant(t, "del-keep")
	deleteTenant(t, "del-drop")

	if entryOf(t, "del-keep") != nil || entryOf(t, "del-drop") != nil {
		t.Error("directory entries remain after deletion")
	}
	su := superuser(t, "postgres")
	count := func(sql string, args ...any) int {
		var n int
		if err := su.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("SELECT count(*) FROM pg_database WHERE datname = 'bw_del_keep'"); n != 1 {
		t.Error("Retain dropped the database")
	}
	if n := count(`SELECT count(*) FROM pg_roles WHERE rolname LIKE 'bw\_del\_keep\_%'`); n != 7 {
		t.Errorf("Retain kept %d roles, want 7", n)
	}
	if n := count("SELECT count(*) FROM pg_database WHERE datname = 'bw_del_drop'"); n != 0 {
		t.Error("Delete kept the database")
	}
	if n := count(`SELECT count(*) FROM pg_roles WHERE rolname LIKE 'bw\_del\_drop\_%'`); n != 0 {
		t.Errorf("Delete left %d roles", n)
	}
	if err := lms.Ping(ctx); err == nil {
		t.Error("the LMS session survived the drop")
	}
	// The bystander is untouched.
	if n := count(`SELECT count(*) FROM pg_roles WHERE rolname LIKE 'bw\_del\_by\_%'`); n != 7 {
		t.Errorf("bystander has %d roles", n)
	}
	by := entryOf(t, "del-by")
	if by == nil {
		t.Fatal("bystander's entry is gone")
	}
	if err := login("bw_del_by", by.Database.App.User, by.Database.App.Password); err != nil {
		t.Errorf("bystander's app login: %v", err)
	}
}
