package roster

import (
	"fmt"
	"strings"
	"testing"
)

// Exports from other systems differ in ways the spec allows or that cost
// nothing to accept; none of these may produce a problem.
func TestParseOneRosterAcceptsHarmlessVariations(t *testing.T) {
	fixture := loadEdfi(t)
	crlf := func(file string) map[string][]byte {
		return withFile(fixture, file, []byte(strings.ReplaceAll(string(fixture[file]), "\n", "\r\n")))
	}
	tests := []struct {
		name  string
		files map[string][]byte
		check func(t *testing.T, b *Bundle)
	}{
		{
			name:  "UTF-8 byte order mark at the start of a file",
			files: withFile(fixture, "users.csv", append([]byte("\xEF\xBB\xBF"), fixture["users.csv"]...)),
			check: func(t *testing.T, b *Bundle) {
				if b.Users[0].SourcedID != "604863" || len(b.Users) != 10 {
					t.Errorf("first user %q of %d", b.Users[0].SourcedID, len(b.Users))
				}
			},
		},
		{
			name:  "spaces around header names",
			files: withLine(t, fixture, "users.csv", 1, "sourcedId,status,", " sourcedId ,\tstatus ,"),
		},
		{
			name:  "Windows line endings keep physical line numbers",
			files: crlf("enrollments.csv"),
			check: func(t *testing.T, b *Bundle) {
				if got := b.Enrollments[23].Line; got != 25 {
					t.Errorf("last enrollment line = %d, want 25", got)
				}
			},
		},
		{
			name:  "no manifest: every file present is bulk",
			files: withFile(fixture, "manifest.csv", nil),
			check: func(t *testing.T, b *Bundle) {
				if b.Manifest != nil || len(b.Demographics) != 8 {
					t.Errorf("manifest %v, %d demographics", b.Manifest, len(b.Demographics))
				}
			},
		},
		{
			name:  "no demographics and no manifest",
			files: withFile(withFile(fixture, "manifest.csv", nil), "demographics.csv", nil),
		},
		{
			name: "file marked absent is neither required nor read, and references into it are not checked",
			files: withFile(withLine(t, fixture, "manifest.csv", 10, "file.users,bulk", "file.users,absent"),
				"users.csv", []byte("this file is ignored\n\"")),
			check: func(t *testing.T, b *Bundle) {
				if len(b.Users) != 0 || len(b.Enrollments) != 24 {
					t.Errorf("%d users, %d enrollments", len(b.Users), len(b.Enrollments))
				}
			},
		},
		{
			name:  "unknown extra files are ignored",
			files: withFile(withFile(fixture, "resources.csv", []byte("\"broken")), "notes.txt", []byte("hi")),
		},
		{
			name: "tobedeleted rows are kept with their status",
			files: withLine(t, withLine(t, fixture, "users.csv", 3, "604874,,,true,", "604874,tobedeleted,2021-06-01,false,"),
				"enrollments.csv", 2, ",,,", ",Active,,"),
			check: func(t *testing.T, b *Bundle) {
				if u := b.Users[1]; u.Status != "tobedeleted" || u.Enabled {
					t.Errorf("user = status %q enabled %v", u.Status, u.Enabled)
				}
				if e := b.Enrollments[0]; e.Status != "active" {
					t.Errorf("enrollment status %q, want active", e.Status)
				}
			},
		},
		{
			name:  "enumerations in another case are read in the spec's spelling",
			files: withLine(t, withLine(t, fixture, "users.csv", 2, ",true,255901001,student,", ",TRUE,255901001,Student,"), "academicSessions.csv", 2, ",schoolYear,", ",SCHOOLYEAR,"),
			check: func(t *testing.T, b *Bundle) {
				if b.Users[0].Role != "student" || !b.Users[0].Enabled || b.Sessions[0].Type != "schoolYear" {
					t.Errorf("role %q enabled %v session type %q", b.Users[0].Role, b.Users[0].Enabled, b.Sessions[0].Type)
				}
			},
		},
		{
			name:  "list fields trim spaces and drop empty items",
			files: withLine(t, fixture, "users.csv", 2, ",{Local:863},", `,"{Local:863}, ,{State:9} ,",`),
			check: func(t *testing.T, b *Bundle) {
				if got := fmt.Sprint(b.Users[0].UserIDs); got != "[{Local:863} {State:9}]" {
					t.Errorf("userIds = %s", got)
				}
			},
		},
		{
			name:  "a value quoted across lines counts physical lines",
			files: withLine(t, fixture, "orgs.csv", 2, "Grand Bend ISD", "\"Grand\nBend ISD\""),
			check: func(t *testing.T, b *Bundle) {
				if b.Orgs[0].Name != "Grand\nBend ISD" || b.Orgs[1].Line != 4 {
					t.Errorf("org name %q, second org on line %d", b.Orgs[0].Name, b.Orgs[1].Line)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, problems := ParseOneRoster(tt.files)
			if len(problems) > 0 {
				t.Fatalf("unexpected problems:\n%s", joinProblems(problems))
			}
			if tt.check != nil {
				tt.check(t, b)
			}
		})
	}
}

// All problems are collected, across files, and come back in file order
// (manifest, orgs, sessions, courses, classes, users, enrollments,
// demographics), then by line.
func TestParseOneRosterCollectsEveryProblemInFileOrder(t *testing.T) {
	files := loadEdfi(t)
	files = withLine(t, files, "enrollments.csv", 5, ",student,", ",pupil,")
	files = withLine(t, files, "users.csv", 8, "Olivia.Hardy@studentgps.org", "olivia at school")
	files = withLine(t, files, "users.csv", 3, ",student,", ",,")
	files = withLine(t, files, "orgs.csv", 2, ",district,", ",county,")

	_, problems := ParseOneRoster(files)
	var got []string
	for _, p := range problems {
		got = append(got, fmt.Sprintf("%s:%d:%s", p.File, p.Line, p.Field))
	}
	want := []string{"orgs.csv:2:type", "users.csv:3:role", "users.csv:8:email", "enrollments.csv:5:role"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("problems at %v, want %v:\n%s", got, want, joinProblems(problems))
	}
}

// A hopeless file must not produce an unbounded report: 1000 problems, then
// one saying how many more there were.
func TestParseOneRosterCapsTheReport(t *testing.T) {
	files := loadEdfi(t)
	var b strings.Builder
	b.WriteString("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n")
	for i := range 1500 {
		fmt.Fprintf(&b, "e%d,,,25590100101Trad120ENG112011,255901001,604863,pupil,,,\n", i)
	}
	files = withFile(files, "enrollments.csv", []byte(b.String()))

	_, problems := ParseOneRoster(files)
	if len(problems) != maxProblems+1 {
		t.Fatalf("got %d problems, want %d", len(problems), maxProblems+1)
	}
	last := problems[maxProblems]
	if last.File != "enrollments.csv" || last.Line != 0 || !strings.Contains(last.Reason, "500 more problems were not listed") {
		t.Errorf("last problem = %s", last)
	}
}

// Oversized files become problems, not memory exhaustion.
func TestParseOneRosterRefusesOversizedFiles(t *testing.T) {
	files := loadEdfi(t)
	tests := []struct {
		name string
		lim  limits
		want Problem
	}{
		{
			name: "file larger than the byte limit",
			lim:  limits{maxFileBytes: 2 << 20, maxRows: 100},
			want: Problem{File: "enrollments.csv", Reason: "files over 2 MB are not accepted"},
		},
		{
			name: "more rows than the row limit",
			lim:  limits{maxFileBytes: 50 << 20, maxRows: 20},
			want: Problem{File: "enrollments.csv", Line: 22, Reason: "the file has more than 20 rows"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			big := files["enrollments.csv"]
			if tt.lim.maxFileBytes < 50<<20 {
				big = []byte(strings.Repeat(string(big)+"\n", 1+tt.lim.maxFileBytes/len(big)))
			}
			_, problems := parseOneRoster(BytesFiles(withFile(files, "enrollments.csv", big)), tt.lim)
			if len(problems) != 1 {
				t.Fatalf("got %d problems, want 1:\n%s", len(problems), joinProblems(problems))
			}
			got := problems[0]
			if got.File != tt.want.File || got.Line != tt.want.Line || !strings.Contains(got.Reason, tt.want.Reason) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
