package admin

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/rostersync"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/pkg/directory"
)

// syncData is the imports page's card for the OneRoster REST sync.
type syncData struct {
	// Provider is nil until the platform team connects one (directory).
	Provider *directory.Rostering
	Settings *rostersync.Settings
	Runs     []imports.SyncRun
	// EveryHours and AutoApplyMax fill the form.
	EveryHours, AutoApplyMax int
	Enabled                  bool
}

// loadSync reads the sync's card; nil for anyone but district admins.
func loadSync(c *kit.Call, sc *db.Scope) (*syncData, error) {
	if c.Role() != db.DistrictAdmin {
		return nil, nil
	}
	d := &syncData{Provider: c.Tenant.Entry.Rostering, EveryHours: 24}
	var err error
	if d.Settings, err = rostersync.Load(c.R.Context(), sc); err != nil {
		return nil, err
	}
	if st := d.Settings; st != nil {
		d.EveryHours, d.AutoApplyMax, d.Enabled = max(st.EveryMinutes/60, 1), st.AutoApplyMax, st.Enabled
	}
	if d.Runs, err = imports.SyncRuns(c.R.Context(), sc, 10); err != nil {
		return nil, err
	}
	return d, nil
}

// SyncSave serves POST /admin/imports/sync: on or off, how often, and how
// many changes apply without review.
func (s *Handlers) SyncSave(c *kit.Call) {
	enabled := c.R.PostFormValue("enabled") == "on"
	hours, err1 := strconv.Atoi(strings.TrimSpace(c.R.PostFormValue("every_hours")))
	limit, err2 := strconv.Atoi(strings.TrimSpace(c.R.PostFormValue("auto_apply_max")))
	switch {
	case err1 != nil || hours < 1 || hours > 168:
		s.renderImports(c, http.StatusUnprocessableEntity, "Run the sync every 1 to 168 hours.")
		return
	case err2 != nil || limit < 0:
		s.renderImports(c, http.StatusUnprocessableEntity, "The number of changes that apply without review is a whole number, 0 or more.")
		return
	}
	err := c.InTx(func(sc *db.Scope) error {
		if err := rostersync.Save(c.R.Context(), sc, enabled, hours*60, limit, time.Now()); err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, "roster_sync.save", "", map[string]any{"enabled": enabled, "everyHours": hours, "autoApplyMax": limit}, c.ID)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/imports", "sync-saved")
}

// SyncNow serves POST /admin/imports/sync/run: a run at once, on the queue.
func (s *Handlers) SyncNow(c *kit.Call) {
	if c.Tenant.Entry.Rostering == nil {
		s.renderImports(c, http.StatusUnprocessableEntity, "No OneRoster provider is connected yet; ask your platform team to add one.")
		return
	}
	var saved bool
	err := c.InTxQueueing(func(sc *db.Scope) error {
		st, err := rostersync.Load(c.R.Context(), sc)
		if err != nil || st == nil {
			return err
		}
		saved = true
		if err := s.Jobs.Enqueue(c.R.Context(), sc, jobs.RosterSyncArgs{Tenant: c.Tenant.Name(), Force: true}); err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, "roster_sync.run", "", nil, c.ID)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	if !saved {
		s.renderImports(c, http.StatusUnprocessableEntity, "Save the sync settings first.")
		return
	}
	kit.Redirect(c, "/admin/imports", "sync-queued")
}
