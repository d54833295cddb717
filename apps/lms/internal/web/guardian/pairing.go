package guardian

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/guardian"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// pairingPage is the page a student or admin makes a code on.
type pairingPage struct {
	// StudentID is whose code it is ("" for a student's own).
	StudentID string
	Code      *guardian.Code
	Zone      string
}

// PairingForm shows a student the button that makes a pairing code.
func (s *Handlers) PairingForm(c *kit.Call) {
	s.Render(c, "pairing_code", "Link a guardian", pairingPage{})
}

// CreatePairingCode makes a code for the signed-in student, or, for an
// admin, for the student in the path ({student}); the code is shown once.
func (s *Handlers) CreatePairingCode(c *kit.Call) {
	d := pairingPage{StudentID: c.R.PathValue("student"), Zone: c.Tenant.Entry.TimeZone}
	student := d.StudentID
	if student == "" {
		student = c.User.ID
	}
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Code, err = guardian.NewCode(c.R.Context(), sc, student, sc.Actor.SchoolID, s.Now())
		if err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, "guardian.pairing_code", student, map[string]any{"expiresAt": d.Code.ExpiresAt}, c.ID)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "pairing_code", "Link a guardian", d)
}

// linkPage is the guardian's form for entering a code.
type linkPage struct {
	Code, Problem string
}

// LinkForm shows a guardian the field for a pairing code.
func (s *Handlers) LinkForm(c *kit.Call) {
	s.Render(c, "guardian_link", "Link a child", linkPage{})
}

var problems = map[guardian.Outcome]string{
	guardian.Wrong:     "That code is not right. Check it with your child or the school office and try again.",
	guardian.Expired:   "That code has expired. Ask for a new one.",
	guardian.Used:      "That code was already used. Each code links one guardian; ask for a new one.",
	guardian.Burned:    "That code was entered wrongly too many times and no longer works. Ask for a new one.",
	guardian.Throttled: "Too many tries. Wait an hour, then try again.",
}

// Link redeems a pairing code. The attempt is committed whatever its
// outcome, so wrong tries count towards the throttle.
func (s *Handlers) Link(c *kit.Call) {
	d := linkPage{Code: c.R.PostFormValue("code")}
	var outcome guardian.Outcome
	err := c.InTx(func(sc *db.Scope) (err error) {
		outcome, _, err = guardian.Redeem(c.R.Context(), sc, d.Code, c.ID)
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	if outcome == guardian.Linked {
		kit.Redirect(c, "/", "child-linked")
		return
	}
	d.Problem = problems[outcome]
	status := http.StatusUnprocessableEntity
	if outcome == guardian.Throttled {
		status = http.StatusTooManyRequests
	}
	s.RenderStatus(c, status, "guardian_link", "Link a child", d)
}
