package account

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/pkg/directory"
)

const oidcCookie = "bw_oidc"

// oidcProviders caches each district's discovered provider.
type oidcProviders struct {
	mu sync.Mutex
	m  map[string]*oidc.Provider // by issuer URL
}

func newOIDCProviders() *oidcProviders { return &oidcProviders{m: map[string]*oidc.Provider{}} }

func (p *oidcProviders) get(ctx context.Context, issuer string) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if prov, ok := p.m[issuer]; ok {
		return prov, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	prov, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", issuer, err)
	}
	p.m[issuer] = prov
	return prov, nil
}

func (s *Handlers) oauthConfig(c *kit.Call, cfg *directory.OIDC) (*oauth2.Config, *oidc.Provider, error) {
	prov, err := s.oidc.get(c.R.Context(), cfg.IssuerURL)
	if err != nil {
		return nil, nil, err
	}
	return &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: prov.Endpoint(),
		RedirectURL: kit.SiteURL(c.R) + "/oidc/callback", Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}, prov, nil
}

// OIDCStart sends the browser to the district's identity provider, with a
// state, a nonce and a PKCE verifier kept in a short-lived cookie.
func (s *Handlers) OIDCStart(c *kit.Call) {
	cfg := c.Tenant.Entry.SignIn.OIDC
	if cfg == nil {
		s.NotFound(c)
		return
	}
	oc, _, err := s.oauthConfig(c, cfg)
	if err != nil {
		s.Log.Error("OpenID Connect provider Unavailable", "request_id", c.ID, "tenant", c.Tenant.Name(), "err", err)
		s.RenderError(c, http.StatusBadGateway, "Your district's sign-in service is not answering",
			"Bellwork could not reach "+cfg.DisplayName+". Try again in a few minutes, or sign in with your password if you have one.")
		return
	}
	state, nonce, verifier := kit.NewNonce(), kit.NewNonce(), oauth2.GenerateVerifier()
	next := localPath(c.R.URL.Query().Get("next"))
	value := strings.Join([]string{state, nonce, verifier, base64.RawURLEncoding.EncodeToString([]byte(next))}, ".")
	http.SetCookie(c.W, &http.Cookie{Name: oidcCookie, Value: value, Path: "/oidc/", HttpOnly: true,
		Secure: kit.SecureCookies(c.R), SameSite: http.SameSiteLaxMode, MaxAge: 600})
	http.Redirect(c.W, c.R, oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

var errOIDC = errors.New("openid connect sign-in failed")

// OIDCCallback finishes the sign-in: checks state, exchanges the code,
// verifies the ID token (issuer, audience, expiry, nonce) and signs in the
// account with the verified e-mail address. Accounts are not created here:
// the district's roster decides who may sign in.
func (s *Handlers) OIDCCallback(c *kit.Call) {
	cfg := c.Tenant.Entry.SignIn.OIDC
	if cfg == nil {
		s.NotFound(c)
		return
	}
	next, err := s.finishOIDC(c, cfg)
	http.SetCookie(c.W, &http.Cookie{Name: oidcCookie, Value: "", Path: "/oidc/", MaxAge: -1, HttpOnly: true, Secure: kit.SecureCookies(c.R)})
	if err != nil {
		s.Log.Warn("OpenID Connect sign-in refused", "request_id", c.ID, "tenant", c.Tenant.Name(), "err", err)
		http.Redirect(c.W, c.R, "/signin?error=oidc", http.StatusSeeOther)
		return
	}
	http.Redirect(c.W, c.R, next, http.StatusSeeOther)
}

func (s *Handlers) finishOIDC(c *kit.Call, cfg *directory.OIDC) (string, error) {
	ck, err := c.R.Cookie(oidcCookie)
	if err != nil {
		return "", fmt.Errorf("%w: no state cookie", errOIDC)
	}
	parts := strings.Split(ck.Value, ".")
	if len(parts) != 4 {
		return "", fmt.Errorf("%w: malformed state cookie", errOIDC)
	}
	state, nonce, verifier := parts[0], parts[1], parts[2]
	nextBytes, _ := base64.RawURLEncoding.DecodeString(parts[3])
	q := c.R.URL.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("%w: provider said %q", errOIDC, e)
	}
	if q.Get("state") == "" || q.Get("state") != state {
		return "", fmt.Errorf("%w: state mismatch", errOIDC)
	}
	oc, prov, err := s.oauthConfig(c, cfg)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(c.R.Context(), 15*time.Second)
	defer cancel()
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return "", fmt.Errorf("%w: exchange code: %w", errOIDC, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", fmt.Errorf("%w: no id_token", errOIDC)
	}
	idt, err := prov.Verifier(&oidc.Config{ClientID: cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("%w: verify id_token: %w", errOIDC, err)
	}
	if idt.Nonce != nonce {
		return "", fmt.Errorf("%w: nonce mismatch", errOIDC)
	}
	var claims struct {
		Email         string       `json:"email"`
		EmailVerified verifiedFlag `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		return "", fmt.Errorf("%w: claims: %w", errOIDC, err)
	}
	email := people.NormalizeEmail(claims.Email)
	// The provider must vouch for the address: one that leaves the claim
	// out may let its users set any address, a district admin's included.
	// A district may waive that for a provider that never sends it, but
	// only with its own domains listed.
	waived := cfg.AllowUnverifiedEmail && len(cfg.AllowedDomains) > 0 && claims.EmailVerified == unstated
	if email == "" || (claims.EmailVerified != verified && !waived) {
		return "", fmt.Errorf("%w: no verified e-mail address", errOIDC)
	}
	if !domainAllowed(email, cfg.AllowedDomains) {
		return "", fmt.Errorf("%w: domain of %s not allowed", errOIDC, email)
	}
	err = c.AsSystem(func(sc *db.Scope) error {
		u, err := people.GetUserByEmail(c.R.Context(), sc, email)
		if err != nil {
			return err
		}
		if !u.Active() {
			return fmt.Errorf("%w: account deactivated", errOIDC)
		}
		return s.startSession(c, sc, u)
	})
	if err != nil {
		return "", err
	}
	return localPath(string(nextBytes)), nil
}

func domainAllowed(email string, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	_, domain, _ := strings.Cut(email, "@")
	for _, d := range allowed {
		if strings.EqualFold(strings.TrimPrefix(d, "@"), domain) {
			return true
		}
	}
	return false
}

// verifiedFlag is the email_verified claim: true, false or left out. Some
// providers send it as the string "true".
type verifiedFlag int

const (
	unstated verifiedFlag = iota
	verified
	unverified
)

func (f *verifiedFlag) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true", `"true"`:
		*f = verified
	case "null":
		*f = unstated
	default:
		*f = unverified
	}
	return nil
}
