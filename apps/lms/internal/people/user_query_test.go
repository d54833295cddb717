package people

import (
	"net/url"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// The API's user list refuses what it does not know, naming each wrong
// parameter, and takes the defaults when a parameter is left out.
func TestUserQueryFromNamesEachWrongParameter(t *testing.T) {
	uq, err := UserQueryFrom(url.Values{"role": {"teacher"}, "sort": {"email"}})
	if err != nil || uq.Role != "teacher" || uq.Sort != "email" || uq.Limit != 50 || uq.Offset != 0 {
		t.Fatalf("good query: %+v %v", uq, err)
	}
	_, err = UserQueryFrom(url.Values{"role": {"root"}, "status": {"gone"}, "limit": {"500"}, "offset": {"-1"}, "sort": {"password_hash"}})
	ve, ok := validate.As(err)
	if !ok {
		t.Fatalf("want validate.Errors, got %v", err)
	}
	for _, field := range []string{"role", "status", "limit", "offset", "sort"} {
		if ve.For(field) == "" {
			t.Errorf("no message for %s in %v", field, ve)
		}
	}
}
