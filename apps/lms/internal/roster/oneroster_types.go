package roster

// Bundle is a parsed OneRoster 1.1 bulk export. Status is "", "active" or
// "tobedeleted"; rows marked tobedeleted are kept so the caller can
// deactivate what they name. Line is the row's line in its file.
type Bundle struct {
	Manifest     map[string]string // nil when manifest.csv is absent
	Orgs         []Org
	Sessions     []AcademicSession
	Courses      []Course
	Classes      []Class
	Users        []User
	Enrollments  []Enrollment
	Demographics []Demographic // empty when demographics.csv is absent

	// Version is Version11 or Version12; Delta says the bundle lists only
	// changes (see ParseOneRosterBundle). Roles, UserProfiles and People
	// come from 1.2 bundles; Notes are what the parser tells the admin
	// about rows it read but that are not imported as they stand.
	Version      string
	Delta        bool
	Roles        []Role
	UserProfiles []UserProfile
	People       map[string]PersonDetails
	Notes        []string
	// Rows accounts for every data row of each file read, by file name.
	Rows map[string]*FileRows

	// heldBack holds, by file, the sourcedIds of rows left out for their
	// problems; unread names the files that are missing, unreadable or
	// were not read to the end. See HeldBack.
	heldBack map[string]map[string]bool
	unread   map[string]bool
}

// HeldBack reports whether a sourcedId that file does not provide may be
// there after all: the row with it was left out for its own problems, or
// the file could not be read to the end. Those problems are reported
// already, so a planner that meets a reference to id says nothing more.
func (b *Bundle) HeldBack(file, id string) bool {
	return b.unread[file] || b.heldBack[file][id]
}

func (b *Bundle) holdBack(file, id string) {
	if id == "" {
		return
	}
	if b.heldBack == nil {
		b.heldBack = map[string]map[string]bool{}
	}
	if b.heldBack[file] == nil {
		b.heldBack[file] = map[string]bool{}
	}
	b.heldBack[file][id] = true
}

func (b *Bundle) markUnread(file string) {
	if b.unread == nil {
		b.unread = map[string]bool{}
	}
	b.unread[file] = true
}

// FileRows accounts for one file's data rows: Read is every data row (the
// header not counted); the rows not kept in the Bundle are in Rejected,
// each with the reason (its first problem).
type FileRows struct {
	Read     int
	Rejected []Skip
}

// Skip is one row left out of an import, and why.
type Skip struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Org is a row of orgs.csv: a school, district or other organisation.
type Org struct {
	SourcedID, Status, Name, Type, Identifier, ParentSourcedID string
	Line                                                       int
}

// AcademicSession is a row of academicSessions.csv: a school year, term or
// grading period.
type AcademicSession struct {
	SourcedID, Status, Title, Type, ParentSourcedID, SchoolYear string
	StartDate, EndDate                                          Date
	Line                                                        int
}

// Course is a row of courses.csv, or (Line 0, FromClass set) a course made
// from a class because courses.csv is absent or the class names no course.
type Course struct {
	SourcedID, Status, SchoolYearSourcedID, Title, CourseCode string
	Grades                                                    []string
	OrgSourcedID                                              string
	Subjects                                                  []string
	Line                                                      int
	FromClass                                                 string
}

// Class is a row of classes.csv: a section of a course taught in a school.
type Class struct {
	SourcedID, Status, Title                                         string
	Grades                                                           []string
	CourseSourcedID, ClassCode, ClassType, Location, SchoolSourcedID string
	TermSourcedIDs, Subjects, Periods                                []string
	Line                                                             int
}

// User is a row of users.csv. Email is lower-cased; UserIDs are kept as
// written (e.g. "{Local:863}").
type User struct {
	SourcedID, Status                                                string
	Enabled                                                          bool
	OrgSourcedIDs                                                    []string
	Role, Username                                                   string
	UserIDs                                                          []string
	GivenName, FamilyName, MiddleName, Identifier, Email, SMS, Phone string
	AgentSourcedIDs, Grades                                          []string
	// Ext holds the vendor columns (named ext_…) that have a value, as
	// written; nil when there are none.
	Ext  map[string]string
	Line int
}

// Enrollment is a row of enrollments.csv: a user's place in a class.
type Enrollment struct {
	SourcedID, Status, ClassSourcedID, SchoolSourcedID, UserSourcedID, Role string
	Primary                                                                 bool
	BeginDate, EndDate                                                      *Date
	Line                                                                    int
}

// Demographic is a row of demographics.csv; SourcedID is the user's.
type Demographic struct {
	SourcedID, Status string
	BirthDate         *Date
	Sex               string
	Line              int
}

// The vocabularies of OneRoster 1.1's enumerated columns.
var (
	orgTypes     = vocabulary{"department", "school", "district", "local", "state", "national"}
	sessionTypes = vocabulary{"calendarYear", "gradingPeriod", "schoolYear", "semester", "term"}
	classTypes   = vocabulary{"homeroom", "scheduled"}
	userRoles    = vocabulary{"administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"}
	// enrollmentRoles: the 1.1 CSV tables allow administrator, proctor,
	// student and teacher; aide comes from the 1.1 role vocabulary, for
	// classroom aides some systems enrol. Guardians, parents and relatives
	// are linked to students through users.agentSourcedIds, not enrolled.
	enrollmentRoles = vocabulary{"administrator", "aide", "proctor", "student", "teacher"}
)
