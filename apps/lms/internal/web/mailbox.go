package web

import (
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type mailboxData struct {
	Messages []mail.Message
}

// mailbox lists the mail sent for this district (development only: the
// route exists only with --dev-mailbox).
func (s *Server) mailbox(c *kit.Call) {
	var d mailboxData
	if s.Mailbox != nil {
		d.Messages = s.Mailbox.Messages(c.Tenant.Name())
	}
	s.Render(c, "mailbox", "Mailbox", d)
}
