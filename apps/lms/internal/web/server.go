// Package web is the LMS's HTTP layer: server-rendered pages, the JSON API
// under /api/v1, health and metrics. Routes are listed in one table
// (routes.go); each names the one permission it needs, checked by the
// router before the handler runs, and a page route names the templates it
// renders, parsed at start. Handlers are methods on Server, one page
// or endpoint per file.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"bellwork.dev/bellwork/apps/lms/internal/app"
	"bellwork.dev/bellwork/apps/lms/internal/authz"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
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
	// TrustedProxies are the addresses of the proxies in front of the LMS
	// (the ingress); from them, X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
}

// DefaultConfig suits a school day: idle sign-out after two hours, absolute after twelve.
func DefaultConfig() Config {
	return Config{SessionIdle: 2 * time.Hour, SessionAbsolute: 12 * time.Hour, MaxUpload: 50 << 20}
}

// Server holds what every handler needs.
type Server struct {
	Registry *tenancy.Registry
	Mailer   mail.Mailer
	Mailbox  *mail.Mailbox // nil unless Config.DevMailbox
	Jobs     *jobs.Runner
	Log      *slog.Logger
	Now      func() time.Time
	Config   Config

	table   []route
	openapi *openapi3.T
	pages   *pages
	metrics *metrics
	oidc    *oidcProviders
}

// New puts the HTTP surface on an assembled process (app.New), built from
// the route table. It parses every template the table names: a missing or
// broken page fails here, not at request time.
func New(a *app.App, cfg Config) (*Server, error) {
	return newServer(a, cfg, (*Server).routes)
}

// newServer is New with the route table as a parameter, so tests can show
// that a bad table stops the server at start.
func newServer(a *app.App, cfg Config, table func(*Server) []route) (*Server, error) {
	s := &Server{Registry: a.Registry, Mailer: a.Mailer, Jobs: a.Jobs, Log: a.Log, Now: a.Now, Config: cfg}
	if s.Now == nil {
		s.Now = time.Now
	}
	s.table = table(s)
	if err := checkTable(s.table); err != nil {
		return nil, fmt.Errorf("route table: %w", err)
	}
	p, err := loadPages(embedded, s.table)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if s.openapi, err = openAPIDocument(s.table); err != nil {
		return nil, fmt.Errorf("OpenAPI document: %w", err)
	}
	s.pages, s.metrics, s.oidc = p, newMetrics(a.Registry), newOIDCProviders()
	s.MustRegister(a.Collectors()...)
	if mb, ok := a.Mailer.(*mail.Mailbox); ok && cfg.DevMailbox {
		s.Mailbox = mb
	}
	return s, nil
}

// Handler is what the tenant listener serves: every district's pages and
// API, by Host. It does not answer the probes (see ProbeHandler).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.table {
		mux.Handle(rt.key(), s.wrap(rt))
	}
	// Anything else is a district's "page not found".
	mux.Handle("/", s.wrap(route{Pattern: "/", Action: authz.Public, Tenant: true, serve: s.notFound}))
	return s.outer(mux)
}

// ProbeHandler is what the probe listener serves: /healthz, /readyz and
// /metrics, for the kubelet and Prometheus on the pod's probe port. Those
// list every district's name and state, so they stay off the tenant
// listener; anything else here is 404.
func (s *Server) ProbeHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.probeRoutes() {
		mux.Handle(rt.key(), s.wrap(rt))
	}
	return s.outer(mux)
}

// Serve runs the tenant listener on addr and the probe listener on
// probeAddr until ctx ends, then drains both. Either failing to listen
// stops both.
func (s *Server) Serve(ctx context.Context, addr, probeAddr string) error {
	servers := []*http.Server{
		{Addr: addr, Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout: 2 * time.Minute, WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute},
		{Addr: probeAddr, Handler: s.ProbeHandler(), ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute},
	}
	errc := make(chan error, len(servers))
	for _, srv := range servers {
		go func() { errc <- srv.ListenAndServe() }()
	}
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	// Drain the tenant listener first, so a terminating pod keeps
	// answering its probes while in-flight requests finish. Draining
	// outlives ctx, which has just ended.
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	for _, srv := range servers {
		if serr := srv.Shutdown(shut); serr != nil && err == nil {
			err = serr
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
