package rostersync_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/rostersync"
	"bellwork.dev/bellwork/apps/lms/internal/rostersync/rostertest"
)

// bundle parses a bundle of the roster package's testdata.
func bundle(t *testing.T, dir string) *roster.Bundle {
	t.Helper()
	path := filepath.Join("..", "roster", "testdata", dir)
	entries, err := os.ReadDir(path)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if files[e.Name()], err = os.ReadFile(filepath.Join(path, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	b, problems := roster.ParseOneRosterBundle(files)
	if len(problems) > 0 {
		t.Fatalf("fixture problems: %v", problems)
	}
	return b
}

// waits records the client's sleeps instead of sleeping.
type waits struct{ got []time.Duration }

func (w *waits) sleep(_ context.Context, d time.Duration) error {
	w.got = append(w.got, d)
	return nil
}

func client(srv *rostertest.Server, version string, w *waits) *rostersync.Client {
	return &rostersync.Client{Provider: rostersync.Provider{BaseURL: srv.URL, Version: version, TokenURL: srv.TokenURL(),
		ClientID: srv.ClientID, ClientSecret: srv.ClientSecret}, PageSize: 2, Sleep: w.sleep}
}

// usersPages lists the offsets of the users pages the provider served.
func usersPages(srv *rostertest.Server) []string {
	var out []string
	for _, r := range srv.Requests {
		if strings.Contains(r, "/users?") {
			_, q, _ := strings.Cut(r, "?")
			out = append(out, q)
		}
	}
	return out
}

// parseFetched parses what a sync fetched, which must be a clean bundle.
func parseFetched(t *testing.T, files map[string][]byte) *roster.Bundle {
	t.Helper()
	b, problems := roster.ParseOneRosterBundle(files)
	for _, p := range problems {
		t.Errorf("fetched bundle problem: %s", p)
	}
	return b
}

// The 1.2 roster read through the standard endpoints, two items a page,
// following the Link header, is the bundle the provider serves.
func TestFetchBundlePagesByLinkAndReadsEverything(t *testing.T) {
	want := bundle(t, "oneroster12")
	srv := rostertest.New(want)
	defer srv.Close()
	b := parseFetched(t, mustFetch(t, client(srv, "1.2", &waits{})))
	if b.Version != roster.Version12 || len(b.Users) != len(want.Users) || len(b.Enrollments) != len(want.Enrollments) ||
		len(b.Classes) != len(want.Classes) || len(b.Orgs) != len(want.Orgs) || len(b.Sessions) != len(want.Sessions) {
		t.Errorf("fetched %d users, %d enrollments, %d classes, %d orgs, %d sessions; provider has %d, %d, %d, %d, %d",
			len(b.Users), len(b.Enrollments), len(b.Classes), len(b.Orgs), len(b.Sessions),
			len(want.Users), len(want.Enrollments), len(want.Classes), len(want.Orgs), len(want.Sessions))
	}
	for i, u := range b.Users {
		if w := want.Users[i]; u.SourcedID != w.SourcedID || u.Role != w.Role || !slices.Equal(u.OrgSourcedIDs, w.OrgSourcedIDs) || u.GivenName != w.GivenName {
			t.Errorf("user %d: got %s %s %v %s, want %s %s %v %s", i, u.SourcedID, u.Role, u.OrgSourcedIDs, u.GivenName, w.SourcedID, w.Role, w.OrgSourcedIDs, w.GivenName)
		}
	}
	if got := usersPages(srv); !slices.Equal(got, []string{"limit=2&offset=0", "limit=2&offset=2", "limit=2&offset=4"}) {
		t.Errorf("users pages = %q", got)
	}
	for _, r := range srv.Requests {
		if !strings.HasPrefix(r, "/ims/oneroster/rostering/v1p2/") {
			t.Errorf("request %s is not a OneRoster 1.2 rostering endpoint", r)
		}
	}
}

// Without Link headers the client pages by offset until X-Total-Count; a
// 1.1 provider is read at the v1p1 endpoints.
func TestFetchBundlePagesByTotalCountOn11(t *testing.T) {
	b11 := bundle(t, "oneroster12")
	b11.Version, b11.Roles, b11.People = roster.Version11, nil, nil
	srv := rostertest.New(b11)
	defer srv.Close()
	srv.NoLinks()
	b := parseFetched(t, mustFetch(t, client(srv, "1.1", &waits{})))
	if b.Version != roster.Version11 || len(b.Users) != len(b11.Users) {
		t.Errorf("fetched version %s with %d users, want 1.1 with %d", b.Version, len(b.Users), len(b11.Users))
	}
	if got := usersPages(srv); !slices.Equal(got, []string{"limit=2&offset=0", "limit=2&offset=2", "limit=2&offset=4"}) {
		t.Errorf("users pages = %q", got)
	}
	if !strings.HasPrefix(srv.Requests[0], "/ims/oneroster/v1p1/orgs?") {
		t.Errorf("first request %s, want /ims/oneroster/v1p1/orgs", srv.Requests[0])
	}
}

func mustFetch(t *testing.T, c *rostersync.Client) map[string][]byte {
	t.Helper()
	files, err := c.FetchBundle(context.Background())
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	return files
}

// A token the provider stops accepting is replaced once, and the read goes on.
func TestExpiredTokenIsRefreshed(t *testing.T) {
	srv := rostertest.New(bundle(t, "oneroster12"))
	defer srv.Close()
	c := client(srv, "1.2", &waits{})
	if _, err := c.Collection(context.Background(), "orgs"); err != nil {
		t.Fatal(err)
	}
	srv.ExpireTokens()
	users, err := c.Collection(context.Background(), "users")
	if err != nil {
		t.Fatalf("after the token expired: %v", err)
	}
	if len(users) != 6 || srv.TokenIssued != 2 {
		t.Errorf("read %d users with %d tokens issued, want 6 users and a second token", len(users), srv.TokenIssued)
	}
}

// A token near its expiry is renewed before use, by the client's clock.
func TestTokenRenewedBeforeExpiry(t *testing.T) {
	srv := rostertest.New(bundle(t, "oneroster12"))
	defer srv.Close()
	srv.TokenTTL = 600
	now := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	c := client(srv, "1.2", &waits{})
	c.Now = func() time.Time { return now }
	if _, err := c.Collection(context.Background(), "orgs"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(599 * time.Second)
	if _, err := c.Collection(context.Background(), "orgs"); err != nil {
		t.Fatal(err)
	}
	if srv.TokenIssued != 2 {
		t.Errorf("%d tokens issued, want a new one once the first was about to expire", srv.TokenIssued)
	}
}

// 429 answers are waited out as Retry-After says; a provider that keeps
// answering 429 fails the read, with nothing returned.
func TestRateLimitHonoursRetryAfter(t *testing.T) {
	srv := rostertest.New(bundle(t, "oneroster12"))
	defer srv.Close()
	w := &waits{}
	c := client(srv, "1.2", w)
	srv.TooManyRequests(2, "7")
	users, err := c.Collection(context.Background(), "users")
	if err != nil || len(users) != 6 {
		t.Fatalf("got %d users, err %v", len(users), err)
	}
	if !slices.Equal(w.got, []time.Duration{7 * time.Second, 7 * time.Second}) {
		t.Errorf("waited %v, want 7s twice", w.got)
	}

	srv.TooManyRequests(100, "1")
	c.MaxRetries = 3
	_, err = c.FetchBundle(context.Background())
	if !errors.Is(err, rostersync.ErrRateLimited) {
		t.Errorf("endless 429: err %v, want ErrRateLimited", err)
	}
}

// Wrong credentials are refused as such.
func TestWrongSecretIsUnauthorized(t *testing.T) {
	srv := rostertest.New(bundle(t, "oneroster12"))
	defer srv.Close()
	c := client(srv, "1.2", &waits{})
	c.Provider.ClientSecret = "wrong"
	if _, err := c.FetchBundle(context.Background()); !errors.Is(err, rostersync.ErrUnauthorized) {
		t.Errorf("err %v, want ErrUnauthorized", err)
	}
}

// A 1.1 provider that takes OAuth 1.0a signed requests (HMAC-SHA256) is read
// without any token; a wrong consumer secret is refused.
func TestOAuth1SignedRequests(t *testing.T) {
	b11 := bundle(t, "oneroster12")
	b11.Version, b11.Roles, b11.People = roster.Version11, nil, nil
	srv := rostertest.New(b11)
	defer srv.Close()
	srv.OAuth1 = true
	c := client(srv, "1.1", &waits{})
	c.Provider.Auth, c.Provider.TokenURL = "oauth1", ""
	b := parseFetched(t, mustFetch(t, c))
	if len(b.Users) != len(b11.Users) || srv.TokenIssued != 0 {
		t.Errorf("read %d users with %d tokens, want %d users and none", len(b.Users), srv.TokenIssued, len(b11.Users))
	}
	c.Provider.ClientSecret = "wrong"
	if _, err := c.FetchBundle(context.Background()); !errors.Is(err, rostersync.ErrUnauthorized) {
		t.Errorf("wrong secret: err %v, want ErrUnauthorized", err)
	}
}
