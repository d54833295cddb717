// Package kit is what every area of the LMS's web layer shares: the
// request as handlers see it (Call), the route helpers and the checks on
// the route table, the middleware (district, session, permission, CSRF,
// CSP), rendering of the templates a route declares, error pages and
// problem+json, flash messages and the navigation. The areas (account,
// admin, teach, …) import the kit; the kit imports no area, and the web
// package composes the areas' handlers into the one route table.
package kit

import (
	"log/slog"
	"net/netip"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/features"
	"bellwork.dev/bellwork/apps/lms/internal/health"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/storage"
	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
)

// Config holds the server's settings.
type Config struct {
	// SessionIdle signs a browser out after this long without a request.
	SessionIdle time.Duration
	// SessionAbsolute signs a browser out this long after sign-in, whatever happens.
	SessionAbsolute time.Duration
	// DevMailbox serves /dev/mailbox, listing the mail the LMS sent (local development and tests only).
	DevMailbox bool
	// MaxUpload caps an import upload, in bytes.
	MaxUpload int64
	// Files is where uploaded files (assignment attachments, submissions)
	// are kept; nil refuses uploads with a sentence saying so.
	Files storage.Store
	// MaxFileUpload caps one uploaded file, in bytes.
	MaxFileUpload int64
	// TrustedProxies are the addresses of the proxies in front of the LMS
	// (the ingress); from them, X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
}

// DefaultConfig suits a school day: idle sign-out after two hours, absolute after twelve.
func DefaultConfig() Config {
	return Config{SessionIdle: 2 * time.Hour, SessionAbsolute: 12 * time.Hour, MaxUpload: 50 << 20, MaxFileUpload: 25 << 20}
}

// Kit holds what every handler needs; each area's Handlers embed it.
type Kit struct {
	Registry *tenancy.Registry
	Mailer   mail.Mailer
	Jobs     *jobs.Runner
	// Health is the process's health monitor (nil in bare route-table tests).
	Health *health.Monitor
	Log    *slog.Logger
	Now    func() time.Time
	// LinkKey is the key that signs a district's e-mailed links (app.App.LinkKey).
	LinkKey func(t *tenancy.Tenant) []byte
	Config  Config
	// Pages are the templates the route table declares (LoadPages).
	Pages *Pages
	// Flags counts feature flag evaluations (Call.Features); nil counts nothing.
	Flags *features.Metrics
	// Observe records each answered request (metrics): its route pattern,
	// the district it was for ("" when none: assets, probes, unknown hosts),
	// status and duration; nil records nothing.
	Observe func(route, tenant string, status int, d time.Duration)
}
