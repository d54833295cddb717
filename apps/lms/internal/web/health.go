package web

import (
	"context"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sync"
	"time"
)

func (s *Server) healthz(c *call) {
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = c.w.Write([]byte("ok\n"))
}

type tenantHealth struct {
	Tenant    string `json:"tenant"`
	Converged bool   `json:"converged"`
	Reachable bool   `json:"reachable"`
}

// readyz is ready once the directory is read and at least one tenant's
// database answers (or there are no tenants). One unreachable district must
// not take the whole fleet out of service, so it only shows in the body.
func (s *Server) readyz(c *call) {
	body := map[string]any{"directory": s.Registry.Synced()}
	var mu sync.Mutex
	var list []tenantHealth
	var wg sync.WaitGroup
	for _, t := range s.Registry.Tenants() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := tenantHealth{Tenant: t.Name()}
			h.Converged, _ = t.State()
			if d, err := s.Registry.DB(t); err == nil {
				ctx, cancel := context.WithTimeout(c.r.Context(), 2*time.Second)
				h.Reachable = d.Ping(ctx) == nil
				cancel()
			}
			mu.Lock()
			list = append(list, h)
			mu.Unlock()
		}()
	}
	wg.Wait()
	body["tenants"] = list
	ready := s.Registry.Synced()
	if len(list) > 0 {
		any := false
		for _, h := range list {
			any = any || h.Reachable
		}
		ready = ready && any
	}
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
	}
	body["ready"] = ready
	writeJSON(c, status, body)
}

// asset serves the embedded stylesheet, script and icon.
func (s *Server) asset(c *call) {
	name := path.Clean(c.r.PathValue("file"))
	data, err := fs.ReadFile(subFS("assets"), name)
	if err != nil {
		http.NotFound(c.w, c.r)
		return
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		c.w.Header().Set("Content-Type", t)
	}
	c.w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = c.w.Write(data)
}
