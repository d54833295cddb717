package web

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

func (s *Server) healthz(c *kit.Call) {
	c.W.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = c.W.Write([]byte("ok\n"))
}

type tenantHealth struct {
	Tenant    string `json:"tenant"`
	Converged bool   `json:"converged"`
	// Reachable is checked only for tenants whose pool is open: a probe must
	// neither open a connection to every district nor keep idle pools alive.
	Reachable *bool `json:"reachable,omitempty"`
}

// readyz is ready once the directory is read: from then on the replica
// answers every district, one whose database is down with that district's
// own 503 page. Database reachability is checked and reported per district
// in the body, but does not decide readiness: the only open pool may well
// be one district's that is down, and taking replicas out of the Service
// for it would leave every other district without an answer.
func (s *Server) readyz(c *kit.Call) {
	synced := s.Registry.Synced()
	var mu sync.Mutex
	list := []tenantHealth{}
	var wg sync.WaitGroup
	for _, t := range s.Registry.Tenants() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := tenantHealth{Tenant: t.Name()}
			h.Converged, _ = t.State()
			if d, open := s.Registry.Pools.Peek(t.Name()); open {
				ctx, cancel := context.WithTimeout(c.R.Context(), 2*time.Second)
				ok := d.Ping(ctx) == nil
				cancel()
				h.Reachable = &ok
			}
			mu.Lock()
			list = append(list, h)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(list, func(i, j int) bool { return list[i].Tenant < list[j].Tenant })
	status := http.StatusOK
	if !synced {
		status = http.StatusServiceUnavailable
	}
	kit.WriteJSON(c, status, map[string]any{"ready": synced, "directory": synced, "tenants": list})
}

// asset serves the embedded stylesheet, script and icon, prepared at
// start (package static).
func (s *Server) asset(c *kit.Call) {
	if !s.assets.Serve(c.W, c.R, c.R.PathValue("file")) {
		http.NotFound(c.W, c.R)
	}
}
