package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// A section's home through the API: its announcements and assignment
// groups, as the Teach and Learn section pages show them.

type announcementList struct {
	Items []coursework.Announcement `json:"items"`
}

type announcementRequest struct {
	Title string `json:"title"`
	Body  string `json:"body" doc:"Rich text (HTML), sanitised like assignment instructions"`
}

// Announcements lists a section's latest announcements (50 at most), newest first.
func (s *Handlers) Announcements(c *kit.Call) {
	s.answerAnnouncements(c, http.StatusOK, nil)
}

// Announce posts an announcement to a section the teacher teaches and
// answers the section's announcements.
func (s *Handlers) Announce(c *kit.Call) {
	var req announcementRequest
	if !s.decode(c, &req) {
		return
	}
	s.answerAnnouncements(c, http.StatusCreated, func(sc *db.Scope) error {
		return coursework.Announce(c.R.Context(), sc, c.R.PathValue("id"), req.Title, req.Body)
	})
}

func (s *Handlers) answerAnnouncements(c *kit.Call, status int, change func(*db.Scope) error) {
	out := announcementList{Items: []coursework.Announcement{}}
	err := c.InTx(func(sc *db.Scope) error {
		if change != nil {
			if err := change(sc); err != nil {
				return err
			}
		}
		list, err := coursework.Announcements(c.R.Context(), sc, c.R.PathValue("id"), 50)
		if list != nil {
			out.Items = list
		}
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, status, out)
}

type groupList struct {
	Items []coursework.Group `json:"items"`
}

// Groups lists a section's assignment groups in order.
func (s *Handlers) Groups(c *kit.Call) {
	out := groupList{Items: []coursework.Group{}}
	err := c.InTx(func(sc *db.Scope) error {
		list, err := coursework.SectionGroups(c.R.Context(), sc, c.R.PathValue("id"))
		if list != nil {
			out.Items = list
		}
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, out)
}

// CreateGroup adds an assignment group to a section the teacher teaches.
func (s *Handlers) CreateGroup(c *kit.Call) {
	var in coursework.GroupInput
	if !s.decode(c, &in) {
		return
	}
	var g *coursework.Group
	err := c.InTx(func(sc *db.Scope) (err error) {
		g, err = coursework.CreateGroup(c.R.Context(), sc, c.R.PathValue("id"), in)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusCreated, g)
}
