package grading

import (
	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
)

// Report is one student's grades as plain data for JSON and templates:
// every percentage is a string with two decimals, rounded half up once.
type Report struct {
	StudentID string `json:"studentId"`
	Name      string `json:"name"`
	// Current counts graded work only; Final counts ungraded work as zero.
	Current GradeReport `json:"current"`
	Final   GradeReport `json:"final"`
	// Override is the teacher's final-grade override, when the caller may see it.
	Override *GradeReport `json:"override,omitempty"`
	// Shown is the course grade to display: the override, else current.
	Shown   GradeReport    `json:"shown"`
	Groups  []GroupReport  `json:"groups"`
	Periods []PeriodReport `json:"periods"`
	Items   []ItemReport   `json:"items"`
	// Mastery is one entry per outcome of the section (Section.Outcomes'
	// order), from the results the caller may see.
	Mastery []MasteryReport `json:"mastery"`
}

// MasteryReport is a student's standing on one outcome: the score by the
// outcome's calculation method (nil: none yet) and whether it meets the
// outcome's mastery points.
type MasteryReport struct {
	OutcomeID     string  `json:"outcomeId"`
	Title         string  `json:"title"`
	Method        string  `json:"method"`
	Score         *string `json:"score"`
	MasteryPoints string  `json:"masteryPoints"`
	Mastered      bool    `json:"mastered"`
	Results       int     `json:"results"`
}

// GradeReport is a percentage and its letter ("" without a scheme); a nil
// percent means there is nothing to grade yet.
type GradeReport struct {
	Percent *string `json:"percent"`
	Letter  string  `json:"letter"`
}

// ScoreReport is a group's points after drops.
type ScoreReport struct {
	Score    *string      `json:"score"`
	Possible *string      `json:"possible"`
	Percent  *string      `json:"percent"`
	Dropped  []DropReport `json:"dropped"`
}

// DropReport is a score a drop rule removed, and why.
type DropReport struct {
	AssignmentID string          `json:"assignmentId"`
	Title        string          `json:"title"`
	Reason       calc.DropReason `json:"reason"`
	Why          string          `json:"why"`
}

// GroupReport is one assignment group's grade.
type GroupReport struct {
	GroupID string      `json:"groupId"`
	Name    string      `json:"name"`
	Weight  *float64    `json:"weight,omitempty"`
	Current ScoreReport `json:"current"`
	Final   ScoreReport `json:"final"`
}

// PeriodReport is one grading period's grade.
type PeriodReport struct {
	PeriodID string        `json:"periodId"`
	Name     string        `json:"name"`
	Weight   *float64      `json:"weight,omitempty"`
	Closed   bool          `json:"closed"`
	Current  GradeReport   `json:"current"`
	Final    GradeReport   `json:"final"`
	Groups   []GroupReport `json:"groups"`
}

// ItemReport is one assignment for the student after policies.
type ItemReport struct {
	AssignmentID string         `json:"assignmentId"`
	Title        string         `json:"title"`
	GroupID      string         `json:"groupId"`
	PeriodID     string         `json:"periodId"`
	State        calc.ItemState `json:"state"`
	Hidden       bool           `json:"hidden"`
	Late         bool           `json:"late"`
	Missing      bool           `json:"missing"`
	AutoMissing  bool           `json:"autoMissing"`
	Entered      *string        `json:"entered"`
	Deduction    *string        `json:"deduction"`
	Score        *string        `json:"score"`
	Possible     *string        `json:"possible"`
}

func amount(a *calc.Amount) *string {
	if a == nil {
		return nil
	}
	s := a.String()
	return &s
}

// shared is amount for the items of a section's reports: a gradebook's
// 4,000 items hold a few dozen distinct values ("10.00" points possible on
// each), so each distinct text is made once per section and shared (reports
// are read, never changed).
func (sec *Section) shared(a *calc.Amount) *string {
	if a == nil {
		return nil
	}
	if sec.texts == nil {
		sec.texts = map[int64]*string{}
	}
	h := a.Hundredths()
	if p, ok := sec.texts[h]; ok {
		return p
	}
	p := amount(a)
	sec.texts[h] = p
	return p
}

func grade(g calc.Grade) GradeReport {
	return GradeReport{Percent: amount(g.Percent), Letter: g.Letter}
}

var why = map[calc.DropReason]string{
	calc.DroppedLowest:  "Dropped as a lowest score: keeping it would lower the group's score more than any other choice.",
	calc.DroppedHighest: "Dropped as a highest score: the group drops its highest scores.",
}

