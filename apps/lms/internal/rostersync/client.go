package rostersync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Provider says where a district's OneRoster REST service is and how to
// sign in to it, as the tenant directory publishes it.
type Provider struct {
	// BaseURL is the service root, such as https://sis.example/ (the
	// /ims/oneroster/... paths are added).
	BaseURL string
	// Version is "1.1" or "1.2".
	Version string
	// Auth is "oauth2" (client credentials grant, the default) or "oauth1"
	// (OAuth 1.0a request signing with HMAC-SHA256, for 1.1 providers
	// that require it; TokenURL is then unused).
	Auth string
	// TokenURL is the OAuth 2.0 token endpoint (client credentials grant).
	TokenURL string
	// ClientID and ClientSecret are the district's credentials.
	ClientID, ClientSecret string
	// Scope overrides the OneRoster roster-core read-only scope of Version.
	Scope string
}

// Errors a sync reports to the admin in words of its own.
var (
	ErrUnauthorized = errors.New("the provider refused the client credentials")
	ErrRateLimited  = errors.New("the provider kept answering 429 Too Many Requests")
	ErrProvider     = errors.New("the provider answered with an error")
)

// Client reads collections from a OneRoster REST provider.
type Client struct {
	Provider Provider
	HTTP     *http.Client
	// PageSize is the limit asked for per page (100 when zero).
	PageSize int
	// MaxRetries bounds the retries of one request after 429 or 503
	// (5 when zero).
	MaxRetries int
	// Sleep waits before a retry; tests record the waits instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for token expiry.
	Now func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// maxRetryAfter caps how long one Retry-After is honoured: a provider
// asking for an hour is treated as down for this run.
const maxRetryAfter = 2 * time.Minute

// maxPages bounds one collection, so a provider whose paging never ends
// cannot keep a sync running forever.
const maxPages = 100_000

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: time.Minute}
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// basePath is the OneRoster REST root of the provider's version.
func (c *Client) basePath() string {
	if c.Provider.Version == "1.2" {
		return "/ims/oneroster/rostering/v1p2/"
	}
	return "/ims/oneroster/v1p1/"
}

func (c *Client) scope() string {
	switch {
	case c.Provider.Scope != "":
		return c.Provider.Scope
	case c.Provider.Version == "1.2":
		return "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly"
	}
	return "https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly"
}

// accessToken returns a token valid for a while yet, fetching one when
// there is none, it is about to expire, or stale is the one just refused.
func (c *Client) accessToken(ctx context.Context, stale string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.token != stale && c.now().Add(30*time.Second).Before(c.expires) {
		return c.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {c.scope()}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Provider.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.Provider.ClientID), url.QueryEscape(c.Provider.ClientSecret))
	resp, err := c.http().Do(req)
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusForbidden {
		return "", fmt.Errorf("token request: %s: %w", resp.Status, ErrUnauthorized)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("token request: %s: %w", resp.Status, ErrProvider)
	}
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil || body.AccessToken == "" {
		return "", fmt.Errorf("token response has no access_token: %w", ErrProvider)
	}
	if body.ExpiresIn <= 0 {
		body.ExpiresIn = 3600
	}
	c.token, c.expires = body.AccessToken, c.now().Add(time.Duration(body.ExpiresIn)*time.Second)
	return c.token, nil
}

// page is one page of a collection.
type page struct {
	items []json.RawMessage
	total int    // X-Total-Count, -1 when not sent
	next  string // the Link rel="next" URL, "" when not sent
}

