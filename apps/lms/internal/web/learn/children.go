package learn

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type childView struct {
	Child    people.Child
	Sections []classes.Section
}

// ChildrenData is a guardian's children with their sections (Children), or
// a student's own sections.
type ChildrenData struct {
	Children []childView
	Sections []classes.Section
}

// Children reads the signed-in guardian's children and the sections each
// is in (the guardian's home shows them too).
func Children(c *kit.Call) (ChildrenData, error) {
	var d ChildrenData
	err := c.InTx(func(sc *db.Scope) error {
		kids, err := people.MyChildren(c.R.Context(), sc)
		if err != nil {
			return err
		}
		for _, k := range kids {
			secs, err := classes.StudentSections(c.R.Context(), sc, k.UserID)
			if err != nil {
				return err
			}
			d.Children = append(d.Children, childView{Child: k, Sections: secs})
		}
		return nil
	})
	return d, err
}
