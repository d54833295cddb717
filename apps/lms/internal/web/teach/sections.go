package teach

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type sectionsData struct {
	Sections []classes.Section
}

// RenderOwnSections renders a page listing the sections the user is
// enrolled in with a role (teacher or student).
func RenderOwnSections(s *kit.Kit, c *kit.Call, enrolledAs classes.EnrollmentRole, page, title string) {
	var d sectionsData
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Sections, err = classes.MySections(c.R.Context(), sc, enrolledAs)
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, page, title, d)
}