// Collection reads every item of a collection ("users", "orgs"...), page
// by page: it follows the Link header's next page when the provider sends
// one, else asks for the next offset until X-Total-Count items (or a short
// page) have come.
func (c *Client) Collection(ctx context.Context, name string) ([]json.RawMessage, error) {
	size := c.PageSize
	if size <= 0 {
		size = 100
	}
	base, err := url.Parse(strings.TrimRight(c.Provider.BaseURL, "/") + c.basePath() + name)
	if err != nil {
		return nil, fmt.Errorf("provider URL: %w", err)
	}
	var items []json.RawMessage
	next := pageURL(base, 0, size)
	for range maxPages {
		p, err := c.get(ctx, next, name)
		if err != nil {
			return nil, err
		}
		items = append(items, p.items...)
		switch {
		case p.next != "":
			u, err := base.Parse(p.next)
			if err != nil || u.Host != base.Host || u.Scheme != base.Scheme {
				return nil, fmt.Errorf("%s: the next page link %q leaves the provider: %w", name, p.next, ErrProvider)
			}
			next = u.String()
		case len(p.items) == 0, p.total >= 0 && len(items) >= p.total, p.total < 0 && len(p.items) < size:
			return items, nil
		default:
			next = pageURL(base, len(items), size)
		}
	}
	return nil, fmt.Errorf("%s: more than %d pages: %w", name, maxPages, ErrProvider)
}

func pageURL(base *url.URL, offset, limit int) string {
	u := *base
	q := u.Query()
	q.Set("limit", strconv.Itoa(limit))
	q.Set("offset", strconv.Itoa(offset))
	u.RawQuery = q.Encode()
	return u.String()
}

var linkNext = regexp.MustCompile(`<([^>]*)>\s*;\s*rel="?next"?`)

// get fetches one page, with a fresh token after a 401 (once) and waits
// after 429 and 503 as Retry-After asks.
func (c *Client) get(ctx context.Context, u, collection string) (*page, error) {
	oauth1 := c.Provider.Auth == "oauth1"
	refreshed := oauth1 // a signed request has no token to renew
	stale := ""
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		token := ""
		if oauth1 {
			SignOAuth1(req, c.Provider.ClientID, c.Provider.ClientSecret, c.now())
		} else {
			if token, err = c.accessToken(ctx, stale); err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := c.http().Do(req)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", collection, err)
		}
		switch {
		case resp.StatusCode == http.StatusUnauthorized && !refreshed:
			resp.Body.Close()
			refreshed, stale = true, token
			continue
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
			wait := retryAfter(resp.Header.Get("Retry-After"), c.now(), attempt)
			resp.Body.Close()
			if attempt >= c.maxRetries() || wait > maxRetryAfter {
				if resp.StatusCode == http.StatusTooManyRequests {
					return nil, fmt.Errorf("%s: %w", collection, ErrRateLimited)
				}
				return nil, fmt.Errorf("%s: %s: %w", collection, resp.Status, ErrProvider)
			}
			if err := c.sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			resp.Body.Close()
			return nil, fmt.Errorf("%s: %s: %w", collection, resp.Status, ErrUnauthorized)
		case resp.StatusCode != http.StatusOK:
			resp.Body.Close()
			return nil, fmt.Errorf("%s: %s: %w", collection, resp.Status, ErrProvider)
		}
		p, err := readPage(resp, collection)
		resp.Body.Close()
		return p, err
	}
}

func (c *Client) maxRetries() int {
	if c.MaxRetries > 0 {
		return c.MaxRetries
	}
	return 5
}

// maxPageBytes bounds one page's body.
const maxPageBytes = 64 << 20

func readPage(resp *http.Response, collection string) (*page, error) {
	var body map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxPageBytes)).Decode(&body); err != nil {
		return nil, fmt.Errorf("%s: the page is not JSON (%v): %w", collection, err, ErrProvider)
	}
	p := &page{total: -1}
	if raw, ok := body[collection]; ok {
		if err := json.Unmarshal(raw, &p.items); err != nil {
			return nil, fmt.Errorf("%s: %q is not a list: %w", collection, collection, ErrProvider)
		}
	} else {
		return nil, fmt.Errorf("%s: the page has no %q list: %w", collection, collection, ErrProvider)
	}
	if v := resp.Header.Get("X-Total-Count"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			p.total = n
		}
	}
	if m := linkNext.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
		p.next = m[1]
	}
	return p, nil
}

// retryAfter reads Retry-After as seconds or an HTTP date; without one it
// backs off 1, 2, 4... seconds.
func retryAfter(v string, now time.Time, attempt int) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
		return 0
	}
	return time.Duration(1<<min(attempt, 6)) * time.Second
}
