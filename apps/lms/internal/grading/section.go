package grading

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"time"

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

func load(ctx context.Context, s *db.Scope, sectionID, onlyStudent string, now time.Time) (*Section, error) {
	sec := &Section{SectionID: sectionID, Viewer: ViewerFor(s.Actor.Role)}
	var termIDs []string
	err := s.Tx.QueryRow(ctx, `SELECT s.title, sc.time_zone, s.term_ids::text[] FROM sections s JOIN schools sc ON sc.id = s.school_id
		WHERE s.id = $1`, sectionID).Scan(&sec.Title, &sec.TimeZone, &termIDs)
	if err != nil {
		return nil, domain.Wrap("gradebook section", err)
	}
	loc, err := time.LoadLocation(sec.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	if sec.Settings, err = GetSettings(ctx, s, sectionID); err != nil {
		return nil, err
	}
	st := sec.Settings
	course := &calc.Course{Weighting: st.Weighting, Late: st.latePolicy(), Scheme: st.calcScheme(), Now: now}
	sec.course = course

	if err := loadGroups(ctx, s, sec, course); err != nil {
		return nil, err
	}
	if err := loadPeriods(ctx, s, sec, course, termIDs, loc); err != nil {
		return nil, err
	}
	due, err := loadAssignments(ctx, s, sec, course)
	if err != nil {
		return nil, err
	}
	if sec.Outcomes, err = outcomes.ForSection(ctx, s, sectionID); err != nil {
		return nil, err
	}
	for i := range sec.Outcomes {
		course.Outcomes = append(course.Outcomes, sec.Outcomes[i].Calc())
	}
	return sec, loadStudents(ctx, s, sec, course, onlyStudent, due)
}

func loadGroups(ctx context.Context, s *db.Scope, sec *Section, course *calc.Course) error {
	rows, err := s.Tx.Query(ctx, `SELECT id, name, weight::float8, weight::text, drop_lowest, drop_highest, never_drop::text[]
		FROM assignment_groups WHERE section_id = $1 ORDER BY position, name, id`, sec.SectionID)
	if err != nil {
		return domain.Wrap("assignment groups", err)
	}
	defer rows.Close()
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
	}
	if err := rows.Err(); err != nil {
		return domain.Wrap("assignment groups", err)
	}
	sec.Groups = append(sec.Groups, GroupInfo{ID: Ungrouped, Name: "Ungrouped", NeverDrop: []string{}})
	course.Groups = append(course.Groups, calc.Group{ID: Ungrouped})
	return nil
}

// loadPeriods reads the section's grading periods: its terms of kind
// gradingPeriod, each from the start of its first day to the end of its
// last in the school's time zone.
func loadPeriods(ctx context.Context, s *db.Scope, sec *Section, course *calc.Course, termIDs []string, loc *time.Location) error {
	if len(termIDs) == 0 {
		return nil
	}
	rows, err := s.Tx.Query(ctx, `SELECT id, name, starts_on, ends_on FROM terms WHERE id = ANY ($1::uuid[]) AND kind = 'gradingPeriod'
		ORDER BY starts_on, id`, termIDs)
	if err != nil {
		return domain.Wrap("grading periods", err)
	}
	defer rows.Close()
	set := &calc.PeriodSet{Weighted: sec.Settings.WeightedPeriods}
	for rows.Next() {
		var p PeriodInfo
		var start, end time.Time
		if err := rows.Scan(&p.ID, &p.Name, &start, &end); err != nil {
			return domain.Wrap("grading periods", err)
		}
		p.Start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
		p.End = time.Date(end.Year(), end.Month(), end.Day()+1, 0, 0, 0, 0, loc)
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
		course.Periods = set
	}
	return nil
}

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

