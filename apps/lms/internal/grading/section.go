package grading

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
)

// ErrNotVisible is returned for a student the actor may not see grades of.
var ErrNotVisible = fmt.Errorf("grading: no such student in the section for this actor: %w", domain.ErrNotFound)

// Ungrouped is the group id of assignments without a group: it has no
// weight, so under weighted groups such work does not count.
const Ungrouped = "ungrouped"

// Column is one assignment of the gradebook, in display order.
type Column struct {
	ID          string           `json:"id"`
	Title       string           `json:"title"`
	GroupID     string           `json:"groupId"`
	GradingType calc.GradingType `json:"gradingType"`
	Possible    *float64         `json:"pointsPossible,omitempty"`
	DueAt       *time.Time       `json:"dueAt,omitempty"`
}

// GroupInfo is an assignment group as the gradebook shows it.
type GroupInfo struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Weight      *float64 `json:"weight,omitempty"`
	DropLowest  int      `json:"dropLowest"`
	DropHighest int      `json:"dropHighest"`
	// NeverDrop lists the group's assignments no drop rule may remove.
	NeverDrop []string `json:"neverDrop"`
}

// Never reports whether an assignment is marked never drop in the group.
func (g GroupInfo) Never(assignmentID string) bool { return slices.Contains(g.NeverDrop, assignmentID) }

// PeriodInfo is a grading period (a term of kind gradingPeriod).
type PeriodInfo struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Weight *float64  `json:"weight,omitempty"`
}

// StudentGrades is one student's grades as the actor may see them.
type StudentGrades struct {
	StudentID string       `json:"studentId"`
	Name      string       `json:"name"`
	Result    *calc.Result `json:"-"`
}

// Section is a section's gradebook as the actor may see it: its columns,
// groups, periods, settings and one result per visible student, by name.
type Section struct {
	SectionID string
	Title     string
	TimeZone  string
	Settings  *Settings
	Viewer    calc.Viewer
	Columns   []Column
	Groups    []GroupInfo
	Periods   []PeriodInfo
	// Outcomes are the standards the section measures (the district's and
	// its own), in the order of each student's Result.Mastery.
	Outcomes []outcomes.Outcome
	Students []StudentGrades
	course   *calc.Course
	// titles and groupInfo index Columns and Groups for Report.
	titles    map[string]string
	groupInfo map[string]GroupInfo
	// texts are the items' amounts as text, by hundredths (see shared).
	texts map[int64]*string
}

// Course is the calc input built for the section (for recomputing).
func (sec *Section) Course() *calc.Course { return sec.course }

// Student finds a student's grades in the section; nil when absent.
func (sec *Section) Student(id string) *StudentGrades {
	for i := range sec.Students {
		if sec.Students[i].StudentID == id {
			return &sec.Students[i]
		}
	}
	return nil
}

// ViewerFor maps the acting role to what calc lets it see.
func ViewerFor(role db.Role) calc.Viewer {
	switch role {
	case db.Student:
		return calc.StudentViewer
	case db.Guardian:
		return calc.Guardian
	}
	return calc.Teacher
}

// ForSection loads and computes the grades of every student of a section
// the actor may see (a student: themselves; a guardian: their linked
// children; teachers and admins: everyone enrolled), at now. Only
// published assignments count. It is a handful of queries whatever the
// size of the section.
func ForSection(ctx context.Context, s *db.Scope, sectionID string, now time.Time) (*Section, error) {
	return load(ctx, s, sectionID, "", now)
}

// ForStudent computes one student's grades in a section as the actor may
// see them; ErrNotVisible when the actor may not see that student there.
func ForStudent(ctx context.Context, s *db.Scope, sectionID, studentID string, now time.Time) (*Section, *StudentGrades, error) {
	sec, err := load(ctx, s, sectionID, studentID, now)
	if err != nil {
		return nil, nil, err
	}
	st := sec.Student(studentID)
	if st == nil {
		return nil, nil, ErrNotVisible
	}
	return sec, st, nil
}

