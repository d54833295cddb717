package web

import (
	"net/http"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

type locale struct{ Code, Label string }

var locales = []locale{{"en", "English"}, {"es", "Español"}, {"fr", "Français"}, {"vi", "Tiếng Việt"}, {"zh", "中文"}}

type profileData struct {
	Locales []locale
	Error   string
}

func (s *Server) profileForm(c *call) {
	s.render(c, "profile", "Profile", profileData{Locales: locales})
}

func (s *Server) saveProfile(c *call) {
	given := strings.TrimSpace(c.r.PostFormValue("given_name"))
	family := strings.TrimSpace(c.r.PostFormValue("family_name"))
	loc := c.r.PostFormValue("locale")
	tz := strings.TrimSpace(c.r.PostFormValue("time_zone"))
	d := profileData{Locales: locales}
	switch {
	case given == "" || len(given) > 100 || len(family) > 100:
		d.Error = "Enter a given name of at most 100 characters (and a family name of at most 100)."
	case !knownLocale(loc):
		d.Error = "Choose a language from the list."
	case tz != "" && !validTimeZone(tz):
		d.Error = "The time zone must be an IANA name such as America/Chicago, or empty."
	}
	if d.Error != "" {
		s.renderStatus(c, http.StatusUnprocessableEntity, "profile", "Profile", d)
		return
	}
	err := c.inOwnTx(func(sc *db.Scope) error {
		return people.UpdateProfile(c.r.Context(), sc, c.user.ID, given, family, loc, tz)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, "/profile", "profile-saved")
}

func knownLocale(code string) bool {
	for _, l := range locales {
		if l.Code == code {
			return true
		}
	}
	return false
}

func validTimeZone(tz string) bool {
	if tz == "" || tz == "Local" {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}
