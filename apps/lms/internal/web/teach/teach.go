package teach

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Teach serves GET /teach.
func (s *Handlers) Teach(c *kit.Call) { RenderOwnSections(s.Kit, c, classes.Teacher, "teach", "Teach") }
