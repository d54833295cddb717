package teach

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Announce posts an announcement to the section's home.
func (s *Handlers) Announce(c *kit.Call) {
	id := c.R.PathValue("id")
	title, body := c.R.PostFormValue("title"), c.R.PostFormValue("body")
	err := c.InTx(func(sc *db.Scope) error { return coursework.Announce(c.R.Context(), sc, id, title, body) })
	if s.showSectionAgain(c, err, func(d *sectionHome) { d.Form.Title, d.Form.Body = title, body }) {
		return
	}
	kit.Redirect(c, "/teach/sections/"+id, "announced")
}

// AddGroup adds an assignment group to the section.
func (s *Handlers) AddGroup(c *kit.Call) {
	id := c.R.PathValue("id")
	in := coursework.GroupInput{Name: c.R.PostFormValue("name"), Weight: c.R.PostFormValue("weight")}
	err := c.InTx(func(sc *db.Scope) error {
		_, err := coursework.CreateGroup(c.R.Context(), sc, id, in)
		return err
	})
	if s.showSectionAgain(c, err, func(d *sectionHome) { d.Form.GroupName, d.Form.GroupWeight = in.Name, in.Weight }) {
		return
	}
	kit.Redirect(c, "/teach/sections/"+id, "group-added")
}

// showSectionAgain shows the section home with the input's problem (422),
// or fails; it reports whether it answered.
func (s *Handlers) showSectionAgain(c *kit.Call, err error, keep func(*sectionHome)) bool {
	if err == nil {
		return false
	}
	ve, invalid := validate.As(err)
	if !invalid {
		s.Fail(c, err)
		return true
	}
	d, lerr := loadSectionHome(c)
	if lerr != nil {
		s.Fail(c, lerr)
		return true
	}
	d.Error = ve.Error()
	keep(d)
	s.RenderStatus(c, http.StatusUnprocessableEntity, "section", d.Section.Title, d)
	return true
}
