package people

import (
	"slices"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// Locale is a language the LMS offers.
type Locale struct{ Code, Label string }

// Locales are the languages the LMS offers.
var Locales = []Locale{{"en", "English"}, {"es", "Español"}, {"fr", "Français"}, {"vi", "Tiếng Việt"}, {"zh", "中文"}}

// ProfileInput is what a person types into their profile.
type ProfileInput struct {
	GivenName, FamilyName, Locale, TimeZone string
}

// Check normalizes the input and says what is wrong with it.
func (in *ProfileInput) Check() error {
	in.GivenName, in.FamilyName, in.TimeZone = strings.TrimSpace(in.GivenName), strings.TrimSpace(in.FamilyName), strings.TrimSpace(in.TimeZone)
	var errs validate.Errors
	if in.GivenName == "" || len(in.GivenName) > 100 || len(in.FamilyName) > 100 {
		errs.Add("givenName", "Enter a given name of at most 100 characters (and a family name of at most 100).")
	}
	if !slices.ContainsFunc(Locales, func(l Locale) bool { return l.Code == in.Locale }) {
		errs.Add("locale", "Choose a language from the list.")
	}
	if in.TimeZone != "" && !validTimeZone(in.TimeZone) {
		errs.Add("timeZone", "The time zone must be an IANA name such as America/Chicago, or empty.")
	}
	return errs.Err()
}

func validTimeZone(tz string) bool {
	if tz == "Local" {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}
