package calc

import "testing"

// TestMastery covers Canvas's outcome calculation methods and hiding
// results of unposted assignments from students.
func TestMastery(t *testing.T) {
	outcome := func(m MasteryMethod, n int) Outcome {
		return Outcome{ID: "o1", Method: m, CalculationInt: n, MasteryPoints: Dec("3"), PointsPossible: Dec("4")}
	}
	course := func(o Outcome) Course {
		c := pointsCourse([]Group{grp("g")}, pts("a1", "g", "10"), manual(pts("a2", "g", "10")))
		c.Outcomes = []Outcome{o}
		return c
	}
	// results are given as scores oldest first, one day apart, from a1.
	results := func(scores ...string) Student {
		s := student(got("a1", "5"), got("a2", "5"))
		for i, sc := range scores {
			s.Results = append(s.Results, OutcomeResult{OutcomeID: "o1", AssignmentID: "a1", Score: Dec(sc), AssessedAt: *at(i - 30)})
		}
		return s
	}
	reversed := results("4", "2")
	reversed.Results[0].AssessedAt, reversed.Results[1].AssessedAt = reversed.Results[1].AssessedAt, reversed.Results[0].AssessedAt
	hidden := results("4")
	hidden.Results = append(hidden.Results, OutcomeResult{OutcomeID: "o1", AssignmentID: "a2", Score: Dec("1"), AssessedAt: *at(-1)})
	runCases(t, []calcCase{
		{name: "decaying average 65: latest 65%, earlier average 35%", course: course(outcome(DecayingAverage, 65)),
			student: results("2", "4"), want: want{mastery: map[string]string{"o1": "3.30 mastered count=2"}}},
		{name: "decaying average defaults to 65", course: course(outcome(DecayingAverage, 0)),
			student: results("2", "4"), want: want{mastery: map[string]string{"o1": "3.30 mastered count=2"}}},
		{name: "decaying average 75 over four results", course: course(outcome(DecayingAverage, 75)),
			student: results("1", "2", "3", "4"), want: want{mastery: map[string]string{"o1": "3.50 mastered count=4"}}},
		{name: "results are ordered by when they were assessed", course: course(outcome(DecayingAverage, 65)),
			student: reversed, want: want{mastery: map[string]string{"o1": "3.30 mastered count=2"}}}, // slice order would give 2.70
		{name: "decaying average of one result is that result", course: course(outcome(DecayingAverage, 65)),
			student: results("2"), want: want{mastery: map[string]string{"o1": "2.00 not count=1"}}},
		{name: "n-mastery averages the results at or above mastery", course: course(outcome(NMastery, 2)),
			student: results("3", "2", "4"), want: want{mastery: map[string]string{"o1": "3.50 mastered count=2"}}},
		{name: "n-mastery with too few mastering results has no score", course: course(outcome(NMastery, 2)),
			student: results("3", "2"), want: want{mastery: map[string]string{"o1": "- not count=2"}}},
		{name: "latest", course: course(outcome(Latest, 0)),
			student: results("2", "4", "1"), want: want{mastery: map[string]string{"o1": "1.00 not count=1"}}},
		{name: "highest", course: course(outcome(Highest, 0)),
			student: results("2", "4", "1"), want: want{mastery: map[string]string{"o1": "4.00 mastered count=3"}}},
		{name: "average", course: course(outcome(Average, 0)),
			student: results("2", "4", "1"), want: want{mastery: map[string]string{"o1": "2.33 not count=3"}}},
		{name: "a score shown as the mastery points is mastery", course: course(outcome(Average, 0)),
			student: results("2.99", "3"), want: want{mastery: map[string]string{"o1": "3.00 mastered count=2"}}},
		{name: "no results: no score", course: course(outcome(Highest, 0)),
			student: results(), want: want{mastery: map[string]string{"o1": "- not count=0"}}},
		{name: "teacher sees results from an unposted assignment", course: course(outcome(Latest, 0)),
			student: hidden, want: want{mastery: map[string]string{"o1": "1.00 not count=1"}}},
		{name: "student does not see results from an unposted assignment", course: course(outcome(Latest, 0)),
			student: hidden, viewer: StudentViewer, want: want{mastery: map[string]string{"o1": "4.00 mastered count=1"}}},
		{name: "decaying weight out of range is an error", course: course(outcome(DecayingAverage, 100)),
			student: results("2"), want: want{err: "outside 1-99"}},
		{name: "unknown method is an error", course: course(outcome("median", 0)),
			student: results("2"), want: want{err: "unknown calculation method"}},
	})
}
