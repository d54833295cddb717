package checks

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bellwork.dev/bellwork/internal/dev/pgserver"
)

// Against a real Postgres with password authentication: the right
// credentials are reachable, a refused login and a server that is gone are
// not.
func TestDatabaseReachable(t *testing.T) {
	ctx := context.Background()
	pg, err := pgserver.Start(ctx, pgserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	uri := func(password string, port int) string {
		return fmt.Sprintf("postgresql://%s:%s@%s:%d/postgres?sslmode=disable", pgserver.SuperUser, password, pg.Host, port)
	}
	if got, err := DatabaseReachable(ctx, "a", uri(pg.SuperPassword, pg.Port), 5*time.Second); err != nil || len(got) != 0 {
		t.Fatalf("reachable database: %+v %v, want nothing active", got, err)
	}
	got, err := DatabaseReachable(ctx, "a", uri("wrong", pg.Port), 5*time.Second)
	if err != nil || len(got) != 1 || got[0].Value != 1 || got[0].Labels["tenant"] != "a" {
		t.Fatalf("refused login: %+v %v, want one active sample for tenant a", got, err)
	}
	port := pg.Port
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	if got, err := DatabaseReachable(ctx, "a", uri(pg.SuperPassword, port), 2*time.Second); err != nil || len(got) != 1 {
		t.Fatalf("stopped server: %+v %v, want one active sample", got, err)
	}
}
