package admin

import (
	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type auditData struct {
	Entries []audit.AuditEntry
}

// Audit serves GET /admin/audit.
func (s *Handlers) Audit(c *kit.Call) {
	var d auditData
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Entries, err = audit.ListAudit(c.R.Context(), sc, 200)
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "admin_audit", "Audit log", d)
}