func loadAssignments(ctx context.Context, s *db.Scope, sec *Section, course *calc.Course) (dueDates, error) {
	due := dueDates{def: map[string]*time.Time{}, bySection: map[string]time.Time{}, byStudent: map[[2]string]time.Time{}}
	rows, err := s.Tx.Query(ctx, `SELECT a.id, a.title, coalesce(a.group_id::text, ''), a.grading_type, a.points_possible::float8,
		a.points_possible::text, a.due_at, a.omit_from_final, cardinality(a.submission_types) > 0
		FROM assignments a LEFT JOIN assignment_groups g ON g.id = a.group_id
		WHERE $1::uuid = ANY (a.section_ids) AND a.published
		ORDER BY a.due_at NULLS LAST, a.created_at, a.id`, sec.SectionID)
	if err != nil {
		return due, domain.Wrap("gradebook assignments", err)
	}
	defer rows.Close()
	known := map[string]bool{}
	for _, g := range course.Groups {
		known[g.ID] = true
	}
	for rows.Next() {
		var c Column
		var possible *string
		var omit, online bool
		if err := rows.Scan(&c.ID, &c.Title, &c.GroupID, &c.GradingType, &c.Possible, &possible, &c.DueAt, &omit, &online); err != nil {
			return due, domain.Wrap("gradebook assignments", err)
		}
		if !known[c.GroupID] {
			c.GroupID = Ungrouped
		}
		a := calc.Assignment{ID: c.ID, GroupID: c.GroupID, GradingType: c.GradingType, OmitFromFinalGrade: omit,
			ExpectsSubmission: online && c.GradingType != calc.NotGraded, PostPolicy: calc.PostManually}
		if possible != nil {
			a.PointsPossible, _ = new(big.Rat).SetString(*possible)
		}
		due.def[c.ID] = c.DueAt
		sec.Columns = append(sec.Columns, c)
		course.Assignments = append(course.Assignments, a)
	}
	if err := rows.Err(); err != nil {
		return due, domain.Wrap("gradebook assignments", err)
	}
	ids := make([]string, len(sec.Columns))
	for i, c := range sec.Columns {
		ids[i] = c.ID
	}
	orows, err := s.Tx.Query(ctx, `SELECT assignment_id, section_id, student_id, due_at FROM assignment_overrides
		WHERE assignment_id = ANY ($1::uuid[]) AND (section_id = $2 OR student_id IS NOT NULL)`, ids, sec.SectionID)
	if err != nil {
		return due, domain.Wrap("due date overrides", err)
	}
	defer orows.Close()
	for orows.Next() {
		var a string
		var section, student *string
		var at time.Time
		if err := orows.Scan(&a, &section, &student, &at); err != nil {
			return due, domain.Wrap("due date overrides", err)
		}
		if student != nil {
			due.byStudent[[2]string{a, *student}] = at
		} else {
			due.bySection[a] = at
		}
	}
	return due, domain.Wrap("due date overrides", orows.Err())
}