// Report turns a student's result into plain data with the section's names.
func (sec *Section) Report(st *StudentGrades) Report {
	if sec.titles == nil { // once per section, not per student
		sec.titles = make(map[string]string, len(sec.Columns))
		for _, c := range sec.Columns {
			sec.titles[c.ID] = c.Title
		}
		sec.groupInfo = make(map[string]GroupInfo, len(sec.Groups))
		for _, g := range sec.Groups {
			sec.groupInfo[g.ID] = g
		}
	}
	titles, groups := sec.titles, sec.groupInfo
	scoreOf := func(g calc.GroupScore) ScoreReport {
		out := ScoreReport{Score: amount(g.Score), Possible: amount(g.Possible), Percent: amount(g.Percent), Dropped: []DropReport{}}
		for _, d := range g.Dropped {
			out.Dropped = append(out.Dropped, DropReport{AssignmentID: d.AssignmentID, Title: titles[d.AssignmentID], Reason: d.Reason, Why: why[d.Reason]})
		}
		return out
	}
	ungrouped := false
	for _, c := range sec.Columns {
		ungrouped = ungrouped || c.GroupID == Ungrouped
	}
	groupsOf := func(gs []calc.GroupResult) []GroupReport {
		out := []GroupReport{}
		for _, g := range gs {
			info := groups[g.GroupID]
			if g.GroupID == Ungrouped && !ungrouped {
				continue
			}
			out = append(out, GroupReport{GroupID: g.GroupID, Name: info.Name, Weight: info.Weight, Current: scoreOf(g.Current), Final: scoreOf(g.Final)})
		}
		return out
	}
	r := st.Result
	rep := Report{StudentID: st.StudentID, Name: st.Name, Current: grade(r.Current), Final: grade(r.Final), Shown: grade(r.Shown()),
		Groups: groupsOf(r.Groups), Periods: []PeriodReport{}, Items: []ItemReport{}}
	if r.Override != nil {
		o := grade(*r.Override)
		rep.Override = &o
	}
	for i, p := range r.Periods {
		pr := PeriodReport{PeriodID: p.PeriodID, Closed: p.Closed, Current: grade(p.Current), Final: grade(p.Final), Groups: groupsOf(p.Groups)}
		if i < len(sec.Periods) {
			pr.Name, pr.Weight = sec.Periods[i].Name, sec.Periods[i].Weight
		}
		rep.Periods = append(rep.Periods, pr)
	}
	rep.Mastery = sec.Mastery(st)
	rep.Items = make([]ItemReport, 0, len(r.Items))
	for _, it := range r.Items {
		rep.Items = append(rep.Items, ItemReport{AssignmentID: it.AssignmentID, Title: titles[it.AssignmentID], GroupID: it.GroupID,
			PeriodID: it.PeriodID, State: it.State, Hidden: it.Hidden, Late: it.Late, Missing: it.Missing, AutoMissing: it.AutoMissing,
			Entered: sec.shared(it.Entered), Deduction: sec.shared(it.Deduction), Score: sec.shared(it.Score), Possible: sec.shared(it.Possible)})
	}
	return rep
}

// Mastery is a student's standing on each of the section's outcomes.
func (sec *Section) Mastery(st *StudentGrades) []MasteryReport {
	out := make([]MasteryReport, 0, len(sec.Outcomes))
	for i, m := range st.Result.Mastery {
		if i >= len(sec.Outcomes) {
			break
		}
		o := &sec.Outcomes[i]
		out = append(out, MasteryReport{OutcomeID: m.OutcomeID, Title: o.Title, Method: string(o.Method), Score: amount(m.Score),
			MasteryPoints: rat(o.MasteryPoints).FloatString(2), Mastered: m.Mastered, Results: m.Count})
	}
	return out
}

// OutcomeMastery is one outcome's mastery for a page: the outcome (its
// scale and calculation method in words) beside the report the JSON API
// gives for it.
type OutcomeMastery struct {
	Outcome *outcomes.Outcome
	MasteryReport
}

// MasteryOf is Mastery with each outcome beside its entry, for the
// student's class page and the guardian portal: the same read as the API,
// so a student or guardian sees results of posted grades only.
func (sec *Section) MasteryOf(st *StudentGrades) []OutcomeMastery {
	reports := sec.Mastery(st)
	out := make([]OutcomeMastery, len(reports))
	for i := range reports {
		out[i] = OutcomeMastery{Outcome: &sec.Outcomes[i], MasteryReport: reports[i]}
	}
	return out
}
