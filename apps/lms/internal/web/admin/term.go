package admin

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type termData struct {
	Term  *classes.Term
	Error string
}

// Term shows a term's form; terms of other schools read as not found.
func (s *Handlers) Term(c *kit.Call) {
	var d termData
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Term, err = classes.GetTerm(c.R.Context(), sc, c.R.PathValue("id"))
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "admin_term", d.Term.Name, d)
}

// TermUpdate renames a term or moves its dates.
func (s *Handlers) TermUpdate(c *kit.Call) {
	name, starts, ends, invalid := termInput(c).Check()
	var d termData
	err := c.InTx(func(sc *db.Scope) (err error) {
		if d.Term, err = classes.GetTerm(c.R.Context(), sc, c.R.PathValue("id")); err != nil || invalid != nil {
			return err
		}
		if err := classes.UpdateTerm(c.R.Context(), sc, d.Term.ID, name, starts, ends); err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, "term.update", d.Term.ID, map[string]any{"name": name}, c.ID)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	if invalid != nil {
		d.Error = invalid.Error()
		s.RenderStatus(c, http.StatusUnprocessableEntity, "admin_term", d.Term.Name, d)
		return
	}
	kit.Redirect(c, "/admin/terms", "term-updated")
}
