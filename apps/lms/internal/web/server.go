// Package web is the LMS's HTTP layer: server-rendered pages, the JSON API
// under /api/v1, health and metrics. Routes are listed in one table
// (routes.go); each names the one permission it needs, checked by the
// router before the handler runs, and a page route names the templates it
// renders, parsed at start. The handlers live in one package per area
// (account, home, admin, plan, teach, learn, assess, report, api), one
// page or endpoint per file, on top of the shared kit (web/kit); this
// package composes them and serves what is process-wide: probes, metrics,
// assets, the OpenAPI document and the development mailbox.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"bellwork.dev/bellwork/apps/lms/internal/app"
	"bellwork.dev/bellwork/apps/lms/internal/authz"
	"bellwork.dev/bellwork/apps/lms/internal/features"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/apps/lms/internal/web/static"
)

// Config holds the server's settings (kit.Config).
type Config = kit.Config

// DefaultConfig suits a school day: idle sign-out after two hours, absolute after twelve.
func DefaultConfig() Config { return kit.DefaultConfig() }

// Server is the LMS's HTTP surface: the kit every handler shares, the
// route table composed from the areas (routes.go), and what only the
// process-wide endpoints need.
type Server struct {
	*kit.Kit
	Mailbox *mail.Mailbox // nil unless Config.DevMailbox

	table   []kit.Route
	openapi *openapi3.T
	// assets and openapiBody are prepared at start: fingerprinted,
	// compressed and tagged (package static).
	assets      *static.Set
	openapiBody *static.Body
	metrics     *metrics
}

// New puts the HTTP surface on an assembled process (app.New), built from
// the route table. It parses every template the table names: a missing or
// broken page fails here, not at request time.
func New(a *app.App, cfg Config) (*Server, error) {
	return newServer(a, cfg, (*Server).routes)
}

// newServer is New with the route table as a parameter, so tests can show
// that a bad table stops the server at start.
func newServer(a *app.App, cfg Config, table func(*Server) []kit.Route) (*Server, error) {
	// One file store for the pages and the jobs: import files the pages
	// store are read by the import job.
	cfg.Files = a.UseFiles(cfg.Files)
	s := &Server{Kit: &kit.Kit{Registry: a.Registry, Mailer: a.Mailer, Jobs: a.Jobs, Health: a.Health, Log: a.Log, Now: a.Now, Config: cfg}}
	if s.Now == nil {
		s.Now = time.Now
	}
	s.table = table(s)
	if err := kit.CheckTable(s.table); err != nil {
		return nil, fmt.Errorf("route table: %w", err)
	}
	var err error
	if s.assets, err = static.Load(subFS("assets")); err != nil {
		return nil, err
	}
	p, err := kit.LoadPages(embedded, s.table, template.FuncMap{"asset": s.assets.Path})
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if s.openapi, err = openAPIDocument(s.table); err != nil {
		return nil, fmt.Errorf("OpenAPI document: %w", err)
	}
	if s.openapiBody, err = openAPIBody(s.openapi); err != nil {
		return nil, fmt.Errorf("OpenAPI document: %w", err)
	}
	s.Pages, s.metrics = p, newMetrics(a.Registry)
	s.Observe = s.metrics.observe
	s.Flags = features.NewMetrics()
	s.MustRegister(s.Flags.Collector())
	s.MustRegister(a.Collectors()...)
	if a.Health != nil {
		// The health checks probe the store the pages keep files in.
		a.Health.WatchFiles(cfg.Files)
	}
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
		mux.Handle(rt.Key(), s.Wrap(rt))
	}
	// Anything else is a district's "page not found".
	mux.Handle("/", s.Wrap(kit.Route{Pattern: "/", Action: authz.Public, Tenant: true, Serve: s.NotFound}))
	return s.Outer(mux)
}

// ProbeHandler is what the probe listener serves: /healthz, /readyz and
// /metrics, for the kubelet and Prometheus on the pod's probe port. Those
// list every district's name and state, so they stay off the tenant
// listener; anything else here is 404.
func (s *Server) ProbeHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.probeRoutes() {
		mux.Handle(rt.Key(), s.Wrap(rt))
	}
	return s.Outer(mux)
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
