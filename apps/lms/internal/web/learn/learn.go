package learn

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Learn serves GET /learn.
func (s *Handlers) Learn(c *kit.Call) {
	if c.Role() == db.Guardian {
		d, err := Children(c)
		if err != nil {
			s.Fail(c, err)
			return
		}
		s.Render(c, "learn", "Learn", d)
		return
	}
	var d ChildrenData
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Sections, err = classes.MySections(c.R.Context(), sc, classes.Student)
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "learn", "Learn", d)
}
