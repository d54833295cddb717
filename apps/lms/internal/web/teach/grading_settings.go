package teach

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type gradingSettingsPage struct {
	Section *classes.Section
	Book    *grading.Section
	// Members are each group's assignments, for marking them never drop.
	Members  map[string][]grading.Column
	Settings *grading.Settings
	Scheme   string
	Default  string
	Errors   validate.Errors
	Saved    bool
}

func (s *Handlers) loadGradingSettings(c *kit.Call) (*gradingSettingsPage, error) {
	d := &gradingSettingsPage{Default: grading.FormatScheme(grading.DefaultScheme), Saved: c.R.URL.Query().Get("done") == "saved"}
	err := c.InTx(func(sc *db.Scope) (err error) {
		ctx := c.R.Context()
		if d.Section, err = classes.GetSection(ctx, sc, c.R.PathValue("id")); err != nil {
			return err
		}
		if d.Book, err = grading.ForSection(ctx, sc, d.Section.ID, s.Now()); err != nil {
			return err
		}
		d.Settings = d.Book.Settings
		d.Members = map[string][]grading.Column{}
		for _, col := range d.Book.Columns {
			d.Members[col.GroupID] = append(d.Members[col.GroupID], col)
		}
		d.Scheme = grading.FormatScheme(d.Settings.Scheme)
		return nil
	})
	return d, err
}

// GradingSettings shows a section's grading settings: weighting, drop
// rules per group, late and missing policies, posting, scheme, periods.
func (s *Handlers) GradingSettings(c *kit.Call) {
	d, err := s.loadGradingSettings(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "grading_settings", "Grading settings · "+d.Section.Title, d)
}

// SaveGradingSettings stores the settings form and every group's drop rules.
func (s *Handlers) SaveGradingSettings(c *kit.Call) {
	d, err := s.loadGradingSettings(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	f := c.R.PostFormValue
	in := grading.SettingsInput{Weighting: f("weighting"), LateDeduction: f("late_deduction"), LateInterval: f("late_interval"),
		LateFloor: f("late_floor"), MissingScore: f("missing_score"), PostPolicy: f("post_policy"), Scheme: f("scheme"),
		WeightedPeriods: f("weighted_periods") == "on", PeriodWeights: map[string]string{}}
	for _, p := range d.Book.Periods {
		if v := f("period_weight_" + p.ID); v != "" {
			in.PeriodWeights[p.ID] = v
		}
	}
	err = c.InTx(func(sc *db.Scope) error {
		ctx := c.R.Context()
		if _, err := grading.SaveSettings(ctx, sc, d.Section.ID, in); err != nil {
			return err
		}
		for _, g := range d.Book.Groups {
			if g.ID == grading.Ungrouped {
				continue
			}
			rules := grading.DropRules{Lowest: f("drop_lowest_" + g.ID), Highest: f("drop_highest_" + g.ID),
				NeverDrop: c.R.PostForm["never_drop_"+g.ID]}
			if err := grading.SaveDropRules(ctx, sc, d.Section.ID, g.ID, rules, c.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if ve, ok := validate.As(err); ok {
		d.Errors = ve
		d.Scheme = in.Scheme
		s.RenderStatus(c, http.StatusUnprocessableEntity, "grading_settings", "Grading settings · "+d.Section.Title, d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/teach/sections/"+d.Section.ID+"/grading", "saved")
}
