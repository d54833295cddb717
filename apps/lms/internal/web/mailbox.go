package web

import "bellwork.dev/bellwork/apps/lms/internal/mail"

type mailboxData struct {
	Messages []mail.Message
}

// mailbox lists the mail sent for this district (development only: the
// route exists only with --dev-mailbox).
func (s *Server) mailbox(c *call) {
	var d mailboxData
	if s.Mailbox != nil {
		d.Messages = s.Mailbox.Messages(c.tenant.Name())
	}
	s.render(c, "mailbox", "Mailbox", d)
}