// load reads everything the section's grades need in one batch (one
// round trip: the section, its settings, groups, grading periods,
// published assignments, due date overrides, students, final-grade
// overrides, grades and latest submissions, each a set query for the whole
// section) and computes each visible student. The callbacks run in the
// order queued, so each may use what the ones before it read.
func load(ctx context.Context, s *db.Scope, sectionID, onlyStudent string, now time.Time) (*Section, error) {
	l := &loader{sec: &Section{SectionID: sectionID, Viewer: ViewerFor(s.Actor.Role)}, now: now,
		due:    dueDates{def: map[string]*time.Time{}, bySection: map[string]time.Time{}, byStudent: map[[2]string]time.Time{}},
		byID:   map[string]*loadedStudent{},
		groups: map[string]bool{}}
	// Students to read: one (ForStudent), a student themselves, or all the
	// actor sees (nil). Row-level security applies in every case.
	var filter []string
	switch {
	case onlyStudent != "":
		filter = []string{onlyStudent}
	case s.Actor.Role == db.Student:
		filter = []string{s.Actor.UserID}
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT s.title, sc.time_zone FROM sections s JOIN schools sc ON sc.id = s.school_id
		WHERE s.id = $1`, sectionID).QueryRow(l.section)
	b.Queue(settingsQuery, sectionID).QueryRow(l.settings)
	b.Queue(`SELECT id, name, weight::float8, weight::text, drop_lowest, drop_highest, never_drop::text[]
		FROM assignment_groups WHERE section_id = $1 ORDER BY position, name, id`, sectionID).Query(l.groupRows)
	b.Queue(`SELECT t.id, t.name, t.starts_on, t.ends_on FROM terms t
		WHERE t.id = ANY ((SELECT s.term_ids FROM sections s WHERE s.id = $1)::uuid[]) AND t.kind = 'gradingPeriod'
		ORDER BY t.starts_on, t.id`, sectionID).Query(l.periodRows)
	b.Queue(`SELECT a.id, a.title, coalesce(a.group_id::text, ''), a.grading_type, a.points_possible::float8,
		a.points_possible::text, a.due_at, a.omit_from_final, cardinality(a.submission_types) > 0
		FROM assignments a WHERE a.section_ids @> ARRAY[$1::uuid] AND a.published
		ORDER BY a.due_at NULLS LAST, a.created_at, a.id`, sectionID).Query(l.assignmentRows)
	b.Queue(`SELECT o.assignment_id, o.section_id, o.student_id, o.due_at FROM assignment_overrides o
		WHERE o.assignment_id IN (`+publishedWork+`) AND (o.section_id = $1 OR o.student_id IS NOT NULL)`, sectionID).Query(l.overrideRows)
	b.Queue(`SELECT DISTINCT u.id, u.display_name, u.family_name, u.given_name
		FROM enrollments e JOIN users u ON u.id = e.user_id
		WHERE e.section_id = $1 AND e.role = 'student' AND ($2::uuid[] IS NULL OR u.id = ANY ($2::uuid[]))
		  AND ((SELECT bw_role()) IS DISTINCT FROM 'guardian' OR u.id = ANY ((SELECT bw_students())::uuid[]))
		ORDER BY u.family_name, u.given_name, u.id`, sectionID, filter).Query(l.studentRows)
	b.Queue(`SELECT f.student_id, f.percent::text, f.letter, f.posted FROM final_grade_overrides f
		WHERE f.section_id = $1 AND ($2::uuid[] IS NULL OR f.student_id = ANY ($2::uuid[]))`, sectionID, filter).Query(l.finalOverrideRows)
	b.Queue(`SELECT g.student_id, g.assignment_id, g.score::text, g.entered, coalesce(g.status, ''), g.posted FROM grades g
		WHERE g.assignment_id IN (`+publishedWork+`) AND g.student_id IN (`+sectionStudents+`)
		  AND ($2::uuid[] IS NULL OR g.student_id = ANY ($2::uuid[]))`, sectionID, filter).Query(l.gradeRows)
	b.Queue(`SELECT su.student_id, su.assignment_id, max(su.submitted_at) FROM submissions su
		WHERE su.assignment_id IN (`+publishedWork+`) AND su.student_id IN (`+sectionStudents+`)
		  AND ($2::uuid[] IS NULL OR su.student_id = ANY ($2::uuid[]))
		GROUP BY su.student_id, su.assignment_id`, sectionID, filter).Query(l.submissionRows)
	if err := s.Tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	if err := l.outcomes(ctx, s); err != nil {
		return nil, err
	}
	return l.sec, l.compute()
}

// outcomes reads the standards the section measures and, when there are
// any, each loaded student's results for them (one more round trip, and a second
// for sections that have outcomes).
func (l *loader) outcomes(ctx context.Context, s *db.Scope) error {
	var err error
	if l.sec.Outcomes, err = outcomes.ForSection(ctx, s, l.sec.SectionID); err != nil {
		return err
	}
	if len(l.sec.Outcomes) == 0 {
		return nil
	}
	for i := range l.sec.Outcomes {
		l.course.Outcomes = append(l.course.Outcomes, l.sec.Outcomes[i].Calc())
	}
	ids := make([]string, len(l.students))
	for i, st := range l.students {
		ids[i] = st.student.ID
	}
	results, err := outcomes.Results(ctx, s, l.sec.SectionID, ids)
	if err != nil {
		return err
	}
	for _, st := range l.students {
		st.student.Results = results[st.student.ID]
	}
	return nil
}

// The published assignments and the enrolled students of section $1, as
// subqueries (row-level security applies to both).
const (
	publishedWork   = `SELECT a.id FROM assignments a WHERE a.section_ids @> ARRAY[$1::uuid] AND a.published`
	sectionStudents = `SELECT e.user_id FROM enrollments e WHERE e.section_id = $1 AND e.role = 'student'`
)

// dueDates is each assignment's default, per-section and per-student due dates.
type dueDates struct {
	def       map[string]*time.Time
	bySection map[string]time.Time // assignment → this section's override
	byStudent map[[2]string]time.Time
}

func (d dueDates) forStudent(assignment, student string) *time.Time {
	if t, ok := d.byStudent[[2]string{assignment, student}]; ok {
		return &t
	}
	if t, ok := d.bySection[assignment]; ok {
		return &t
	}
	return d.def[assignment]
}

// loader collects a section's rows as the batch's callbacks read them.
type loader struct {
	sec      *Section
	now      time.Time
	course   *calc.Course
	loc      *time.Location
	groups   map[string]bool
	due      dueDates
	students []*loadedStudent
	byID     map[string]*loadedStudent
	// byUUID and column find a grade row's student and assignment by the
	// ids' bytes (4,000 rows: no id strings made for them).
	byUUID map[[16]byte]*loadedStudent
	column map[[16]byte]int
}

// loadedStudent is one student's rows before computing.
type loadedStudent struct {
	student calc.Student
	name    string
	grades  []gradeRow // by assignment, in course order
	subs    map[string]time.Time
}

func (l *loader) section(row pgx.Row) error {
	if err := row.Scan(&l.sec.Title, &l.sec.TimeZone); err != nil {
		return domain.Wrap("gradebook section", err)
	}
	var err error
	if l.loc, err = time.LoadLocation(l.sec.TimeZone); err != nil {
		l.loc = time.UTC
	}
	return nil
}

func (l *loader) settings(row pgx.Row) (err error) {
	if l.sec.Settings, err = scanSettings(row, l.sec.SectionID); err != nil {
		return err
	}
	st := l.sec.Settings
	l.course = &calc.Course{Weighting: st.Weighting, Late: st.latePolicy(), Scheme: st.calcScheme(), Now: l.now}
	l.sec.course = l.course
	return nil
}

func (l *loader) groupRows(rows pgx.Rows) error {
	sec, course := l.sec, l.course
	for rows.Next() {
		var g GroupInfo
		var weight *string
		var cg calc.Group
		if err := rows.Scan(&g.ID, &g.Name, &g.Weight, &weight, &cg.DropLowest, &cg.DropHighest, &cg.NeverDrop); err != nil {
			return domain.Wrap("assignment groups", err)
		}
		cg.ID, g.DropLowest, g.DropHighest, g.NeverDrop = g.ID, cg.DropLowest, cg.DropHighest, cg.NeverDrop
		if weight != nil {
			cg.Weight, _ = new(big.Rat).SetString(*weight)
		}
		sec.Groups = append(sec.Groups, g)
		course.Groups = append(course.Groups, cg)
		l.groups[g.ID] = true
	}
	if err := rows.Err(); err != nil {
		return domain.Wrap("assignment groups", err)
	}
	sec.Groups = append(sec.Groups, GroupInfo{ID: Ungrouped, Name: "Ungrouped", NeverDrop: []string{}})
	course.Groups = append(course.Groups, calc.Group{ID: Ungrouped})
	l.groups[Ungrouped] = true
	return nil
}

// periodRows reads the section's grading periods: its terms of kind
// gradingPeriod, each from the start of its first day to the end of its
// last in the school's time zone.
func (l *loader) periodRows(rows pgx.Rows) error {
	sec := l.sec
	set := &calc.PeriodSet{Weighted: sec.Settings.WeightedPeriods}
	for rows.Next() {
		var p PeriodInfo
		var start, end time.Time
		if err := rows.Scan(&p.ID, &p.Name, &start, &end); err != nil {
			return domain.Wrap("grading periods", err)
		}
		p.Start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, l.loc)
		p.End = time.Date(end.Year(), end.Month(), end.Day()+1, 0, 0, 0, 0, l.loc)
		cp := calc.Period{ID: p.ID, Start: p.Start, End: p.End, Close: p.End}
		if w, ok := sec.Settings.PeriodWeights[p.ID]; ok {
			p.Weight = &w
			cp.Weight = rat(w)
		}
		sec.Periods = append(sec.Periods, p)
		set.Periods = append(set.Periods, cp)
	}
	if err := rows.Err(); err != nil {
		return domain.Wrap("grading periods", err)
	}
	if len(set.Periods) > 0 {
		l.course.Periods = set
	}
	return nil
}

func (l *loader) assignmentRows(rows pgx.Rows) error {
	for rows.Next() {
		var c Column
		var possible *string
		var omit, online bool
		if err := rows.Scan(&c.ID, &c.Title, &c.GroupID, &c.GradingType, &c.Possible, &possible, &c.DueAt, &omit, &online); err != nil {
			return domain.Wrap("gradebook assignments", err)
		}
		if !l.groups[c.GroupID] {
			c.GroupID = Ungrouped
		}
		a := calc.Assignment{ID: c.ID, GroupID: c.GroupID, GradingType: c.GradingType, OmitFromFinalGrade: omit,
			ExpectsSubmission: online && c.GradingType != calc.NotGraded, PostPolicy: calc.PostManually}
		if possible != nil {
			a.PointsPossible, _ = new(big.Rat).SetString(*possible)
		}
		l.due.def[c.ID] = c.DueAt
		l.sec.Columns = append(l.sec.Columns, c)
		l.course.Assignments = append(l.course.Assignments, a)
	}
	return domain.Wrap("gradebook assignments", rows.Err())
}

func (l *loader) overrideRows(rows pgx.Rows) error {
	for rows.Next() {
		var a string
		var section, student *string
		var at time.Time
		if err := rows.Scan(&a, &section, &student, &at); err != nil {
			return domain.Wrap("due date overrides", err)
		}
		if student != nil {
			l.due.byStudent[[2]string{a, *student}] = at
		} else {
			l.due.bySection[a] = at
		}
	}
	return domain.Wrap("due date overrides", rows.Err())
}

func (l *loader) studentRows(rows pgx.Rows) error {
	for rows.Next() {
		st := &loadedStudent{grades: make([]gradeRow, len(l.course.Assignments)), subs: map[string]time.Time{}}
		var family, given string
		if err := rows.Scan(&st.student.ID, &st.name, &family, &given); err != nil {
			return domain.Wrap("gradebook students", err)
		}
		l.students = append(l.students, st)
		l.byID[st.student.ID] = st
		if id, ok := uuidBytes(st.student.ID); ok {
			if l.byUUID == nil {
				l.byUUID = map[[16]byte]*loadedStudent{}
			}
			l.byUUID[id] = st
		}
	}
	return domain.Wrap("gradebook students", rows.Err())
}

func (l *loader) finalOverrideRows(rows pgx.Rows) error {
	for rows.Next() {
		var id string
		var percent *string
		o := &calc.Override{}
		if err := rows.Scan(&id, &percent, &o.Letter, &o.Posted); err != nil {
			return domain.Wrap("final grade overrides", err)
		}
		if percent != nil {
			o.Percent, _ = new(big.Rat).SetString(*percent)
		}
		if st := l.byID[id]; st != nil && (o.Percent != nil || l.course.Scheme != nil) {
			st.student.Override = o
		}
	}
	return domain.Wrap("final grade overrides", rows.Err())
}

func (l *loader) gradeRows(rows pgx.Rows) error {
	for rows.Next() {
		var id, a pgtype.UUID
		g := gradeRow{found: true}
		if err := rows.Scan(&id, &a, &g.score, &g.entered, &g.status, &g.posted); err != nil {
			return domain.Wrap("gradebook grades", err)
		}
		ai, ok := l.columnOf(a.Bytes)
		if st := l.byUUID[id.Bytes]; st != nil && ok {
			st.grades[ai] = g
		}
	}
	return domain.Wrap("gradebook grades", rows.Err())
}

func (l *loader) submissionRows(rows pgx.Rows) error {
	for rows.Next() {
		var id, a string
		var at time.Time
		if err := rows.Scan(&id, &a, &at); err != nil {
			return domain.Wrap("gradebook submissions", err)
		}
		if st := l.byID[id]; st != nil {
			st.subs[a] = at
		}
	}
	return domain.Wrap("gradebook submissions", rows.Err())
}

// compute turns each student's rows into calc's input and computes it.
func (l *loader) compute() error {
	course := l.course
	for _, st := range l.students {
		st.student.Work = make([]calc.Work, 0, len(course.Assignments))
		for ai, a := range course.Assignments {
			w := calc.Work{AssignmentID: a.ID, DueAt: l.due.forStudent(a.ID, st.student.ID)}
			if at, ok := st.subs[a.ID]; ok {
				w.Submitted, w.SubmittedAt = true, at
			}
			if g := st.grades[ai]; g.found {
				fillGrade(&w, a, course.Scheme, g.score, g.entered, g.status, g.posted)
			}
			st.student.Work = append(st.student.Work, w)
		}
	}
	for _, st := range l.students {
		res, err := calc.Compute(course, &st.student, l.sec.Viewer)
		if err != nil {
			return domain.Wrap("compute grades", err)
		}
		l.sec.Students = append(l.sec.Students, StudentGrades{StudentID: st.student.ID, Name: st.name, Result: res})
	}
	return nil
}

// columnOf is the course position of the assignment with id's bytes.
func (l *loader) columnOf(id [16]byte) (int, bool) {
	if l.column == nil {
		l.column = make(map[[16]byte]int, len(l.course.Assignments))
		for i, a := range l.course.Assignments {
			if b, ok := uuidBytes(a.ID); ok {
				l.column[b] = i
			}
		}
	}
	i, ok := l.column[id]
	return i, ok
}

// uuidBytes reads a UUID's canonical text (as pgx writes it) into bytes.
func uuidBytes(s string) (b [16]byte, ok bool) {
	if len(s) != 36 {
		return b, false
	}
	j := 0
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return b, false
			}
			continue
		}
		h, ok := unhex(s[i])
		if !ok {
			return b, false
		}
		b[j/2] |= h << (4 * (1 - j%2))
		j++
	}
	return b, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// gradeRow is a grades row as the gradebook reads it.
type gradeRow struct {
	found           bool
	score           *string
	entered, status string
	posted          bool
}

// fillGrade turns a grades row into calc's Work for the assignment's type.
func fillGrade(w *calc.Work, a calc.Assignment, scheme *calc.Scheme, score *string, entered, status string, posted bool) {
	w.Posted = posted
	if score != nil {
		w.Score = parseScore(*score)
	}
	switch a.GradingType {
	case calc.CompleteIncomplete:
		switch entered {
		case "complete":
			w.Complete = ptr(true)
		case "incomplete":
			w.Complete = ptr(false)
		}
	case calc.Letter:
		if scheme != nil && slices.ContainsFunc(scheme.Entries, func(e calc.SchemeEntry) bool { return e.Letter == entered }) {
			w.Letter = entered
		}
	}
	switch status {
	case "late":
		w.Status = calc.StatusLate
	case "missing":
		w.Status = calc.StatusMissing
	case "none":
		w.Status = calc.StatusNone
	case "excused":
		w.Status = calc.StatusExcused
		w.Excused = true
	}
}

func ptr[T any](v T) *T { return &v }

// parseScore reads a numeric column's text ("7.50", "-2", "10.125") as an
// exact rational: plain decimals directly (the gradebook reads 4,000 of
// them per request), anything else through big.Rat's parser; nil when it is
// not a number.
func parseScore(s string) *big.Rat {
	var n, den int64 = 0, 1
	digits, frac, neg := 0, false, false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '-' && i == 0:
			neg = true
		case ch == '.' && !frac:
			frac = true
		case ch >= '0' && ch <= '9' && digits < 17:
			n, digits = n*10+int64(ch-'0'), digits+1
			if frac {
				den *= 10
			}
		default:
			r, ok := new(big.Rat).SetString(s)
			if !ok {
				return nil
			}
			return r
		}
	}
	if digits == 0 {
		return nil
	}
	if neg {
		n = -n
	}
	return new(big.Rat).SetFrac64(n, den)
}
