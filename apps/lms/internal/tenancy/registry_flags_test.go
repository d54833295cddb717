package tenancy

import (
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/pkg/directory"
	"bellwork.dev/bellwork/pkg/flags"
)

// A new entry that changes only flags (or flag tokens) is served at once
// and leaves the database converged; one that changes what converging
// reads (a school) makes the tenant due again, served meanwhile.
func TestFlagOnlyChangesDoNotReconverge(t *testing.T) {
	r := NewRegistry(db.NewPools(time.Minute, 1), slog.New(slog.NewTextHandler(io.Discard, nil)))
	e := &directory.Entry{Version: 1, Tenant: "north", DisplayName: "North", Hosts: []string{"north.localhost"}, TimeZone: "UTC",
		Database: directory.Database{Name: "d", Host: "h", Port: 1, DirectHost: "h", DirectPort: 1,
			App: directory.Credentials{User: "a"}, System: directory.Credentials{User: "s"}, Owner: directory.Credentials{User: "o"}},
		Schools: []directory.School{{Code: "N1", Name: "N1", TimeZone: "UTC"}}}
	r.Replace([]*directory.Entry{e})
	first, _ := r.Get("north")
	first.converged = first.convergeHash // as convergeOne leaves it

	flipped := *e
	flipped.Features = flags.Set{"roster-export": {Variants: map[string]json.RawMessage{"on": json.RawMessage("true")}, DefaultVariant: "on"}}
	flipped.FlagTokens = []string{"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}
	r.Replace([]*directory.Entry{&flipped})
	second, _ := r.Get("north")
	if second == first || second.Entry.Features["roster-export"].DefaultVariant != "on" {
		t.Fatal("the registry does not serve the flipped entry")
	}
	if ready, _ := second.State(); !ready || second.due(time.Now()) {
		t.Fatalf("a flag flip made the tenant due for converging (ready %v)", ready)
	}

	moved := flipped
	moved.Schools = append([]directory.School{}, e.Schools...)
	moved.Schools = append(moved.Schools, directory.School{Code: "N2", Name: "N2", TimeZone: "UTC"})
	r.Replace([]*directory.Entry{&moved})
	third, _ := r.Get("north")
	if ready, _ := third.State(); !ready || !third.due(time.Now()) {
		t.Fatalf("a new school must make the tenant due, while still served (ready %v)", ready)
	}
}
