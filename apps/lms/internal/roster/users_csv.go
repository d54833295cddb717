package roster

import (
	"slices"
	"strings"
)

// UserRow is one row of the simple users CSV an admin can write by hand:
// header "email,given_name,family_name,role,school_code" plus optional
// "grade" and "guardian_of". Email and GuardianOf are lower-cased.
type UserRow struct {
	Email, GivenName, FamilyName, Role, SchoolCode, Grade string
	// GuardianOf holds the emails of the students a guardian looks after:
	// students in the same file or already in the LMS. They are returned as
	// written (lower-cased); the importer resolves them.
	GuardianOf []string
	Line       int
}

// usersCSVRoles are the roles the simple users CSV may give.
var usersCSVRoles = vocabulary{"district_admin", "school_admin", "teacher", "student", "guardian"}

// guardianOfSeparator separates the emails in one guardian_of cell. A
// semicolon, unlike a comma, needs no quoting in a hand-written CSV.
const guardianOfSeparator = ";"

// ParseUsersCSV parses the simple users CSV named file (used in problems;
// "users.csv" when empty). Header names may be in any case. school_code may
// be empty only for district_admin and guardian, who belong to no one
// school; guardian_of, a semicolon-separated list of emails, is only for
// guardians. Only rows without problems are returned; the file may be
// imported only when no problems are returned.
func ParseUsersCSV(file string, data []byte) ([]UserRow, []Problem) {
	return parseUsersCSV(file, BytesSource(data), defaultLimits)
}

// ParseUsersCSVSource is ParseUsersCSV for a file streamed from where it
// is kept.
func ParseUsersCSVSource(file string, src Source) ([]UserRow, []Problem) {
	return parseUsersCSV(file, src, defaultLimits)
}

func parseUsersCSV(file string, src Source, lim limits) ([]UserRow, []Problem) {
	if file == "" {
		file = "users.csv"
	}
	var problems problemList
	spec := tableSpec{required: []string{"email", "given_name", "family_name", "role", "school_code"}, foldCase: true}
	t := readTable(file, src, spec, lim, &problems)
	if t == nil {
		return nil, problems.result(nil)
	}

	var rows []UserRow
	emailLines := map[string]int{}
	for _, row := range t.rows {
		if row.misshapen {
			continue
		}
		c := &rowCheck{t: t, row: row, problems: &problems}
		u := UserRow{
			Email:      c.email("email"),
			GivenName:  c.required("given_name"),
			FamilyName: c.required("family_name"),
			Role:       c.choice("role", usersCSVRoles),
			SchoolCode: c.text("school_code"),
			Grade:      c.text("grade"),
			GuardianOf: guardianOf(c),
			Line:       row.line,
		}
		switch {
		case u.Email == "":
			c.problem("email", "email is empty; every user needs an email address to sign in with")
		case emailLines[u.Email] != 0:
			c.problem("email", "email %s is already used on line %d; list each user once", quote(u.Email), emailLines[u.Email])
		default:
			emailLines[u.Email] = row.line
		}
		if u.SchoolCode == "" && (u.Role == "school_admin" || u.Role == "teacher" || u.Role == "student") {
			c.problem("school_code", "school_code is empty; a %s needs the code of their school", u.Role)
		}
		if len(u.GuardianOf) > 0 && u.Role != "guardian" && u.Role != "" {
			c.problem("guardian_of", "guardian_of is only for role guardian; empty it or change the role")
		}
		if !c.failed {
			rows = append(rows, u)
		}
	}
	return rows, problems.result(nil)
}

// guardianOf reads the guardian_of list: emails separated by semicolons.
func guardianOf(c *rowCheck) []string {
	var emails []string
	for _, e := range splitList(c.text("guardian_of"), guardianOfSeparator) {
		if !looksLikeEmail(e) {
			hint := ""
			if strings.Contains(e, ",") {
				hint = "; separate several emails with semicolons, not commas"
			}
			c.problem("guardian_of", "guardian_of %s is not an email address%s", quote(e), hint)
			continue
		}
		if e = strings.ToLower(e); !slices.Contains(emails, e) {
			emails = append(emails, e)
		}
	}
	return emails
}
