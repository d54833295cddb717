package account

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type profileData struct {
	Locales []people.Locale
	Error   string
}

// ProfileForm serves GET /profile.
func (s *Handlers) ProfileForm(c *kit.Call) {
	s.Render(c, "profile", "Profile", profileData{Locales: people.Locales})
}

// SaveProfile serves POST /profile.
func (s *Handlers) SaveProfile(c *kit.Call) {
	in := people.ProfileInput{GivenName: c.R.PostFormValue("given_name"), FamilyName: c.R.PostFormValue("family_name"),
		Locale: c.R.PostFormValue("locale"), TimeZone: c.R.PostFormValue("time_zone")}
	if invalid, ok := validate.As(in.Check()); ok {
		s.RenderStatus(c, http.StatusUnprocessableEntity, "profile", "Profile", profileData{Locales: people.Locales, Error: invalid.Error()})
		return
	}
	err := c.InOwnTx(func(sc *db.Scope) error {
		return people.UpdateProfile(c.R.Context(), sc, c.User.ID, in.GivenName, in.FamilyName, in.Locale, in.TimeZone)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/profile", "profile-saved")
}
