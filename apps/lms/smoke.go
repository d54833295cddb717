package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

// smoke signs a probe account in to a running LMS and walks its key pages
// and one API call, failing with a message that says which step broke. It
// is the default pre-promotion check of an lmsdeploy rollout, run against
// the preview Service; the account comes from a Secret (see docs/operator.md).
func smoke(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("smoke", flag.ContinueOnError)
	base := fs.String("url", "", "base URL of the LMS to test, such as http://lms-preview.bellwork-system.svc")
	host := fs.String("host", os.Getenv("SMOKE_HOST"), "a district's host name, sent as Host (default $SMOKE_HOST)")
	email := fs.String("email", os.Getenv("SMOKE_EMAIL"), "the probe account's e-mail address (default $SMOKE_EMAIL)")
	timeout := fs.Duration("timeout", 30*time.Second, "time allowed for the whole test")
	if err := fs.Parse(args); err != nil {
		return err
	}
	password := os.Getenv("SMOKE_PASSWORD")
	if *base == "" || *host == "" || *email == "" || password == "" {
		return errors.New("--url, --host (or $SMOKE_HOST), --email (or $SMOKE_EMAIL) and $SMOKE_PASSWORD are required")
	}
	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url %q is not an http or https URL", *base)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	p := &probe{base: strings.TrimRight(*base, "/"), host: *host}
	p.jar, _ = cookiejar.New(nil)
	p.client = &http.Client{Jar: hostJar{p.jar, *host}, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"open the sign-in page", p.openSignin},
		{"sign in as " + *email, func(ctx context.Context) error { return p.signin(ctx, *email, password) }},
		{"load the home page", func(ctx context.Context) error { return p.page(ctx, "/") }},
		{"load the profile page", func(ctx context.Context) error { return p.page(ctx, "/profile") }},
		{"call GET /api/v1/me", func(ctx context.Context) error { return p.me(ctx, *email) }},
		{"sign out", p.signout},
	}
	for _, s := range steps {
		start := time.Now()
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("smoke test of %s (%s) failed to %s: %w", p.base, p.host, s.name, err)
		}
		fmt.Printf("ok  %-40s %s\n", s.name, time.Since(start).Round(time.Millisecond))
	}
	fmt.Printf("Smoke test of %s (%s) passed.\n", p.base, p.host)
	return nil
}

type probe struct {
	base, host string
	client     *http.Client
	jar        http.CookieJar
	csrf       string
}

// hostJar keeps cookies under the district's host: requests go to the
// Service's address, but the LMS sets cookies for the host it served.
type hostJar struct {
	http.CookieJar
	host string
}

func (j hostJar) key(u *url.URL) *url.URL {
	k := *u
	k.Host = j.host
	return &k
}

func (j hostJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	j.CookieJar.SetCookies(j.key(u), cookies)
}

func (j hostJar) Cookies(u *url.URL) []*http.Cookie { return j.CookieJar.Cookies(j.key(u)) }

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (p *probe) do(ctx context.Context, method, path string, form url.Values) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, body)
	if err != nil {
		return nil, "", err
	}
	req.Host = p.host
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := p.client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if m := csrfField.FindStringSubmatch(string(data)); m != nil {
		p.csrf = m[1]
	}
	return res, string(data), err
}

func (p *probe) openSignin(ctx context.Context) error {
	res, body, err := p.do(ctx, http.MethodGet, "/signin", nil)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `name="password"`) {
		return fmt.Errorf("status %d without a password form (is %s a district of this LMS?)", res.StatusCode, p.host)
	}
	return nil
}

func (p *probe) signin(ctx context.Context, email, password string) error {
	res, _, err := p.do(ctx, http.MethodPost, "/signin", url.Values{"email": {email}, "password": {password}, "_csrf": {p.csrf}})
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusFound {
		return fmt.Errorf("status %d: the LMS refused the account (wrong password, locked, or passwords off)", res.StatusCode)
	}
	return nil
}

func (p *probe) page(ctx context.Context, path string) error {
	res, body, err := p.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	if !strings.Contains(body, `action="/signout"`) {
		return errors.New("the page does not show a signed-in person (no sign-out form)")
	}
	return nil
}

func (p *probe) me(ctx context.Context, email string) error {
	res, body, err := p.do(ctx, http.MethodGet, "/api/v1/me", nil)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	var me struct {
		User struct {
			Email string `json:"email"`
		} `json:"user"`
	}
	if err := json.Unmarshal([]byte(body), &me); err != nil {
		return fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	if !strings.EqualFold(me.User.Email, email) {
		return fmt.Errorf("it says the user is %q", me.User.Email)
	}
	return nil
}

func (p *probe) signout(ctx context.Context) error {
	res, _, err := p.do(ctx, http.MethodPost, "/signout", url.Values{"_csrf": {p.csrf}})
	if err != nil {
		return err
	}
	if res.StatusCode >= 400 {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
}
