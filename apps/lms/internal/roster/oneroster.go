package roster

import (
	"fmt"
	"strings"
)

// bundleFile describes one CSV file of a OneRoster 1.1 bulk bundle.
type bundleFile struct {
	name     string
	required bool     // a bundle without it is incomplete, unless the manifest marks it absent
	columns  []string // header columns that must be present
	read     func(p *bundleParser, t *table)
}

// bundleFiles lists the files in the order they are read and reported,
// referenced files before the files that refer to them.
var bundleFiles = []bundleFile{
	{"orgs.csv", true, []string{"sourcedId", "name", "type"}, (*bundleParser).readOrgs},
	{"academicSessions.csv", true, []string{"sourcedId", "title", "type", "startDate", "endDate"}, (*bundleParser).readSessions},
	{"courses.csv", false, []string{"sourcedId", "title", "orgSourcedId"}, (*bundleParser).readCourses},
	{"classes.csv", true, []string{"sourcedId", "title", "classType", "schoolSourcedId", "termSourcedIds"}, (*bundleParser).readClasses},
	{"users.csv", true, []string{"sourcedId", "enabledUser", "role", "username", "givenName", "familyName"}, (*bundleParser).readUsers},
	{"enrollments.csv", true, []string{"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"}, (*bundleParser).readEnrollments},
	{"demographics.csv", false, []string{"sourcedId"}, (*bundleParser).readDemographics},
}

// bundleParser carries the state of one ParseOneRoster call.
type bundleParser struct {
	lim      limits
	problems problemList
	bundle   Bundle
	// ids holds, per file, each sourcedId and the line it first appears on.
	ids map[string]map[string]int
	// complete marks the files read to the end; only references into them
	// are checked, so one unreadable file does not flood the report.
	complete   map[string]bool
	references []reference
	// coursesListedMissing is set when manifest.csv lists courses.csv as
	// bulk but the bundle lacks it: the courses are made from the classes
	// all the same, and the warning says the manifest listed the file.
	coursesListedMissing bool
}

// reference is a sourcedId in one row that must name a row of target.
// When drop is set, a dangling reference is dropped (drop removes it from
// the row) with a warning instead of being a problem.
type reference struct {
	file   string
	line   int
	field  string
	id     string
	target string
	drop   func()
}

// ParseOneRoster parses a bundle given as file name -> contents. Names are
// base names like "users.csv" (see ReadZip). Without manifest.csv every file
// present is read as bulk. orgs, academicSessions, courses, classes, users and
// enrollments are required unless the manifest marks them absent;
// demographics.csv is optional; other files are ignored, and so are files the
// manifest marks absent even when present. Files the manifest marks delta are
// refused. References into a file that is absent, missing or unreadable are
// not checked, so one bad file yields one problem, not one per reference.
//
// The Bundle holds the rows that passed their own checks; it is complete, and
// may be applied, only when no problems are returned.
func ParseOneRoster(files map[string][]byte) (*Bundle, []Problem) {
	return parseOneRoster(BytesFiles(files), defaultLimits)
}

func parseOneRoster(files Files, lim limits) (*Bundle, []Problem) {
	p := &bundleParser{lim: lim, ids: map[string]map[string]int{}, complete: map[string]bool{}}
	p.bundle.Rows = map[string]*FileRows{}

	var m manifest
	if src, ok := files[manifestFile]; ok {
		m = p.readManifest(src)
		p.bundle.Manifest = m.properties
	}
	for _, f := range bundleFiles {
		p.readFile(f, files, m)
	}
	p.checkReferences()
	p.coursesFromClasses()

	order := []string{manifestFile}
	for _, f := range bundleFiles {
		order = append(order, f.name)
	}
	return &p.bundle, p.problems.result(order)
}

// readFile decides from the manifest whether f is read, and reads it.
func (p *bundleParser) readFile(f bundleFile, files Files, m manifest) {
	src, present := files[f.name]
	listed, isListed := m.modes[f.name]
	switch {
	case isListed && listed.mode == "absent":
		return
	case isListed && listed.mode == "delta":
		p.problems.add(manifestFile, listed.line, "value", "%s is delta: delta files are not supported; export a bulk bundle",
			"file."+strings.TrimSuffix(f.name, ".csv"))
		return
	case !present && isListed && f.name == "courses.csv":
		p.coursesListedMissing = true
		return
	case !present && isListed:
		p.problems.add(f.name, 0, "", "%s is missing, but manifest.csv lists it as bulk; add the file, or mark it absent in the manifest", f.name)
		p.bundle.markUnread(f.name)
		return
	case !present && f.required:
		p.problems.add(f.name, 0, "", "%s is missing; a OneRoster bulk bundle must include it", f.name)
		p.bundle.markUnread(f.name)
		return
	case !present:
		return
	}
	p.readPresent(f, src)
}

// readPresent reads a file that is in the bundle, accounting for its rows.
func (p *bundleParser) readPresent(f bundleFile, src Source) {
	t := readTable(f.name, src, tableSpec{required: f.columns}, p.lim, &p.problems)
	if t == nil {
		p.bundle.markUnread(f.name)
		return
	}
	if !t.complete {
		p.bundle.markUnread(f.name)
	}
	p.bundle.Rows[f.name] = &FileRows{Read: len(t.rows)}
	if p.bundle.Delta {
		p.orderDelta(t)
	}
	f.read(p, t)
	p.complete[f.name] = t.complete
}

