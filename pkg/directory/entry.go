// Package directory is the contract between the operator and the LMS: the
// tenant directory. The operator publishes one Entry per ready tenant, as a
// Secret in the LMS namespace labelled LabelKey=LabelValue (key EntryKey);
// where no cluster is involved the same JSON sits in a folder, one file per
// tenant. The LMS serves a tenant exactly while its entry exists.
//
// The format is versioned: Version is FormatVersion, and readers refuse an
// entry of a newer format instead of misreading it. A field added so that
// older readers may ignore it keeps the version (database.system did);
// one that changes what an existing field means bumps it. Both sides test
// against the files in testdata/.
package directory

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/pkg/flags"
)

// FormatVersion is the version of the entry format this package writes.
const FormatVersion = 1

// Labels and keys of directory Secrets.
const (
	// LabelKey=LabelValue marks every directory Secret; the LMS watches by it.
	LabelKey   = "platform.bellwork.dev/directory"
	LabelValue = "tenant"
	// TenantLabel holds the tenant name on its directory Secret.
	TenantLabel = "platform.bellwork.dev/tenant"
	// EntryKey is the Secret data key (and the file content) holding the JSON entry.
	EntryKey = "tenant.json"
)

// SecretName is the name of a tenant's directory Secret.
func SecretName(tenant string) string { return "bellwork-tenant-" + tenant }

// Entry is everything the LMS needs to serve one tenant (district).
type Entry struct {
	// Version is the format version, FormatVersion when written by this package.
	Version int `json:"version"`
	// Tenant is the tenant's name (its slug), e.g. "lincoln-usd".
	Tenant string `json:"tenant"`
	// DisplayName is the district's name.
	DisplayName string `json:"displayName"`
	// Hosts are the host names the LMS serves the tenant on.
	Hosts []string `json:"hosts"`
	// TimeZone is the district's default IANA time zone.
	TimeZone string `json:"timeZone"`
	// Database is how the LMS reaches the tenant database.
	Database Database `json:"database"`
	// Schools are the district's current schools. The LMS archives (keeps,
	// read-only) any school it holds that is no longer listed.
	Schools []School `json:"schools,omitempty"`
	// Admins are district admins to invite.
	Admins []Admin `json:"admins,omitempty"`
	// SignIn configures passwords and OpenID Connect.
	SignIn SignIn `json:"signIn"`
	// Features are the feature flags as resolved for this tenant (see
	// pkg/flags: Flag.ForTenant). The LMS evaluates them per request; a flag
	// it cannot evaluate gives the caller's default, never an error page.
	Features flags.Set `json:"features,omitempty"`
	// FlagTokens are the hex SHA-256 digests of the bearer tokens the
	// district's other services present to the LMS's OpenFeature Remote
	// Evaluation Protocol endpoint (/ofrep/v1/...). The operator keeps the
	// token itself in a Secret in the tenant's namespace; more than one
	// digest lets a rotation overlap. Without any, the endpoint refuses
	// every call. Added without a version bump: older readers ignore it.
	FlagTokens []string `json:"flagTokens,omitempty"`
	// Rostering is the district's OneRoster REST provider, when it has one.
	// Added without a version bump: older LMS releases ignore it.
	Rostering *Rostering `json:"rostering,omitempty"`
}

// Rostering is a OneRoster REST rostering service and the district's
// credentials for it: OAuth 2.0 client credentials, or an OAuth 1.0a
// consumer key and secret (Auth "oauth1"). The secret comes from a Secret
// in the tenant's namespace.
type Rostering struct {
	// BaseURL is the service root; /ims/oneroster/... paths are added.
	BaseURL string `json:"baseURL"`
	// Version is the OneRoster version the service speaks: "1.1" or "1.2".
	Version string `json:"version"`
	// Auth is "oauth2" (empty means it too) or "oauth1".
	Auth string `json:"auth,omitempty"`
	// TokenURL is the OAuth 2.0 token endpoint (unused with oauth1).
	TokenURL     string `json:"tokenURL,omitempty"`
	ClientID     string `json:"clientID"`
	ClientSecret string `json:"clientSecret"`
	// Scope overrides the version's roster-core read-only scope.
	Scope string `json:"scope,omitempty"`
}

