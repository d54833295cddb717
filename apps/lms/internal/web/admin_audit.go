package web

import (
	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
)

type auditData struct {
	Entries []audit.AuditEntry
}

func (s *Server) adminAudit(c *call) {
	var d auditData
	err := c.inTx(func(sc *db.Scope) (err error) {
		d.Entries, err = audit.ListAudit(c.r.Context(), sc, 200)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "admin_audit", "Audit log", d)
}
