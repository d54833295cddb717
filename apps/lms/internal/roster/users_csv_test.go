package roster

import (
	"reflect"
	"strings"
	"testing"
)

const goodUsersCSV = "\xEF\xBB\xBFEmail, Given_Name ,family_name,role,school_code,grade,guardian_of\r\n" +
	"Ada.Lovelace@School.org,Ada,Lovelace,Student,GBHS,09,\r\n" +
	"grace@school.org,Grace,Hopper,teacher,GBHS,,\r\n" +
	"pat@home.net,Pat,Lovelace,guardian,,,\"ada.lovelace@school.org; Sam@School.org;;ada.lovelace@school.org\"\r\n" +
	"dee@district.org,Dee,Admin,district_admin,,,"

// A hand-written file with a BOM, CRLF, odd header case and spacing reads
// into normalised rows; guardian_of is split on semicolons.
func TestParseUsersCSVReadsAGoodFile(t *testing.T) {
	rows, problems := ParseUsersCSV("staff.csv", []byte(goodUsersCSV))
	if len(problems) > 0 {
		t.Fatalf("unexpected problems:\n%s", joinProblems(problems))
	}
	want := []UserRow{
		{Email: "ada.lovelace@school.org", GivenName: "Ada", FamilyName: "Lovelace", Role: "student", SchoolCode: "GBHS", Grade: "09", Line: 2},
		{Email: "grace@school.org", GivenName: "Grace", FamilyName: "Hopper", Role: "teacher", SchoolCode: "GBHS", Line: 3},
		{Email: "pat@home.net", GivenName: "Pat", FamilyName: "Lovelace", Role: "guardian",
			GuardianOf: []string{"ada.lovelace@school.org", "sam@school.org"}, Line: 4},
		{Email: "dee@district.org", GivenName: "Dee", FamilyName: "Admin", Role: "district_admin", Line: 5},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, want)
	}
}

// The optional columns may be left out of the header.
func TestParseUsersCSVOptionalColumns(t *testing.T) {
	rows, problems := ParseUsersCSV("u.csv", []byte("email,given_name,family_name,role,school_code\na@x.org,A,B,teacher,S1\n"))
	if len(problems) > 0 || len(rows) != 1 || rows[0].Grade != "" || rows[0].GuardianOf != nil {
		t.Errorf("rows %+v, problems:\n%s", rows, joinProblems(problems))
	}
}

// Each bad row is reported with the column and a reason saying what to fix,
// and only the good rows come back.
func TestParseUsersCSVReportsBadRows(t *testing.T) {
	const header = "email,given_name,family_name,role,school_code,grade,guardian_of\n"
	const good = "ok@x.org,Ok,Row,teacher,S1,,\n"
	tests := []struct {
		name string
		data string
		want Problem
	}{
		{"role outside the list", header + good + "a@x.org,A,B,techer,S1,,\n",
			Problem{File: "u.csv", Line: 3, Field: "role", Reason: `role "techer" is not one of district_admin, school_admin, teacher, student, guardian`}},
		{"bad email", header + good + "a@x,A,B,teacher,S1,,\n",
			Problem{File: "u.csv", Line: 3, Field: "email", Reason: `email "a@x" is not an email address`}},
		{"two @", header + good + "a@b@x.org,A,B,teacher,S1,,\n",
			Problem{File: "u.csv", Line: 3, Field: "email", Reason: `email "a@b@x.org" is not an email address`}},
		{"empty email", header + good + ",A,B,teacher,S1,,\n",
			Problem{File: "u.csv", Line: 3, Field: "email", Reason: "email is empty"}},
		{"duplicate email in another case", header + good + "OK@x.org,Other,Person,student,S1,,\n",
			Problem{File: "u.csv", Line: 3, Field: "email", Reason: `email "ok@x.org" is already used on line 2`}},
		{"missing column", "email,given_name,role,school_code\na@x.org,A,teacher,S1\n",
			Problem{File: "u.csv", Line: 1, Field: "family_name", Reason: "the header has no family_name column"}},
		{"empty given name", header + good + "a@x.org,,B,teacher,S1,,\n",
			Problem{File: "u.csv", Line: 3, Field: "given_name", Reason: "given_name is empty"}},
		{"teacher without a school", header + good + "a@x.org,A,B,teacher,,,\n",
			Problem{File: "u.csv", Line: 3, Field: "school_code", Reason: "school_code is empty; a teacher needs the code of their school"}},
		{"guardian_of on a student", header + good + "a@x.org,A,B,student,S1,,kid@x.org\n",
			Problem{File: "u.csv", Line: 3, Field: "guardian_of", Reason: "guardian_of is only for role guardian"}},
		{"guardian_of separated by commas", header + good + "a@x.org,A,B,guardian,,,\"k1@x.org, k2@x.org\"\n",
			Problem{File: "u.csv", Line: 3, Field: "guardian_of", Reason: "separate several emails with semicolons"}},
		{"extra non-empty field", header + good + "a@x.org,A,B,teacher,S1,,,surprise\n",
			Problem{File: "u.csv", Line: 3, Field: "", Reason: "field 8 holds \"surprise\""}},
		{"unterminated quote", header + good + "a@x.org,\"A,B,teacher,S1,,\n" + good,
			Problem{File: "u.csv", Line: 3, Field: "", Reason: "never closed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, problems := ParseUsersCSV("u.csv", []byte(tt.data))
			if len(problems) != 1 {
				t.Fatalf("got %d problems, want 1 like %s:\n%s", len(problems), tt.want, joinProblems(problems))
			}
			got := problems[0]
			if got.File != tt.want.File || got.Line != tt.want.Line || got.Field != tt.want.Field ||
				!strings.Contains(got.Reason, tt.want.Reason) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if tt.want.Line > 1 && (len(rows) != 1 || rows[0].Email != "ok@x.org") {
				t.Errorf("rows = %+v, want only the good row", rows)
			}
		})
	}
}

// A problem always names a file, even when the caller passed none.
func TestParseUsersCSVNamesTheFileWhenTheCallerDidNot(t *testing.T) {
	_, problems := ParseUsersCSV("", []byte("email\n"))
	if len(problems) == 0 || problems[0].File != "users.csv" {
		t.Errorf("problems = %v", problems)
	}
}
