package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/pkg/directory"
)

const probePassword = "probe account password 42"

// canary serves one district from a real LMS (lms serve over a directory
// folder) and gives it a probe account, made the way any admin is: the
// directory invites it and the invitation is accepted over HTTP.
func canary(t *testing.T) (base string, entry *directory.Entry) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	token, hash := auth.NewToken()
	entry = &directory.Entry{Version: directory.FormatVersion, Tenant: "canary", DisplayName: "Canary District", Hosts: []string{"canary.localhost"},
		TimeZone: "America/Chicago", Database: lmstest.TenantDB(t),
		Schools: []directory.School{{Code: "C1", Name: "Canary High", TimeZone: "America/Chicago"}},
		Admins:  []directory.Admin{{Email: "probe@canary.org", TokenSHA256: hash, ExpiresAt: time.Now().Add(24 * time.Hour)}}}
	data, err := directory.Marshal(entry)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "canary.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	addr, probeAddr := freeAddr(t), freeAddr(t)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", addr, "--probe-addr", probeAddr, "--tenant-directory", dir})
	}()
	t.Cleanup(func() { cancel(); <-done })
	base = "http://" + addr

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (int, string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		req.Host = "canary.localhost"
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := c.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	deadline := time.Now().Add(30 * time.Second)
	var page string
	for {
		status, body := do("GET", "/invitations/"+token, nil)
		if status == http.StatusOK {
			page = body
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the invitation page never opened: %d %s", status, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("no CSRF token on the invitation page")
	}
	if status, body := do("POST", "/invitations/"+token, url.Values{"_csrf": {csrf[1]}, "name": {"Probe Account"},
		"password": {probePassword}, "confirm": {probePassword}}); status != http.StatusSeeOther {
		t.Fatalf("accepting the invitation answered %d: %s", status, body)
	}
	return base, entry
}

func TestSmokePassesAgainstAHealthyLMSAndSaysWhatFailed(t *testing.T) {
	base, _ := canary(t)
	t.Setenv("SMOKE_PASSWORD", probePassword)
	if err := smoke(t.Context(), []string{"--url", base, "--host", "canary.localhost", "--email", "probe@canary.org"}); err != nil {
		t.Fatalf("smoke against a healthy LMS: %v", err)
	}

	t.Setenv("SMOKE_PASSWORD", "not the password")
	err := smoke(t.Context(), []string{"--url", base, "--host", "canary.localhost", "--email", "probe@canary.org"})
	if err == nil || !strings.Contains(err.Error(), "failed to sign in as probe@canary.org: status") || !strings.Contains(err.Error(), "the LMS refused the account") {
		t.Errorf("wrong password: %v", err)
	}

	t.Setenv("SMOKE_PASSWORD", probePassword)
	err = smoke(t.Context(), []string{"--url", base, "--host", "nowhere.localhost", "--email", "probe@canary.org"})
	if err == nil || !strings.Contains(err.Error(), "failed to open the sign-in page") {
		t.Errorf("unknown district: %v", err)
	}

	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	gone := "http://" + closed.Addr().String()
	closed.Close()
	err = smoke(t.Context(), []string{"--url", gone, "--host", "canary.localhost", "--email", "probe@canary.org"})
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("LMS down: %v", err)
	}

	if err := smoke(t.Context(), []string{"--url", base}); err == nil || !strings.Contains(err.Error(), "are required") {
		t.Errorf("missing settings: %v", err)
	}
}

func TestMigrateReadsTheTenantEntryFromTheEnvironment(t *testing.T) {
	entry := &directory.Entry{Version: directory.FormatVersion, Tenant: "mig", DisplayName: "Mig", Hosts: []string{"mig.localhost"},
		TimeZone: "UTC", Database: lmstest.TenantDB(t)}
	data, err := directory.Marshal(entry)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(tenantEntryEnv, string(data))
	if err := migrate(t.Context(), []string{"--phase", "contract"}); err != nil {
		t.Fatalf("contract migration from the entry: %v", err)
	}
	broken := *entry
	broken.Database.Owner.Password = "wrong"
	data, _ = directory.Marshal(&broken)
	t.Setenv(tenantEntryEnv, string(data))
	err = migrate(t.Context(), []string{"--phase", "expand"})
	if err == nil || !strings.HasPrefix(err.Error(), "tenant mig: ") {
		t.Errorf("a failed migration should name the tenant: %v", err)
	}
	t.Setenv(tenantEntryEnv, "")
	if err := migrate(t.Context(), []string{"--phase", "expand"}); err == nil || !strings.Contains(err.Error(), tenantEntryEnv) {
		t.Errorf("no target: %v", err)
	}
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
