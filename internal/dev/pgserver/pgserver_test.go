package pgserver_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/internal/dev/pgserver"
)

// The cluster checks passwords: the superuser's works, a wrong one is refused.
func TestServerRequiresPasswords(t *testing.T) {
	ctx := context.Background()
	srv, err := pgserver.Start(ctx, pgserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()

	conn, err := pgx.Connect(ctx, srv.AdminURL("postgres"))
	if err != nil {
		t.Fatalf("superuser refused: %v", err)
	}
	conn.Close(ctx)

	if conn, err := pgx.Connect(ctx, srv.URL("postgres", pgserver.SuperUser, "wrong")); err == nil {
		conn.Close(ctx)
		t.Fatal("a wrong password was accepted")
	}
}