// loadStudents reads the visible students with their grades, latest
// submission times and overrides (one query), and computes each.
func loadStudents(ctx context.Context, s *db.Scope, sec *Section, course *calc.Course, only string, due dueDates) error {
	ids := make([]string, len(sec.Columns))
	for i, c := range sec.Columns {
		ids[i] = c.ID
	}
	var filter any
	switch {
	case only != "":
		filter = []string{only}
	case s.Actor.Role == db.Student:
		filter = []string{s.Actor.UserID}
	}
	// Four flat queries (students, overrides, grades, latest submissions),
	// each a set for the whole section: no per-student subqueries.
	type loaded struct {
		student calc.Student
		name    string
		grades  map[string]gradeRow
		subs    map[string]time.Time
	}
	var all []*loaded
	byID := map[string]*loaded{}
	rows, err := s.Tx.Query(ctx, `SELECT DISTINCT u.id, u.display_name, u.family_name, u.given_name
		FROM enrollments e JOIN users u ON u.id = e.user_id
		WHERE e.section_id = $1 AND e.role = 'student' AND ($2::uuid[] IS NULL OR u.id = ANY ($2::uuid[]))
		  AND ((SELECT bw_role()) <> 'guardian' OR u.id = ANY ((SELECT bw_students())::uuid[]))
		ORDER BY u.family_name, u.given_name, u.id`, sec.SectionID, filter)
	if err != nil {
		return domain.Wrap("gradebook students", err)
	}
	for rows.Next() {
		l := &loaded{grades: map[string]gradeRow{}, subs: map[string]time.Time{}}
		var family, given string
		if err := rows.Scan(&l.student.ID, &l.name, &family, &given); err != nil {
			rows.Close()
			return domain.Wrap("gradebook students", err)
		}
		all = append(all, l)
		byID[l.student.ID] = l
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return domain.Wrap("gradebook students", err)
	}
	studentIDs := make([]string, len(all))
	for i, l := range all {
		studentIDs[i] = l.student.ID
	}
	orows, err := s.Tx.Query(ctx, `SELECT student_id, percent::text, letter, posted FROM final_grade_overrides
		WHERE section_id = $1 AND student_id = ANY ($2::uuid[])`, sec.SectionID, studentIDs)
	if err != nil {
		return domain.Wrap("final grade overrides", err)
	}
	for orows.Next() {
		var id string
		var percent *string
		o := &calc.Override{}
		if err := orows.Scan(&id, &percent, &o.Letter, &o.Posted); err != nil {
			orows.Close()
			return domain.Wrap("final grade overrides", err)
		}
		if percent != nil {
			o.Percent, _ = new(big.Rat).SetString(*percent)
		}
		if l := byID[id]; l != nil && (o.Percent != nil || course.Scheme != nil) {
			l.student.Override = o
		}
	}
	orows.Close()
	if err := orows.Err(); err != nil {
		return domain.Wrap("final grade overrides", err)
	}
	grows, err := s.Tx.Query(ctx, `SELECT student_id, assignment_id, score::text, entered, coalesce(status, ''), posted FROM grades
		WHERE assignment_id = ANY ($1::uuid[]) AND student_id = ANY ($2::uuid[])`, ids, studentIDs)
	if err != nil {
		return domain.Wrap("gradebook grades", err)
	}
	for grows.Next() {
		var st, a string
		var g gradeRow
		if err := grows.Scan(&st, &a, &g.score, &g.entered, &g.status, &g.posted); err != nil {
			grows.Close()
			return domain.Wrap("gradebook grades", err)
		}
		if l := byID[st]; l != nil {
			l.grades[a] = g
		}
	}
	grows.Close()
	if err := grows.Err(); err != nil {
		return domain.Wrap("gradebook grades", err)
	}
	srows, err := s.Tx.Query(ctx, `SELECT student_id, assignment_id, max(submitted_at) FROM submissions
		WHERE assignment_id = ANY ($1::uuid[]) AND student_id = ANY ($2::uuid[]) GROUP BY student_id, assignment_id`, ids, studentIDs)
	if err != nil {
		return domain.Wrap("gradebook submissions", err)
	}
	for srows.Next() {
		var st, a string
		var at time.Time
		if err := srows.Scan(&st, &a, &at); err != nil {
			srows.Close()
			return domain.Wrap("gradebook submissions", err)
		}
		if l := byID[st]; l != nil {
			l.subs[a] = at
		}
	}
	srows.Close()
	if err := srows.Err(); err != nil {
		return domain.Wrap("gradebook submissions", err)
	}
	if len(course.Outcomes) > 0 {
		results, err := outcomes.Results(ctx, s, sec.SectionID, studentIDs)
		if err != nil {
			return err
		}
		for _, l := range all {
			l.student.Results = results[l.student.ID]
		}
	}
	for _, l := range all {
		l.student.Work = make([]calc.Work, 0, len(course.Assignments))
		for _, a := range course.Assignments {
			w := calc.Work{AssignmentID: a.ID, DueAt: due.forStudent(a.ID, l.student.ID)}
			if at, ok := l.subs[a.ID]; ok {
				w.Submitted, w.SubmittedAt = true, at
			}
			if g, ok := l.grades[a.ID]; ok {
				fillGrade(&w, a, course.Scheme, g.score, g.entered, g.status, g.posted)
			}
			l.student.Work = append(l.student.Work, w)
		}
	}
	for i := range all {
		res, err := calc.Compute(course, &all[i].student, sec.Viewer)
		if err != nil {
			return domain.Wrap("compute grades", err)
		}
		sec.Students = append(sec.Students, StudentGrades{StudentID: all[i].student.ID, Name: all[i].name, Result: res})
	}
	return nil
}

// gradeRow is a grades row as the gradebook reads it.
type gradeRow struct {
	score           *string
	entered, status string
	posted          bool
}

// fillGrade turns a grades row into calc's Work for the assignment's type.
func fillGrade(w *calc.Work, a calc.Assignment, scheme *calc.Scheme, score *string, entered, status string, posted bool) {
	w.Posted = posted
	if score != nil {
		w.Score, _ = new(big.Rat).SetString(*score)
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
