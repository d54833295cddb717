package web

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/pkg/directory"
)

// fakeIdP is an OpenID Connect provider on loopback speaking the real
// protocol (discovery, authorization code with PKCE, RS256 ID tokens,
// JWKS), so the LMS's production client code is what the test exercises.
type fakeIdP struct {
	srv          *httptest.Server
	key          *rsa.PrivateKey
	clientID     string
	clientSecret string

	mu       sync.Mutex
	email    string // who "signs in" at the provider
	badNonce bool
	// verified is the email_verified claim: "true", "false", "string" (the
	// string "true", as some providers send it) or "" (left out).
	verified string
	pending  map[string]authRequest // by code
}

type authRequest struct{ nonce, challenge, redirect string }

func newFakeIdP(t *testing.T) *fakeIdP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &fakeIdP{key: key, clientID: "bellwork-lms", clientSecret: "s3cret", pending: map[string]authRequest{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := p.srv.URL
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": base, "authorization_endpoint": base + "/authorize",
			"token_endpoint": base + "/token", "jwks_uri": base + "/jwks", "response_types_supported": []string{"code"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != p.clientID || q.Get("code_challenge_method") != "S256" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		code := kit.NewNonce()
		p.mu.Lock()
		p.pending[code] = authRequest{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		p.mu.Lock()
		req, found := p.pending[r.PostFormValue("code")]
		delete(p.pending, r.PostFormValue("code"))
		email, badNonce, verified := p.email, p.badNonce, p.verified
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if !found || id != p.clientID || secret != p.clientSecret || base64.RawURLEncoding.EncodeToString(sum[:]) != req.challenge ||
			r.PostFormValue("redirect_uri") != req.redirect {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
			return
		}
		nonce := req.nonce
		if badNonce {
			nonce = "replayed"
		}
		signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
		now := time.Now()
		claims := map[string]any{"iss": p.srv.URL, "sub": "u-" + email, "aud": p.clientID,
			"exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "nonce": nonce, "email": email}
		switch verified {
		case "":
		case "string":
			claims["email_verified"] = "true"
		default:
			claims["email_verified"] = verified == "true"
		}
		idt, _ := jwt.Signed(signer).Claims(claims).Serialize()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": idt})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// signInWithIdP follows the browser's redirects from the LMS to the
// provider and back, and returns where the LMS finally sends the browser.
func (c *client) signInWithIdP(t *testing.T) string {
	t.Helper()
	res, _ := c.get("/oidc/start?next=/profile")
	if res.StatusCode != http.StatusFound {
		t.Fatalf("start: %d", res.StatusCode)
	}
	atIdP, err := c.hc.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	atIdP.Body.Close()
	back, _ := url.Parse(atIdP.Header.Get("Location"))
	if back == nil || back.Host != c.d.host {
		t.Fatalf("provider redirected to %q", atIdP.Header.Get("Location"))
	}
	res, _ = c.get(back.RequestURI())
	return res.Header.Get("Location")
}

func TestOpenIDConnectSignIn(t *testing.T) {
	idp := newFakeIdP(t)
	d := newDistrict(t, "oidc", func(e *directory.Entry) {
		e.SignIn.OIDC = &directory.OIDC{DisplayName: "District Google", IssuerURL: idp.srv.URL, ClientID: idp.clientID,
			ClientSecret: idp.clientSecret, AllowedDomains: []string{"oidc.localhost.org"}}
	})
	if _, body := d.client().get("/signin"); !strings.Contains(body, "Sign in with District Google") {
		t.Fatal("no provider button on the sign-in page")
	}
	idp.email, idp.verified = "teacher@oidc.localhost.org", "true"
	c := d.client()
	if to := c.signInWithIdP(t); to != "/profile" {
		t.Fatalf("after sign-in sent to %q", to)
	}
	if res, body := c.get("/profile"); res.StatusCode != http.StatusOK || !strings.Contains(body, "teacher@oidc.localhost.org") {
		t.Fatalf("signed-in profile: %d", res.StatusCode)
	}

	// An existing account outside the allowed domains is still refused.
	inSystem(t, d, func(s *db.Scope) error {
		_, err := people.CreateUser(context.Background(), s, people.NewUser{Email: "teacher@elsewhere.org", GivenName: "Else"}, "", "")
		return err
	})
	for name, setup := range map[string]func(){
		"unknown account":    func() { idp.email, idp.badNonce, idp.verified = "stranger@oidc.localhost.org", false, "true" },
		"domain not allowed": func() { idp.email, idp.badNonce, idp.verified = "teacher@elsewhere.org", false, "true" },
		"replayed nonce":     func() { idp.email, idp.badNonce, idp.verified = "teacher@oidc.localhost.org", true, "true" },
		// A provider that does not vouch for the address could be handed
		// anyone's: unverified or unstated, it is refused.
		"e-mail unverified":  func() { idp.email, idp.badNonce, idp.verified = "teacher@oidc.localhost.org", false, "false" },
		"e-mail not vouched": func() { idp.email, idp.badNonce, idp.verified = "teacher@oidc.localhost.org", false, "" },
	} {
		setup()
		c := d.client()
		if to := c.signInWithIdP(t); to != "/signin?error=oidc" {
			t.Errorf("%s: sent to %q, want the sign-in page with an error", name, to)
		}
		if res, _ := c.get("/"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: signed in anyway", name)
		}
	}
	// A callback without the browser's state cookie is refused.
	res, _ := d.client().get("/oidc/callback?code=x&state=y")
	if res.Header.Get("Location") != "/signin?error=oidc" {
		t.Fatalf("forged callback: %s", res.Header.Get("Location"))
	}
}

// The claim is read in either form a provider sends; a district whose
// provider never sends it (Microsoft Entra ID) may waive it, with its
// domains listed, and an explicit "false" is refused even then.
func TestOpenIDConnectEmailVerification(t *testing.T) {
	idp := newFakeIdP(t)
	strict := newDistrict(t, "oidcstrict", func(e *directory.Entry) {
		e.SignIn.OIDC = &directory.OIDC{DisplayName: "District", IssuerURL: idp.srv.URL, ClientID: idp.clientID,
			ClientSecret: idp.clientSecret, AllowedDomains: []string{"oidcstrict.localhost.org"}}
	})
	waived := newDistrict(t, "oidcentra", func(e *directory.Entry) {
		e.SignIn.OIDC = &directory.OIDC{DisplayName: "Entra", IssuerURL: idp.srv.URL, ClientID: idp.clientID,
			ClientSecret: idp.clientSecret, AllowedDomains: []string{"oidcentra.localhost.org"}, AllowUnverifiedEmail: true}
	})
	for _, tc := range []struct {
		d        *district
		verified string
		in       bool
	}{
		{strict, "string", true},
		{strict, "", false},
		{waived, "", true},
		{waived, "false", false},
	} {
		idp.email, idp.badNonce, idp.verified = "teacher@"+tc.d.host+".org", false, tc.verified
		c := tc.d.client()
		to := c.signInWithIdP(t)
		if got := to != "/signin?error=oidc"; got != tc.in {
			t.Errorf("%s with email_verified %q: signed in %v, want %v (sent to %q)", tc.d.host, tc.verified, got, tc.in, to)
		}
	}
}