// Database is a tenant database's connection settings.
type Database struct {
	// Name of the database.
	Name string `json:"name"`
	// Host and Port reach the database for requests: a transaction-mode
	// pooler when there is one.
	Host string `json:"host"`
	Port int    `json:"port"`
	// DirectHost and DirectPort reach the server itself, for migrations and
	// anything needing session state; equal to Host and Port without a pooler.
	DirectHost string `json:"directHost"`
	DirectPort int    `json:"directPort"`
	// SSLMode is the libpq sslmode.
	SSLMode string `json:"sslMode"`
	// App is the LMS's role: LOGIN, NOBYPASSRLS, DML only. Requests act
	// through it, in a user context a verified session establishes.
	App Credentials `json:"app"`
	// System is the LMS's login for its own work (sign-in, invitations,
	// imports, directory convergence, the job queue): LOGIN, NOBYPASSRLS,
	// DML only, like App; row-level security honours "system" only for it.
	// Required since the LMS closed the settings context (its contract
	// migration 00005); an older LMS ignores it.
	System Credentials `json:"system"`
	// Owner owns the schema; migrations run as it.
	Owner Credentials `json:"owner"`
}

// Credentials are a role's user name and password.
type Credentials struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// School is a school as the operator publishes it.
type School struct {
	Code       string      `json:"code"`
	Name       string      `json:"name"`
	TimeZone   string      `json:"timeZone"`
	Calendar   Calendar    `json:"calendar"`
	GradeBands []GradeBand `json:"gradeBands,omitempty"`
	Branding   Branding    `json:"branding"`
	Seats      int         `json:"seats,omitempty"`
	// Archived marks a school deleted in Kubernetes: the LMS keeps its data read-only.
	Archived bool `json:"archived,omitempty"`
}

// Calendar is a school's week and year.
type Calendar struct {
	Hours    []Hours   `json:"hours,omitempty"`
	Terms    []Term    `json:"terms,omitempty"`
	Holidays []Holiday `json:"holidays,omitempty"`
}

// Hours are times a school is in session, "HH:MM" in the school's time zone.
type Hours struct {
	Days  []string `json:"days"`
	Start string   `json:"start"`
	End   string   `json:"end"`
}

