package controllers_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
)

func itoa(i int) string { return strconv.Itoa(i) }

// connectAs connects with a credentials Secret's data.
func connectAs(t testing.TB, db string, c map[string]string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), pg.URL(db, c["username"], c["password"]))
	if err != nil {
		t.Fatalf("connect as %s: %v", c["username"], err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func mustExec(t testing.TB, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
