package web

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

type profileData struct {
	Locales []people.Locale
	Error   string
}

func (s *Server) profileForm(c *call) {
	s.render(c, "profile", "Profile", profileData{Locales: people.Locales})
}

func (s *Server) saveProfile(c *call) {
	in := people.ProfileInput{GivenName: c.r.PostFormValue("given_name"), FamilyName: c.r.PostFormValue("family_name"),
		Locale: c.r.PostFormValue("locale"), TimeZone: c.r.PostFormValue("time_zone")}
	if invalid, ok := validate.As(in.Check()); ok {
		s.renderStatus(c, http.StatusUnprocessableEntity, "profile", "Profile", profileData{Locales: people.Locales, Error: invalid.Error()})
		return
	}
	err := c.inOwnTx(func(sc *db.Scope) error {
		return people.UpdateProfile(c.r.Context(), sc, c.user.ID, in.GivenName, in.FamilyName, in.Locale, in.TimeZone)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, "/profile", "profile-saved")
}
