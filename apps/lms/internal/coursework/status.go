package coursework

import "time"

// State is where a student's work on an assignment stands.
type State string

// States. Late and Missing are derived from the effective due date unless
// the teacher set the status; Excused removes the work from the grade.
const (
	StateNone      State = ""
	StateSubmitted State = "submitted"
	StateLate      State = "late"
	StateMissing   State = "missing"
	StateExcused   State = "excused"
)

// Override is the status a teacher set on a grade: late, missing,
// excused, or none (neither late nor missing, whatever the dates say).
type Override string

// Overrides a teacher may set.
const (
	OverrideLate    Override = "late"
	OverrideMissing Override = "missing"
	OverrideExcused Override = "excused"
	OverrideNone    Override = "none"
)

// Overrides lists them in the order the grading view offers them.
var Overrides = []Override{OverrideLate, OverrideMissing, OverrideExcused, OverrideNone}

// Due is an assignment's due dates: its own and its overrides.
type Due struct {
	Default   *time.Time
	BySection map[string]time.Time
	ByStudent map[string]time.Time
}

// For is the effective due date of a student in a section: their own
// override, else their section's, else the assignment's (nil: none).
func (d Due) For(sectionID, studentID string) *time.Time {
	if t, ok := d.ByStudent[studentID]; ok {
		return &t
	}
	if t, ok := d.BySection[sectionID]; ok {
		return &t
	}
	return d.Default
}

// Status derives a student's state on an assignment at now: the teacher's
// override wins; work submitted after the due date is late; work never
// submitted when the due date has passed is missing, if it was to be
// handed in online and is graded at all.
func Status(override *Override, due *time.Time, submittedAt *time.Time, expectsSubmission bool, now time.Time) State {
	if override != nil {
		switch *override {
		case OverrideExcused:
			return StateExcused
		case OverrideLate:
			return StateLate
		case OverrideMissing:
			return StateMissing
		case OverrideNone:
			if submittedAt != nil {
				return StateSubmitted
			}
			return StateNone
		}
	}
	if submittedAt != nil {
		if due != nil && submittedAt.After(*due) {
			return StateLate
		}
		return StateSubmitted
	}
	if expectsSubmission && due != nil && now.After(*due) {
		return StateMissing
	}
	return StateNone
}
