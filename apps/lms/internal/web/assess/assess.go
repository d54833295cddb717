package assess

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/apps/lms/internal/web/teach"
)

// Assess lists the gradebooks of the teacher's sections.
func (s *Handlers) Assess(c *kit.Call) {
	teach.RenderOwnSections(s.Kit, c, classes.Teacher, "assess", "Assess")
}
