package admin

import (
	"fmt"
	"math"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/health"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// healthCheck is one row of /admin/health: the check, its value now, its
// last 24 hours and what to do when it is red.
type healthCheck struct {
	ID, Name, About string
	Status          string // "ok", "red" or "unknown"
	Value           string
	Advice          string
	Chart           *chart
}

type healthData struct {
	Checks  []healthCheck
	Sampled bool // some history exists
	Every   string
}

// checkDef says how a check reads, judges and charts a point.
type checkDef struct {
	id, name, about, advice, unit string
	// value is the charted number (NaN: not measured), red whether it is bad.
	value  func(health.Point) float64
	red    func(health.Point) bool
	format func(health.Point) string
	// limit is the red line drawn on the chart (in value's unit).
	limit float64
}

var healthChecks = []checkDef{
	{id: "database", name: "Database", unit: "ms",
		about:  "Whether your district's database answers, and how long a round trip takes.",
		advice: "Teachers and students see an “unavailable” page. Tell your platform team that your district's database does not answer the LMS; the LMS reconnects by itself once it does. Nothing in these admin pages can fix it.",
		value: func(p health.Point) float64 {
			if !p.DatabaseUp {
				return math.NaN()
			}
			return p.DatabaseSeconds * 1000
		},
		red: func(p health.Point) bool { return !p.DatabaseUp || p.DatabaseSeconds >= 1 },
		format: func(p health.Point) string {
			if !p.DatabaseUp {
				return "Not answering"
			}
			if ms := p.DatabaseSeconds * 1000; ms < 10 {
				return fmt.Sprintf("Answering in %.1f ms", ms)
			}
			return fmt.Sprintf("Answering in %.0f ms", p.DatabaseSeconds*1000)
		},
		limit: 1000},
	{id: "pool", name: "Connection pool", unit: "%",
		about:  "The share of this LMS server's database connections for your district in use. Red from 90 %.",
		advice: "Pages wait for a free database connection. If it stays red during class, tell your platform team: they can raise the pool size or look for slow pages.",
		value:  func(p health.Point) float64 { return p.PoolSaturation * 100 },
		red:    func(p health.Point) bool { return p.PoolSaturation >= 0.9 },
		format: func(p health.Point) string { return fmt.Sprintf("%.0f %% in use", p.PoolSaturation*100) },
		limit:  90},
	{id: "jobs", name: "Background jobs", unit: "min",
		about:  "Imports and notifications wait in a queue; this is how long the oldest waiting job has waited. Red from 10 minutes.",
		advice: "Imports and e-mails are late. Look at Imports for one that does not finish; if the queue keeps growing, tell your platform team.",
		value:  func(p health.Point) float64 { return p.JobsOldestSeconds / 60 },
		red:    func(p health.Point) bool { return p.JobsOldestSeconds >= 600 },
		format: func(p health.Point) string {
			if math.IsNaN(p.JobsQueued) {
				return "Not measured"
			}
			if p.JobsQueued == 0 {
				return "None waiting"
			}
			return fmt.Sprintf("%.0f waiting, oldest for %s", p.JobsQueued, roundDuration(p.JobsOldestSeconds))
		},
		limit: 10},
	{id: "directory", name: "District settings", unit: "min",
		about:  "How long ago the LMS last read your district's settings (schools, branding, admins) from the platform. Red from 30 minutes.",
		advice: "Changes your platform team makes to schools, branding or admins do not reach the LMS. Tell them the LMS cannot read the tenant directory.",
		value:  func(p health.Point) float64 { return p.DirectorySeconds / 60 },
		red:    func(p health.Point) bool { return p.DirectorySeconds >= 1800 },
		format: func(p health.Point) string { return "Read " + roundDuration(p.DirectorySeconds) + " ago" },
		limit:  30},
	{id: "storage", name: "File storage", unit: "ms",
		about:  "Whether the LMS can save files (assignment attachments, submissions), and how long saving a small test file takes. Red when it cannot, or from 2 seconds.",
		advice: "Teachers and students cannot upload files, and files already uploaded may not open. Tell your platform team that the LMS cannot write to its file storage (the folder or bucket, its credentials, or a full disk); ask students to keep their work until uploads are back.",
		value: func(p health.Point) float64 {
			if p.StorageUp != 1 {
				return math.NaN()
			}
			return p.StorageSeconds * 1000
		},
		red: func(p health.Point) bool { return p.StorageUp == 0 || p.StorageSeconds >= 2 },
		format: func(p health.Point) string {
			switch {
			case math.IsNaN(p.StorageUp):
				return "No file storage set up: uploads are turned off"
			case p.StorageUp == 0:
				return "Cannot save files"
			case p.StorageSeconds*1000 < 10:
				return fmt.Sprintf("Saving in %.1f ms", p.StorageSeconds*1000)
			}
			return fmt.Sprintf("Saving in %.0f ms", p.StorageSeconds*1000)
		},
		limit: 2000},
}

// HealthChecks serves GET /admin/health: the district's own checks (the route
// lets only district admins in; the tenant comes from the host, so no
// other district can be asked for).
func (s *Handlers) HealthChecks(c *kit.Call) {
	d := healthData{Every: "minute"}
	if s.Kit.Health == nil {
		s.Render(c, "admin_health", "Health", d)
		return
	}
	now := s.Now()
	current := s.Kit.Health.Measure(c.R.Context(), c.DB, now)
	history := s.Kit.Health.History(c.Tenant.Name())
	d.Sampled = len(history) > 0
	for _, def := range healthChecks {
		hc := healthCheck{ID: def.id, Name: def.name, About: def.about, Advice: def.advice, Value: def.format(current), Status: "ok"}
		switch {
		case def.red(current):
			hc.Status = "red"
		case math.IsNaN(def.value(current)) && current.DatabaseUp:
			hc.Status = "unknown"
		}
		if d.Sampled {
			hc.Chart = drawChart(def, history, now)
		}
		d.Checks = append(d.Checks, hc)
	}
	s.Render(c, "admin_health", "Health", d)
}

func roundDuration(seconds float64) string {
	d := time.Duration(seconds) * time.Second
	switch {
	case d < time.Minute:
		return d.Truncate(time.Second).String()
	case d < time.Hour:
		return d.Truncate(time.Minute).String()
	default:
		return d.Truncate(time.Hour).String()
	}
}
