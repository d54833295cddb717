package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Sections lists the sections the caller's role is about: a teacher's
// own, a student's own, a guardian's children's, an admin's school or district.
func (s *Handlers) Sections(c *kit.Call) {
	var secs []classes.Section
	err := c.InTx(func(sc *db.Scope) (err error) {
		ctx := c.R.Context()
		switch c.Role() {
		case db.Teacher:
			secs, err = classes.MySections(ctx, sc, classes.Teacher)
		case db.Student:
			secs, err = classes.MySections(ctx, sc, classes.Student)
		case db.Guardian:
			kids, err := people.MyChildren(ctx, sc)
			if err != nil {
				return err
			}
			for _, k := range kids {
				more, err := classes.StudentSections(ctx, sc, k.UserID)
				if err != nil {
					return err
				}
				secs = append(secs, more...)
			}
		default:
			secs, err = classes.ListSections(ctx, sc, c.Actor().SchoolID)
		}
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if secs == nil {
		secs = []classes.Section{}
	}
	kit.WriteJSON(c, http.StatusOK, sectionList{Items: secs})
}

type sectionList struct {
	Items []classes.Section `json:"items"`
}
