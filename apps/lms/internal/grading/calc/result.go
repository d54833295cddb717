package calc

// Result is one student's grades as one viewer may see them.
type Result struct {
	StudentID string
	Viewer    Viewer
	// Items has one entry per assigned assignment, in course order.
	Items []Item
	// Groups are the course-wide assignment group grades, in course order.
	Groups []GroupResult
	// Periods are the grading period grades, in course order; empty when
	// the course has no periods.
	Periods []PeriodResult
	// Current counts only graded work; Final counts ungraded work as zero.
	// Both are percentages; nil when there is nothing to grade.
	Current, Final Grade
	// Override is the final-grade override when one is set and visible to
	// the viewer; the course grade to show is then the override.
	Override *Grade
	// Mastery is one entry per course outcome, in course order.
	Mastery []Mastery
}

// Grade is a percentage and, when the course has a scheme, its letter.
type Grade struct {
	Percent *Amount
	Letter  string
}

// Shown is the grade to display as the course grade: the override when
// there is one, otherwise the current grade.
func (r *Result) Shown() Grade {
	if r.Override != nil {
		return *r.Override
	}
	return r.Current
}

// ItemState is what the calculation did with one assignment.
type ItemState string

const (
	// Counted: the score counts (in current and final).
	Counted ItemState = "counted"
	// Ungraded: no score yet (or hidden from this viewer): left out of
	// current, zero in final.
	Ungraded ItemState = "ungraded"
	// Excused: removed from every calculation.
	Excused ItemState = "excused"
	// Omitted: the assignment is omitted from the final grade or not
	// graded; it never counts.
	Omitted ItemState = "omitted"
)

// Item is one assignment for one student after policies.
type Item struct {
	AssignmentID string
	GroupID      string
	State        ItemState
	// Hidden: the grade is not posted and the viewer is a student or
	// guardian; Score, Entered and Deduction are then nil.
	Hidden bool
	// Late and Missing are the effective statuses (teacher override
	// applied).
	Late, Missing bool
	// Entered is the score as graded (a letter or complete converted to
	// points) before the late policy; nil when not graded.
	Entered *Amount
	// Deduction is the late deduction in points; nil when none.
	Deduction *Amount
	// AutoMissing: Score is the missing policy's automatic score.
	AutoMissing bool
	// Score is the score that counts: Entered minus Deduction, or the
	// automatic missing score.
	Score    *Amount
	Possible *Amount
	// PeriodID is the grading period the work falls in; "" for none.
	PeriodID string
}

// GroupResult is one assignment group's grade.
type GroupResult struct {
	GroupID        string
	Current, Final GroupScore
}

// GroupScore is a group's points after drops.
type GroupScore struct {
	Score, Possible *Amount
	// Percent is Score/Possible; nil when nothing is possible.
	Percent *Amount
	// Dropped lists what the drop rules removed, and why.
	Dropped []Drop
}

// Drop is one score a drop rule removed.
type Drop struct {
	AssignmentID string
	Reason       DropReason
}

// PeriodResult is one grading period's grade.
type PeriodResult struct {
	PeriodID string
	Weight   *Amount
	// Closed: the period's close date has passed (grades are locked).
	Closed         bool
	Groups         []GroupResult
	Current, Final Grade
}

type totals struct {
	score, possible num
}
