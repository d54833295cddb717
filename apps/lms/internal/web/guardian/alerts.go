package guardian

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/guardian"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// alertsPage is the guardian's digest settings page.
type alertsPage struct {
	Alerts guardian.Alerts
	// Threshold is the grade threshold as typed ("" for none).
	Threshold string
	Children  []people.Child
	LastSent  *time.Time
	Zone      string
	SendHour  int
	Problem   string
}

// Is says whether frequency f is chosen (for the radios).
func (d alertsPage) Is(f string) bool { return string(d.Alerts.Frequency) == f }

// AlertsForm shows a guardian their digest settings.
func (s *Handlers) AlertsForm(c *kit.Call) {
	d := alertsPage{Zone: c.Tenant.Entry.TimeZone, SendHour: guardian.SendHour}
	if err := c.InTx(func(sc *db.Scope) error { return s.loadAlerts(c, sc, &d) }); err != nil {
		s.Fail(c, err)
		return
	}
	if d.Alerts.GradeBelow != nil {
		d.Threshold = points(*d.Alerts.GradeBelow)
	}
	s.Render(c, "guardian_alerts", "Alerts", d)
}

func (s *Handlers) loadAlerts(c *kit.Call, sc *db.Scope, d *alertsPage) (err error) {
	ctx := c.R.Context()
	if d.Alerts, err = guardian.MyAlerts(ctx, sc); err != nil {
		return err
	}
	if d.Children, err = people.MyChildren(ctx, sc); err != nil {
		return err
	}
	d.LastSent, err = guardian.LastDigest(ctx, sc, sc.Actor.UserID)
	return err
}

// SaveAlerts stores a guardian's digest settings.
func (s *Handlers) SaveAlerts(c *kit.Call) {
	f := c.R.PostForm
	a, perr := guardian.ParseAlerts(f.Get("frequency"), f.Get("grade_below"), f.Get("missing") != "", f.Get("grade_posted") != "")
	if perr != nil {
		d := alertsPage{Zone: c.Tenant.Entry.TimeZone, SendHour: guardian.SendHour, Threshold: f.Get("grade_below")}
		if err := c.InTx(func(sc *db.Scope) error { return s.loadAlerts(c, sc, &d) }); err != nil {
			s.Fail(c, err)
			return
		}
		d.Alerts = a
		d.Problem = strings.TrimPrefix(perr.Error(), guardian.ErrInvalidAlerts.Error()+": ")
		if !errors.Is(perr, guardian.ErrInvalidAlerts) {
			d.Problem = "Those settings could not be read. Check them and save again."
		}
		s.RenderStatus(c, http.StatusUnprocessableEntity, "guardian_alerts", "Alerts", d)
		return
	}
	err := c.InTx(func(sc *db.Scope) error { return guardian.SaveMyAlerts(c.R.Context(), sc, a, s.Now()) })
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/guardian/alerts", "alerts-saved")
}

// points prints a percentage without trailing zeros ("70", "72.5").
func points(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
