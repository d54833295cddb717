package guardian

import (
	"errors"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/guardian"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// unsubscribePage confirms, does, or refuses a one-click unsubscribe.
type unsubscribePage struct {
	Token    string
	District string
	// Done: the digest is off now.
	Done bool
	// Problem explains a link that cannot act (tampered or expired).
	Problem, ProblemTitle string
}

// checkLink verifies the unsubscribe token in the path; when it cannot act
// it renders the error page itself and returns false.
func (s *Handlers) checkLink(c *kit.Call, d *unsubscribePage) (auth.LinkClaims, bool) {
	d.Token, d.District = c.R.PathValue("token"), c.Tenant.Entry.DisplayName
	var key []byte
	if s.LinkKey != nil {
		key = s.LinkKey(c.Tenant)
	}
	claims, err := auth.VerifyLink(key, d.Token, jobs.UnsubscribePurpose, s.Now())
	switch {
	case errors.Is(err, auth.ErrLinkExpired):
		d.ProblemTitle = "This link has expired"
		d.Problem = "Unsubscribe links work for 60 days. Use the link in a newer summary e-mail, or sign in and turn the summary off under Alerts."
		s.RenderStatus(c, http.StatusGone, "unsubscribe", "Unsubscribe", d)
		return claims, false
	case err != nil:
		d.ProblemTitle = "This link does not work"
		d.Problem = "The link is incomplete or was changed, so it cannot unsubscribe anyone. Copy the whole link from the e-mail, or sign in and turn the summary off under Alerts."
		s.RenderStatus(c, http.StatusBadRequest, "unsubscribe", "Unsubscribe", d)
		return claims, false
	}
	return claims, true
}

// UnsubscribeForm asks a guardian who followed the link in a digest to
// confirm: a GET never changes anything (mail scanners open links).
func (s *Handlers) UnsubscribeForm(c *kit.Call) {
	var d unsubscribePage
	if _, ok := s.checkLink(c, &d); !ok {
		return
	}
	s.Render(c, "unsubscribe", "Unsubscribe", d)
}

// Unsubscribe turns the guardian's digest off without sign-in: the
// confirmation form, or a mail client's RFC 8058 one-click POST
// ("List-Unsubscribe=One-Click"). The signed link is the only authority,
// so it runs as system work for the guardian the link names.
func (s *Handlers) Unsubscribe(c *kit.Call) {
	var d unsubscribePage
	claims, ok := s.checkLink(c, &d)
	if !ok {
		return
	}
	err := c.DB.InTx(c.R.Context(), db.SystemActor(), func(sc *db.Scope) error {
		_, err := guardian.Unsubscribe(c.R.Context(), sc, claims.Subject, s.Now())
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	d.Done = true
	s.Render(c, "unsubscribe", "Unsubscribed", d)
}