// keep reports whether a checked row goes into the Bundle; a row with a
// problem does not, and is accounted for as rejected.
func (p *bundleParser) keep(c *rowCheck) bool {
	if c.failed {
		p.reject(c.t, c.row, c.reason)
		return false
	}
	return true
}

func (p *bundleParser) reject(t *table, row tableRow, reason string) {
	p.bundle.holdBack(t.file, t.value(row, "sourcedId"))
	if r := p.bundle.Rows[t.file]; r != nil {
		r.Rejected = append(r.Rejected, Skip{File: t.file, Line: row.line, Reason: reason})
	}
}

// rejectLine records that the row on line of file, found fit on its own,
// was left out of the Bundle for reason; id, when set, is held back (see
// Bundle.HeldBack).
func (p *bundleParser) rejectLine(file string, line int, id, reason string) {
	if id != "" {
		p.bundle.holdBack(file, id)
	}
	if r := p.bundle.Rows[file]; r != nil {
		r.Rejected = append(r.Rejected, Skip{File: file, Line: line, Reason: reason})
	}
}

// startRow begins checking one row: it records the row's sourcedId, which
// is also done for misshapen rows so that rows referring to them are not
// reported as dangling. It returns nil for misshapen rows, whose other
// values cannot be trusted.
func (p *bundleParser) startRow(t *table, row tableRow) *rowCheck {
	c := &rowCheck{t: t, row: row, problems: &p.problems}
	id := t.value(row, "sourcedId")
	ids := p.ids[t.file]
	if ids == nil {
		ids = map[string]int{}
		p.ids[t.file] = ids
	}
	first, seen := ids[id]
	if id != "" && !seen {
		ids[id] = row.line
	}
	if row.misshapen {
		p.reject(t, row, "the row's fields do not line up with the header")
		return nil
	}
	if id != "" && seen {
		c.problem("sourcedId", "sourcedId %s is already used on line %d; every row needs its own sourcedId", quote(id), first)
	}
	return c
}

// refer notes that ids in this row's field must name rows of target.
func (p *bundleParser) refer(c *rowCheck, field, target string, ids ...string) {
	for _, id := range ids {
		if id != "" {
			p.references = append(p.references, reference{file: c.t.file, line: c.row.line, field: field, id: id, target: target})
		}
	}
}

// referSoft notes a reference that may dangle: real exports name parents
// and terms they leave out of the bundle. drop removes it from the row.
func (p *bundleParser) referSoft(c *rowCheck, field, target, id string, drop func()) {
	if id != "" {
		p.references = append(p.references, reference{file: c.t.file, line: c.row.line, field: field, id: id, target: target, drop: drop})
	}
}

func (p *bundleParser) checkReferences() {
	for _, r := range p.references {
		if !p.complete[r.target] {
			continue
		}
		if _, ok := p.ids[r.target][r.id]; ok {
			continue
		}
		if r.drop != nil {
			r.drop()
			p.problems.warn(r.file, r.line, r.field, "%s %s is not in %s; the row was imported without it", r.field, quote(r.id), r.target)
			continue
		}
		p.problems.add(r.file, r.line, r.field, "%s %s is not in %s", r.field, quote(r.id), r.target)
	}
}

// coursesFromClasses makes a course for each class that names none, and,
// when courses.csv is absent, for each course the classes name: titled
// after the (first) class and in its school. Real exports leave courses
// out; without this every class and enrollment would be lost.
//
// The same holds when manifest.csv lists courses.csv but the export left it
// out (the warning says so): the classes and their enrollments are kept, and
// importing the bundle again with courses.csv gives the courses their own
// titles.
func (p *bundleParser) coursesFromClasses() {
	_, coursesRead := p.bundle.Rows["courses.csv"]
	made := map[string]bool{}
	var named []string // courseSourcedIds the classes name, made here
	for i := range p.bundle.Classes {
		cl := &p.bundle.Classes[i]
		id := cl.CourseSourcedID
		switch {
		case id == "":
			id = "class:" + cl.SourcedID
			cl.CourseSourcedID = id
		case coursesRead:
			continue
		}
		if made[id] {
			continue
		}
		made[id] = true
		if id == cl.CourseSourcedID && !strings.HasPrefix(id, "class:") {
			named = append(named, id)
		}
		p.bundle.Courses = append(p.bundle.Courses, Course{SourcedID: id, Status: cl.Status, Title: cl.Title,
			OrgSourcedID: cl.SchoolSourcedID, Grades: cl.Grades, Subjects: cl.Subjects, FromClass: cl.SourcedID})
	}
	if !coursesRead && len(p.bundle.Classes) > 0 {
		refs := ""
		if len(named) > 0 {
			refs = " (courseSourcedId " + listIDs(named, 10) + ")"
		}
		listed := ""
		if p.coursesListedMissing {
			listed = ", although manifest.csv lists it as bulk"
		}
		p.problems.warn("courses.csv", 0, "", "courses.csv is missing%s; each course the classes name%s was made from its first class (its title and school)", listed, refs)
	}
}

// listIDs quotes up to max ids, saying how many more there are.
func listIDs(ids []string, max int) string {
	quoted := make([]string, 0, min(len(ids), max))
	for _, id := range ids[:min(len(ids), max)] {
		quoted = append(quoted, quote(id))
	}
	s := strings.Join(quoted, ", ")
	if len(ids) > max {
		s += fmt.Sprintf(" and %d more", len(ids)-max)
	}
	return s
}
