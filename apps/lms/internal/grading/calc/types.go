package calc

import (
	"math/big"
	"time"
)

// Course is everything about a course that a grade depends on and that is the
// same for every student: its assignments, groups, grading periods and
// policies. Build it once and call [Compute] for each student.
type Course struct {
	// Weighting says how assignment groups combine into a course grade;
	// empty means ByPoints.
	Weighting Weighting
	// Groups are the assignment groups. Every assignment names one.
	Groups []Group
	// Assignments in display order; the order breaks ties when a drop rule
	// has two equally good choices (the later assignment is dropped, as
	// Canvas does when its assignments are listed by id).
	Assignments []Assignment
	// Periods are the grading periods; nil means the course has none.
	Periods *PeriodSet
	// Late is the late and missing policy; nil means none.
	Late *LatePolicy
	// Scheme turns percentages into letters and letter grades into
	// scores; nil means the course shows no letters.
	Scheme *Scheme
	// Outcomes are the standards measured in the course, for mastery.
	Outcomes []Outcome
	// Now is when the calculation happens: it decides which work is missing
	// (past due) and which grading periods are closed.
	Now time.Time
}

// Weighting is how assignment groups combine into a course grade.
type Weighting string

const (
	// ByPoints adds every group's points and divides by every group's
	// points possible; group weights are ignored (Canvas "points").
	ByPoints Weighting = "points"
	// ByGroupPercent weights each group's percentage by its Weight. Groups
	// with nothing possible do not count and their weight is shared out:
	// when the weights of the groups that count add up to less than 100 the
	// result is scaled up to 100 (a course with groups 40/40/20 where the
	// 20 group is empty grades out of the 80 that count). Weights above
	// 100 are not scaled down, as in Canvas.
	ByGroupPercent Weighting = "percent"
)

// Group is an assignment group and its drop rules.
type Group struct {
	ID string
	// Weight is the group's percentage of the course grade under
	// ByGroupPercent; nil is zero.
	Weight *big.Rat
	// DropLowest drops that many scores per student, choosing the ones
	// whose removal gives the highest group score (which is not always the
	// lowest percentage: points possible differ). At least one droppable
	// score is always kept, so a student needs DropLowest+1 scores before
	// all of them are dropped.
	DropLowest int
	// DropHighest drops that many further scores, choosing the ones whose
	// removal gives the lowest group score. It is ignored for a student
	// with too few scores to drop both the lowest and the highest.
	DropHighest int
	// NeverDrop lists assignment ids that no drop rule may remove; they
	// still count in the score the rules maximise or minimise.
	NeverDrop []string
}

// GradingType is how an assignment is graded.
type GradingType string

const (
	// Points: the teacher enters points (Work.Score).
	Points GradingType = "points"
	// CompleteIncomplete: complete is full points, incomplete is zero. No
	// late deduction applies and missing work scores zero.
	CompleteIncomplete GradingType = "complete_incomplete"
	// Letter: the teacher enters a letter (Work.Letter), worth the top of
	// that letter's band in the scheme: 100% for the first letter,
	// otherwise one point below the next higher cut-off (a tenth of a point
	// when the bands are closer than one point), as Canvas converts them.
	// A raw Work.Score is used when no letter is entered.
	Letter GradingType = "letter"
	// NotGraded assignments never count towards any grade.
	NotGraded GradingType = "not_graded"
)

// PostPolicy decides when a grade becomes visible to the student and the
// student's guardians.
type PostPolicy string

const (
	// PostAutomatically shows a grade as soon as it is entered.
	PostAutomatically PostPolicy = "automatic"
	// PostManually hides grades until the teacher posts them
	// (Work.Posted).
	PostManually PostPolicy = "manual"
)

// Assignment is one piece of graded work.
type Assignment struct {
	ID      string
	GroupID string
	// PointsPossible; nil is zero (an extra-credit assignment: its points
	// count, nothing is possible).
	PointsPossible *big.Rat
	// GradingType; empty means Points.
	GradingType GradingType
	// OmitFromFinalGrade keeps the assignment out of every total; its score
	// is still reported per item.
	OmitFromFinalGrade bool
	// ExpectsSubmission is true for online submission types: only such
	// work becomes missing by itself when it is past due and not
	// submitted (on-paper work becomes missing only when the teacher
	// says so).
	ExpectsSubmission bool
	// PostPolicy; empty means PostAutomatically.
	PostPolicy PostPolicy
}

// Student is one student's work in the course.
type Student struct {
	ID string
	// Work has one entry per assignment assigned to this student; an
	// assignment without an entry is not assigned to them (differentiated
	// by overrides) and does not count.
	Work []Work
	// Override replaces the calculated course grade when set.
	Override *Override
	// Results are outcome (standard) assessments, for mastery.
	Results []OutcomeResult
}

// Status is a teacher's override of the late/missing status of work.
type Status string

const (
	// StatusAuto derives late and missing from dates.
	StatusAuto Status = ""
	// StatusLate marks work late (by Work.LateBy, or by the actual
	// lateness when LateBy is nil).
	StatusLate Status = "late"
	// StatusMissing marks work missing even if it was submitted.
	StatusMissing Status = "missing"
	// StatusNone clears late and missing: no deduction, no automatic score.
	StatusNone Status = "none"
	// StatusExcused excuses the work, the same as Work.Excused.
	StatusExcused Status = "excused"
)

// Work is one student's submission state and grade for one assignment.
type Work struct {
	AssignmentID string
	// DueAt is the effective due date for this student (after section and
	// student overrides); nil means no due date.
	DueAt       *time.Time
	Submitted   bool
	SubmittedAt time.Time
	// Score is the points the teacher entered; nil means not graded yet.
	Score *big.Rat
	// Letter is the letter entered for a Letter assignment.
	Letter string
	// Complete is the grade of a CompleteIncomplete assignment; nil means
	// not graded yet.
	Complete *bool
	// Excused removes the work from every calculation.
	Excused bool
	// Status is the teacher's override of late/missing.
	Status Status
	// LateBy is the lateness the teacher set; it is used only with
	// StatusLate.
	LateBy *time.Duration
	// Posted is whether the teacher has posted this grade; it matters
	// only for PostManually assignments.
	Posted bool
}

// Override is a teacher's final-grade override for one student.
type Override struct {
	// Percent is the override; when nil, Letter is converted to the top of
	// its band in the scheme.
	Percent *big.Rat
	Letter  string
	// Posted makes the override visible to the student and guardians.
	Posted bool
}

// Viewer is who the result is computed for. Any value other than Teacher
// (an empty one included) sees only posted grades.
type Viewer string

const (
	// Teacher sees every grade, posted or not.
	Teacher Viewer = "teacher"
	// StudentViewer sees only posted grades: an unposted grade is treated
	// as not graded yet (left out of current, zero in final, and never
	// dropped so that a drop rule cannot reveal it).
	StudentViewer Viewer = "student"
	// Guardian sees what the student sees.
	Guardian Viewer = "guardian"
)