// Term is an academic term; dates are "YYYY-MM-DD".
type Term struct {
	Name  string `json:"name"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Holiday is a day or span of days off; End may be empty for one day.
type Holiday struct {
	Name  string `json:"name"`
	Start string `json:"start"`
	End   string `json:"end,omitempty"`
}

// GradeBand groups grades ("PK", "K", "1".."12").
type GradeBand struct {
	Name   string   `json:"name"`
	Grades []string `json:"grades"`
}

// Branding is how a school's pages look.
type Branding struct {
	PrimaryColor string `json:"primaryColor,omitempty"`
	LogoURL      string `json:"logoURL,omitempty"`
	Motto        string `json:"motto,omitempty"`
}

// Admin is a district admin to invite. The operator made the one-time
// token and kept the sign-in link; only the token's SHA-256 is here.
type Admin struct {
	Email string `json:"email"`
	// TokenSHA256 is the hex SHA-256 of the invitation token.
	TokenSHA256 string `json:"tokenSHA256"`
	// ExpiresAt is when the invitation stops working.
	ExpiresAt time.Time `json:"expiresAt"`
}

// SignIn configures how users sign in.
type SignIn struct {
	PasswordsDisabled bool  `json:"passwordsDisabled,omitempty"`
	OIDC              *OIDC `json:"oidc,omitempty"`
}

// OIDC is an OpenID Connect provider.
type OIDC struct {
	DisplayName    string   `json:"displayName"`
	IssuerURL      string   `json:"issuerURL"`
	ClientID       string   `json:"clientID"`
	ClientSecret   string   `json:"clientSecret"`
	AllowedDomains []string `json:"allowedDomains,omitempty"`
	// AllowUnverifiedEmail accepts ID tokens without email_verified: true
	// (for a provider that never sends it; AllowedDomains must be set).
	AllowUnverifiedEmail bool `json:"allowUnverifiedEmail,omitempty"`
}

// Marshal encodes an entry deterministically (same entry, same bytes), so
// the operator can skip writes when nothing changed.
func Marshal(e *Entry) ([]byte, error) {
	if e.Version == 0 {
		e.Version = FormatVersion
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Hash is a short digest of an encoded entry, for status and change checks.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// ErrNewerFormat is returned for entries written by a newer operator.
var ErrNewerFormat = errors.New("directory entry has a newer format version than this LMS understands")

// Unmarshal decodes and validates an entry.
func Unmarshal(data []byte) (*Entry, error) {
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("decode directory entry: %w", err)
	}
	if e.Version > FormatVersion {
		return nil, fmt.Errorf("%w (entry version %d, supported %d)", ErrNewerFormat, e.Version, FormatVersion)
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return &e, nil
}

var (
	slugRE = regexp.MustCompile(`^[a-z]([a-z0-9-]*[a-z0-9])?$`)
	hostRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)
	hexRE  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Validate checks what a reader relies on.
func (e *Entry) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if e.Version < 1 {
		bad("version must be at least 1")
	}
	if !slugRE.MatchString(e.Tenant) || len(e.Tenant) > 50 {
		bad("tenant %q is not a tenant name", e.Tenant)
	}
	if len(e.Hosts) == 0 {
		bad("hosts must not be empty")
	}
	for _, h := range e.Hosts {
		if !hostRE.MatchString(h) {
			bad("host %q is not a lower-case host name", h)
		}
	}
	if _, err := time.LoadLocation(e.TimeZone); err != nil || e.TimeZone == "" {
		bad("timeZone %q is not an IANA time zone", e.TimeZone)
	}
	d := e.Database
	if d.Name == "" || d.Host == "" || d.Port <= 0 || d.DirectHost == "" || d.DirectPort <= 0 {
		bad("database needs name, host, port, directHost and directPort")
	}
	if d.App.User == "" || d.Owner.User == "" || d.System.User == "" {
		bad("database needs app, system and owner users")
	}
	codes := map[string]bool{}
	for _, s := range e.Schools {
		if s.Code == "" || codes[s.Code] {
			bad("school code %q is empty or repeated", s.Code)
		}
		codes[s.Code] = true
		if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
			bad("school %s: timeZone %q is not an IANA time zone", s.Code, s.TimeZone)
		}
	}
	for _, a := range e.Admins {
		if !strings.Contains(a.Email, "@") || !hexRE.MatchString(a.TokenSHA256) {
			bad("admin %q needs an e-mail address and a hex SHA-256 token hash", a.Email)
		}
	}
	for _, h := range e.FlagTokens {
		if !hexRE.MatchString(h) {
			bad("flagTokens must be hex SHA-256 digests")
			break
		}
	}
	if r := e.Rostering; r != nil {
		urls := []string{r.BaseURL}
		switch r.Auth {
		case "", "oauth2":
			urls = append(urls, r.TokenURL)
		case "oauth1":
		default:
			bad("rostering: auth %q is not oauth2 or oauth1", r.Auth)
		}
		for _, u := range urls {
			if parsed, err := url.Parse(u); err != nil || (parsed.Scheme != "https" && parsed.Scheme != "http") || parsed.Host == "" {
				bad("rostering: %q is not an http(s) URL", u)
			}
		}
		if r.Version != "1.1" && r.Version != "1.2" {
			bad("rostering: version %q is not 1.1 or 1.2", r.Version)
		}
		if r.ClientID == "" || r.ClientSecret == "" {
			bad("rostering needs clientID and clientSecret")
		}
	}
	return errors.Join(errs...)
}

// AppURL is the pgx connection URL for the app role through the pooler.
func (d Database) AppURL() string {
	return connURL(d.Host, d.Port, d.Name, d.App, d.SSLMode)
}

// SystemURL is the pgx connection URL for the system login through the
// pooler.
func (d Database) SystemURL() string {
	return connURL(d.Host, d.Port, d.Name, d.System, d.SSLMode)
}

// OwnerURL connects as the owner directly to the server (migrations).
func (d Database) OwnerURL() string {
	return connURL(d.DirectHost, d.DirectPort, d.Name, d.Owner, d.SSLMode)
}

// AppDirectURL connects as the app role directly to the server, for work
// needing session state.
func (d Database) AppDirectURL() string {
	return connURL(d.DirectHost, d.DirectPort, d.Name, d.App, d.SSLMode)
}

// SystemDirectURL connects as the system login directly to the server,
// past any pooler (the LMS's login check: a pooler may answer while the
// server refuses the login).
func (d Database) SystemDirectURL() string {
	return connURL(d.DirectHost, d.DirectPort, d.Name, d.System, d.SSLMode)
}

func connURL(host string, port int, db string, c Credentials, sslMode string) string {
	if sslMode == "" {
		sslMode = "prefer"
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword(c.User, c.Password),
		Host: net.JoinHostPort(host, strconv.Itoa(port)), Path: "/" + db,
		RawQuery: url.Values{"sslmode": {sslMode}}.Encode()}
	return u.String()
}
