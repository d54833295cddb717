package guardian

import (
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/guardian"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// HomeData is the guardian home: every linked child.
type HomeData struct {
	Children []guardian.Child
}

// Home renders the guardian's home page (GET / acting as a guardian).
func (s *Handlers) Home(c *kit.Call, page string) {
	var d HomeData
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Children, err = guardian.Overview(c.R.Context(), sc, s.Now())
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, page, "My children", d)
}
