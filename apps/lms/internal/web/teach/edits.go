package teach

import (
	"net/http"
	"strconv"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Editing a section's announcements and assignment groups.

type announcementForm struct {
	ID, SectionID, SectionTitle string
	Title, Body, Error          string
}

// EditAnnouncement shows an announcement's form to a teacher of its section.
func (s *Handlers) EditAnnouncement(c *kit.Call) {
	d := &announcementForm{}
	err := c.InTx(func(sc *db.Scope) error {
		a, err := coursework.GetAnnouncement(c.R.Context(), sc, c.R.PathValue("id"))
		if err != nil {
			return err
		}
		d.ID, d.SectionID, d.Title, d.Body = a.ID, a.SectionID, a.Title, a.BodyHTML
		return sectionTitle(c, sc, a.SectionID, &d.SectionTitle)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "announcement_form", "Edit announcement", d)
}

// UpdateAnnouncement saves an announcement's title and message.
func (s *Handlers) UpdateAnnouncement(c *kit.Call) {
	id, title, body := c.R.PathValue("id"), c.R.PostFormValue("title"), c.R.PostFormValue("body")
	var a *coursework.Announcement
	err := c.InTx(func(sc *db.Scope) (err error) {
		a, err = coursework.UpdateAnnouncement(c.R.Context(), sc, id, title, body)
		return err
	})
	if ve, ok := validate.As(err); ok {
		d := &announcementForm{ID: id, Title: title, Body: body, Error: ve.Error()}
		if err := c.InTx(func(sc *db.Scope) error {
			old, err := coursework.GetAnnouncement(c.R.Context(), sc, id)
			if err != nil {
				return err
			}
			d.SectionID = old.SectionID
			return sectionTitle(c, sc, old.SectionID, &d.SectionTitle)
		}); err != nil {
			s.Fail(c, err)
			return
		}
		s.RenderStatus(c, http.StatusUnprocessableEntity, "announcement_form", "Edit announcement", d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/teach/sections/"+a.SectionID, "announcement-saved")
}

type groupForm struct {
	ID, SectionID, SectionTitle string
	Name, Weight, Error         string
}

// EditGroup shows an assignment group's form to a teacher of its section.
func (s *Handlers) EditGroup(c *kit.Call) {
	d := &groupForm{}
	err := c.InTx(func(sc *db.Scope) error {
		g, err := coursework.GetGroup(c.R.Context(), sc, c.R.PathValue("id"))
		if err != nil {
			return err
		}
		d.ID, d.SectionID, d.Name = g.ID, g.SectionID, g.Name
		if g.Weight != nil {
			d.Weight = strconv.FormatFloat(*g.Weight, 'f', -1, 64)
		}
		return sectionTitle(c, sc, g.SectionID, &d.SectionTitle)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "group_form", "Edit "+d.Name, d)
}

// UpdateGroup saves a group's name and weight.
func (s *Handlers) UpdateGroup(c *kit.Call) {
	id := c.R.PathValue("id")
	in := coursework.GroupInput{Name: c.R.PostFormValue("name"), Weight: c.R.PostFormValue("weight")}
	var g *coursework.Group
	err := c.InTx(func(sc *db.Scope) (err error) {
		g, err = coursework.UpdateGroup(c.R.Context(), sc, id, in)
		return err
	})
	if ve, ok := validate.As(err); ok {
		d := &groupForm{ID: id, Name: in.Name, Weight: in.Weight, Error: ve.Error()}
		if err := c.InTx(func(sc *db.Scope) error {
			old, err := coursework.GetGroup(c.R.Context(), sc, id)
			if err != nil {
				return err
			}
			d.SectionID = old.SectionID
			return sectionTitle(c, sc, old.SectionID, &d.SectionTitle)
		}); err != nil {
			s.Fail(c, err)
			return
		}
		s.RenderStatus(c, http.StatusUnprocessableEntity, "group_form", "Edit group", d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/teach/sections/"+g.SectionID, "group-saved")
}

func sectionTitle(c *kit.Call, sc *db.Scope, id string, title *string) error {
	sec, err := classes.GetSection(c.R.Context(), sc, id)
	if err == nil {
		*title = sec.Title
	}
	return err
}
