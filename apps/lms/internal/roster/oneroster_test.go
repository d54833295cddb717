package roster

import (
	"fmt"
	"strings"
	"testing"
)

// Each mutation breaks the Ed-Fi sample in one place; the parser must report
// exactly that one problem, where the admin has to fix it, and nothing else
// (no follow-on noise such as dangling references to a rejected row).
func TestParseOneRosterReportsOneProblemPerMutation(t *testing.T) {
	fixture := loadEdfi(t)
	tests := []struct {
		name   string
		files  map[string][]byte
		want   Problem // Reason is matched as a substring
		bundle func(*Bundle) string
	}{
		{
			name:  "user role outside the vocabulary",
			files: withLine(t, fixture, "users.csv", 3, ",student,Kyle", ",techer,Kyle"),
			want:  Problem{File: "users.csv", Line: 3, Field: "role", Reason: `role "techer" is not one of administrator, aide, guardian, parent, proctor, relative, student, teacher`},
			bundle: func(b *Bundle) string {
				return wantCount("users", len(b.Users), 9)
			},
		},
		{
			name:  "required column missing from the header",
			files: withLine(t, fixture, "users.csv", 1, ",givenName,", ",firstName,"),
			want:  Problem{File: "users.csv", Line: 1, Field: "givenName", Reason: "the header has no givenName column; add it"},
			bundle: func(b *Bundle) string {
				return wantCount("users", len(b.Users), 0)
			},
		},
		{
			name:  "column name in the wrong case",
			files: withLine(t, fixture, "orgs.csv", 1, "sourcedId,", "SourcedId,"),
			want:  Problem{File: "orgs.csv", Line: 1, Field: "sourcedId", Reason: `column "SourcedId" must be spelled "sourcedId"; column names are case-sensitive`},
		},
		{
			name: "duplicate sourcedId names the first line",
			files: withLine(t, fixture, "enrollments.csv", 3,
				"8622A96A-9287-4BAA-BD1F-3DB11A74524E", "6F4283DC-F831-4437-A9A3-E030C7AF0493"),
			want: Problem{File: "enrollments.csv", Line: 3, Field: "sourcedId", Reason: `sourcedId "6F4283DC-F831-4437-A9A3-E030C7AF0493" is already used on line 2`},
		},
		{
			name:  "enrollment points at a class that is not in the bundle",
			files: withLine(t, fixture, "enrollments.csv", 2, ",25590100101Trad120ENG112011,", ",NO-SUCH-CLASS,"),
			want:  Problem{File: "enrollments.csv", Line: 2, Field: "classSourcedId", Reason: `classSourcedId "NO-SUCH-CLASS" is not in classes.csv`},
			bundle: func(b *Bundle) string {
				return wantCount("enrollments", len(b.Enrollments), 24) // a dangling reference does not hide the row
			},
		},
		{
			name:  "start date that is not a date",
			files: withLine(t, fixture, "academicSessions.csv", 3, ",2020-08-17,", ",2020-13-17,"),
			want:  Problem{File: "academicSessions.csv", Line: 3, Field: "startDate", Reason: `startDate "2020-13-17" is not a date written as YYYY-MM-DD`},
		},
		{
			name:  "end date before start date",
			files: withLine(t, fixture, "academicSessions.csv", 3, ",2020-12-18,", ",2020-08-01,"),
			want:  Problem{File: "academicSessions.csv", Line: 3, Field: "endDate", Reason: "endDate 2020-08-01 is before startDate 2020-08-17"},
		},
		{
			name:  "enrollment ends before it begins",
			files: withLine(t, fixture, "enrollments.csv", 2, ",2020-12-18", ",2019-12-18"),
			want:  Problem{File: "enrollments.csv", Line: 2, Field: "endDate", Reason: "endDate 2019-12-18 is before beginDate 2020-08-17"},
		},
		{
			name:  "email without a dot in the domain",
			files: withLine(t, fixture, "users.csv", 4, "Peter.Nash@studentgps.org", "Peter.Nash@studentgps"),
			want:  Problem{File: "users.csv", Line: 4, Field: "email", Reason: `email "Peter.Nash@studentgps" is not an email address`},
		},
		{
			name:  "email with a space",
			files: withLine(t, fixture, "users.csv", 4, "Peter.Nash@studentgps.org", "Peter Nash@studentgps.org"),
			want:  Problem{File: "users.csv", Line: 4, Field: "email", Reason: `email "Peter Nash@studentgps.org" is not an email address`},
		},
		{
			name:  "unterminated quote stops the file at the broken record",
			files: withLine(t, fixture, "users.csv", 5, ",255901001,student,Larry", `,"255901001,student,Larry`),
			want:  Problem{File: "users.csv", Line: 5, Field: "", Reason: "a quoted value on this line is never closed"},
			bundle: func(b *Bundle) string {
				return wantCount("users read before the broken record", len(b.Users), 3)
			},
		},
		{
			name:  "bare quote inside a value",
			files: withLine(t, fixture, "orgs.csv", 2, "Grand Bend ISD", `Grand "Bend" ISD`),
			want:  Problem{File: "orgs.csv", Line: 2, Field: "", Reason: `a " appears inside a value that does not start with one`},
		},
		{
			name:  "extra non-empty field beyond the header",
			files: withLine(t, fixture, "users.csv", 10, "Kelley.Christian@studentgps.org,,,,,,", "Kelley.Christian@studentgps.org,,,,,,oops"),
			want:  Problem{File: "users.csv", Line: 10, Field: "", Reason: `the row has 19 fields but the header has 18 columns, and field 19 holds "oops"`},
			bundle: func(b *Bundle) string {
				return wantCount("users", len(b.Users), 9)
			},
		},
		{
			name:  "too few fields",
			files: withLine(t, fixture, "enrollments.csv", 4, ",2020-08-17,2020-12-18", ",2020-08-17"),
			want:  Problem{File: "enrollments.csv", Line: 4, Field: "", Reason: "the row has 9 fields but the header has 10 columns"},
		},
		{
			name:  "manifest marks a file delta",
			files: withLine(t, fixture, "manifest.csv", 10, "file.users,bulk", "file.users,delta"),
			want:  Problem{File: "manifest.csv", Line: 10, Field: "value", Reason: "file.users is delta: delta files are not supported; export a bulk bundle"},
		},
		{
			name:  "users.csv missing",
			files: withFile(fixture, "users.csv", nil),
			want:  Problem{File: "users.csv", Line: 0, Field: "", Reason: "users.csv is missing, but manifest.csv lists it as bulk"},
		},
		{
			name:  "users.csv missing without a manifest",
			files: withFile(withFile(fixture, "manifest.csv", nil), "users.csv", nil),
			want:  Problem{File: "users.csv", Line: 0, Field: "", Reason: "users.csv is missing; a OneRoster bulk bundle must include it"},
		},
		{
			name:  "manifest lists demographics as bulk but the file is missing",
			files: withFile(fixture, "demographics.csv", nil),
			want:  Problem{File: "demographics.csv", Line: 0, Field: "", Reason: "demographics.csv is missing, but manifest.csv lists it as bulk"},
		},
		{
			name:  "unknown manifest processing mode",
			files: withLine(t, fixture, "manifest.csv", 8, "file.courses,bulk", "file.courses,full"),
			want:  Problem{File: "manifest.csv", Line: 8, Field: "value", Reason: `file.courses is "full"; use bulk`},
		},
		{
			name:  "OneRoster 1.2 bundle",
			files: withLine(t, fixture, "manifest.csv", 3, "oneroster.version,1.1", "oneroster.version,1.2"),
			want:  Problem{File: "manifest.csv", Line: 3, Field: "value", Reason: `oneroster.version is "1.2"; this import reads OneRoster 1.1`},
		},
		{
			name:  "org type outside the vocabulary",
			files: withLine(t, fixture, "orgs.csv", 3, ",school,", ",highschool,"),
			want:  Problem{File: "orgs.csv", Line: 3, Field: "type", Reason: `type "highschool" is not a OneRoster org type; it was read as department`, Warning: true},
		},
		{
			name:  "org parent that is not in the bundle",
			files: withLine(t, fixture, "orgs.csv", 3, ",255901,", ",999,"),
			want:  Problem{File: "orgs.csv", Line: 3, Field: "parentSourcedId", Reason: `parentSourcedId "999" is not in orgs.csv; the row was imported without it`, Warning: true},
		},
		{
			name:  "school year not four digits",
			files: withLine(t, fixture, "academicSessions.csv", 2, ",,2021", ",,21"),
			want:  Problem{File: "academicSessions.csv", Line: 2, Field: "schoolYear", Reason: `schoolYear "21" must be a 4-digit year`},
		},
		{
			name:  "session type outside the vocabulary",
			files: withLine(t, fixture, "academicSessions.csv", 4, ",semester,", ",quarter,"),
			want:  Problem{File: "academicSessions.csv", Line: 4, Field: "type", Reason: `type "quarter" is not one of calendarYear, gradingPeriod, schoolYear, semester, term`},
		},
		{
			name:  "course org that is not in the bundle",
			files: withLine(t, fixture, "courses.csv", 2, ",255901,", ",255999,"),
			want:  Problem{File: "courses.csv", Line: 2, Field: "orgSourcedId", Reason: `orgSourcedId "255999" is not in orgs.csv`},
		},
		{
			name:  "course title empty",
			files: withLine(t, fixture, "courses.csv", 3, ",English I,", ",,"),
			want:  Problem{File: "courses.csv", Line: 3, Field: "title", Reason: "title is empty; fill it in, it is required"},
		},
		{
			name:  "class without terms",
			files: withLine(t, fixture, "classes.csv", 2, `"255901001_2021_2020-2021_Fall,255901001_2021_2020-2021_Spring"`, `" , "`),
			want:  Problem{File: "classes.csv", Line: 2, Field: "termSourcedIds", Reason: "termSourcedIds is empty"},
		},
		{
			name:  "class term that is not in the bundle",
			files: withLine(t, fixture, "classes.csv", 3, "2020-2021_Spring", "2020-2021_Summer"),
			want:  Problem{File: "classes.csv", Line: 3, Field: "termSourcedIds", Reason: `termSourcedIds "255901001_2021_2020-2021_Summer" is not in academicSessions.csv; the row was imported without it`, Warning: true},
		},
		{
			name:  "class type outside the vocabulary",
			files: withLine(t, fixture, "classes.csv", 2, ",scheduled,", ",lecture,"),
			want:  Problem{File: "classes.csv", Line: 2, Field: "classType", Reason: `classType "lecture" is not one of homeroom, scheduled`},
		},
		{
			name:  "enabledUser neither true nor false",
			files: withLine(t, fixture, "users.csv", 2, "604863,,,true,", "604863,,,yes,"),
			want:  Problem{File: "users.csv", Line: 2, Field: "enabledUser", Reason: `enabledUser "yes" must be true or false`},
		},
		{
			name:  "status outside the vocabulary",
			files: withLine(t, fixture, "users.csv", 2, "604863,,,", "604863,gone,,"),
			want:  Problem{File: "users.csv", Line: 2, Field: "status", Reason: `status "gone" must be empty, active or tobedeleted`},
		},
		{
			name:  "user org that is not in the bundle",
			files: withLine(t, fixture, "users.csv", 2, ",255901001,", `,"255901001, 77",`),
			want:  Problem{File: "users.csv", Line: 2, Field: "orgSourcedIds", Reason: `orgSourcedIds "77" is not in orgs.csv`},
		},
		{
			name:  "guardian link to a user that is not in the bundle",
			files: withLine(t, fixture, "users.csv", 2, "(950) 336 6601,,09", "(950) 336 6601,999999,09"),
			want:  Problem{File: "users.csv", Line: 2, Field: "agentSourcedIds", Reason: `agentSourcedIds "999999" is not in users.csv`},
		},
		{
			name:  "enrollment role guardian",
			files: withLine(t, fixture, "enrollments.csv", 2, ",student,", ",guardian,"),
			want:  Problem{File: "enrollments.csv", Line: 2, Field: "role", Reason: `role "guardian" is not one of administrator, aide, proctor, student, teacher`},
		},
		{
			name:  "enrollment primary neither true nor false",
			files: withLine(t, fixture, "enrollments.csv", 22, ",teacher,true,", ",teacher,yes,"),
			want:  Problem{File: "enrollments.csv", Line: 22, Field: "primary", Reason: `primary "yes" must be true or false`},
		},
		{
			name:  "enrollment user that is not in the bundle",
			files: withLine(t, fixture, "enrollments.csv", 2, ",604863,", ",000000,"),
			want:  Problem{File: "enrollments.csv", Line: 2, Field: "userSourcedId", Reason: `userSourcedId "000000" is not in users.csv`},
		},
		{
			name:  "demographic birth date not a date",
			files: withLine(t, fixture, "demographics.csv", 2, ",1997-05-30,", ",30/05/1997,"),
			want:  Problem{File: "demographics.csv", Line: 2, Field: "birthDate", Reason: `birthDate "30/05/1997" is not a date`},
		},
		{
			name:  "file that is not UTF-8",
			files: withLine(t, fixture, "users.csv", 6, "Roland", "R\xf6land"),
			want:  Problem{File: "users.csv", Line: 6, Field: "", Reason: `this line is not UTF-8 text; save the file as "CSV UTF-8"`},
		},
		{
			name:  "empty file",
			files: withFile(fixture, "orgs.csv", []byte{}),
			want:  Problem{File: "orgs.csv", Line: 0, Field: "", Reason: "the file is empty; it needs a header row"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, problems := ParseOneRoster(tt.files)
			if len(problems) != 1 {
				t.Fatalf("got %d problems, want exactly 1 like %s:\n%s", len(problems), tt.want, joinProblems(problems))
			}
			got := problems[0]
			t.Log(got)
			if got.File != tt.want.File || got.Line != tt.want.Line || got.Field != tt.want.Field ||
				!strings.Contains(got.Reason, tt.want.Reason) || got.Warning != tt.want.Warning {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if tt.bundle != nil {
				if msg := tt.bundle(b); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}

func wantCount(what string, got, want int) string {
	if got != want {
		return fmt.Sprintf("bundle has %d %s, want %d", got, what, want)
	}
	return ""
}

func joinProblems(problems []Problem) string {
	var b strings.Builder
	for _, p := range problems {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}
