package classes

import (
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// TermInput is a term's name and dates as an admin typed them.
type TermInput struct {
	Name, StartsOn, EndsOn string
}

// Check parses the input and says what is wrong with it.
func (in TermInput) Check() (name string, starts, ends time.Time, err error) {
	name = strings.TrimSpace(in.Name)
	var errs validate.Errors
	if name == "" || len(name) > 60 {
		errs.Add("name", "Give the term a name of at most 60 characters, such as Spring 2027.")
	}
	starts, serr := time.Parse(time.DateOnly, in.StartsOn)
	ends, eerr := time.Parse(time.DateOnly, in.EndsOn)
	switch {
	case serr != nil || eerr != nil:
		errs.Add("startsOn", "Enter both dates as YYYY-MM-DD.")
	case ends.Before(starts):
		errs.Add("endsOn", "The term must end on or after the day it starts.")
	}
	return name, starts, ends, errs.Err()
}
