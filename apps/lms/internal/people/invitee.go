package people

import (
	"slices"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// Invitee is a person an admin adds with one role, as typed into the form
// or sent to the API.
type Invitee struct {
	Email, GivenName, FamilyName string
	Role                         string
	SchoolID                     string
}

// GrantableRoles lists the roles an admin acting as actor may hand out:
// school admins cannot make district admins.
func GrantableRoles(actor db.Role) []db.Role {
	if actor == db.DistrictAdmin {
		return db.UserRoles
	}
	return db.UserRoles[1:]
}

// Check normalizes the invitee and says what is wrong with it, given who
// is asking and the schools they may place people at. The field names are
// the JSON API's.
func (in *Invitee) Check(actor db.Role, schoolIDs []string) (db.Role, error) {
	in.Email = NormalizeEmail(in.Email)
	in.GivenName, in.FamilyName = strings.TrimSpace(in.GivenName), strings.TrimSpace(in.FamilyName)
	var errs validate.Errors
	if !ValidEmail(in.Email) {
		errs.Add("email", "Enter a valid e-mail address, such as jane.doe@school.org.")
	}
	if in.GivenName == "" || len(in.GivenName) > 100 || len(in.FamilyName) > 100 {
		errs.Add("givenName", "Enter a given name (at most 100 characters).")
	}
	role, err := CheckGrant(actor, in.Role, in.SchoolID, schoolIDs)
	if ve, ok := validate.As(err); ok {
		errs = append(errs, ve...)
	}
	return role, errs.Err()
}

// CheckGrant says what is wrong with an admin acting as actor giving role
// at schoolID ("" for district-wide), given the schools they may place
// people at.
func CheckGrant(actor db.Role, role, schoolID string, schoolIDs []string) (db.Role, error) {
	var errs validate.Errors
	r, err := db.ParseRole(role)
	switch {
	case err != nil || !slices.Contains(GrantableRoles(actor), r):
		errs.Add("role", "Choose a role from the list.")
	case r == db.DistrictAdmin && schoolID != "":
		errs.Add("schoolId", "District admins work across all schools: leave the school empty.")
	case r != db.DistrictAdmin && !slices.Contains(schoolIDs, schoolID):
		errs.Add("schoolId", "Choose the school this role is at.")
	}
	return r, errs.Err()
}

// ValidEmail is a plausibility check (the invitation mail proves the rest).
func ValidEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(e, " \t<>,;\"") && len(e) <= 254 &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}
