package calc

import (
	"testing"
	"time"
)

// twoPeriods: p1 runs to t0, p2 from t0; p1 closes five days after t0.
func twoPeriods(weighted bool, w1, w2 string) *PeriodSet {
	return &PeriodSet{Weighted: weighted, Periods: []Period{
		{ID: "p1", Start: *at(-60), End: *at(0), Close: *at(5), Weight: Dec(w1)},
		{ID: "p2", Start: *at(0), End: *at(60), Close: *at(65), Weight: Dec(w2)},
	}}
}

func dueAt(w Work, d *time.Time) Work { w.DueAt = d; return w }

func withPeriods(c Course, ps *PeriodSet) Course { c.Periods = ps; return c }

// TestGradingPeriods covers placing work in periods by its effective due
// date, weighted and unweighted periods, and how empty periods count.
func TestGradingPeriods(t *testing.T) {
	g := []Group{grp("g")}
	two := pointsCourse(g, pts("a1", "g", "10"), pts("a2", "g", "10"))
	three := pointsCourse(g, pts("a1", "g", "10"), pts("a2", "g", "10"), pts("a3", "g", "10"))
	basic := student(dueAt(got("a1", "8"), at(-10)), dueAt(got("a2", "5"), at(10)))
	closedNow := withPeriods(two, twoPeriods(false, "0", "0"))
	closedNow.Now = *at(6)
	runCases(t, []calcCase{
		{name: "placement: start is exclusive, end inclusive, no due date goes to the last period, outside goes nowhere",
			course: withPeriods(pointsCourse(g, pts("a1", "g", "1"), pts("a2", "g", "1"), pts("a3", "g", "1"), pts("a4", "g", "1"), pts("a5", "g", "1")), twoPeriods(false, "0", "0")),
			student: student(dueAt(got("a1", "1"), at(0)), dueAt(got("a2", "1"), at(0, 1)), got("a3", "1"),
				dueAt(got("a4", "1"), at(-60)), dueAt(got("a5", "1"), at(61))),
			want: want{items: map[string]string{"a1": "counted 1.00 @p1", "a2": "counted 1.00 @p2", "a3": "counted 1.00 @p2", "a4": "counted 1.00", "a5": "counted 1.00"}}},
		{name: "unweighted periods: course grade from all work, periods graded apart",
			course: withPeriods(two, twoPeriods(false, "0", "0")), student: basic,
			want: want{current: "65.00", final: "65.00", periods: map[string]string{"p1": "80.00/80.00", "p2": "50.00/50.00"}}},
		{name: "weighted periods 25/75",
			course: withPeriods(two, twoPeriods(true, "25", "75")), student: basic,
			want: want{current: "57.50", final: "57.50"}},
		{name: "weighted periods: current skips a period with nothing graded, final counts it as zero",
			course:  withPeriods(two, twoPeriods(true, "25", "75")),
			student: student(dueAt(got("a1", "8"), at(-10)), dueAt(ungraded("a2"), at(10))),
			want:    want{current: "80.00", final: "20.00", periods: map[string]string{"p2": "-/0.00"}}},
		{name: "weighted periods: a period with no work at all still weighs in final (as Canvas)",
			course:  withPeriods(pointsCourse(g, pts("a1", "g", "10")), twoPeriods(true, "50", "50")),
			student: student(dueAt(got("a1", "8"), at(-10))),
			want:    want{current: "80.00", final: "40.00", periods: map[string]string{"p2": "-/-"}}},
		{name: "weighted periods: work due outside every period counts nowhere",
			course:  withPeriods(three, twoPeriods(true, "25", "75")),
			student: student(dueAt(got("a1", "8"), at(-10)), dueAt(got("a2", "5"), at(10)), dueAt(got("a3", "0"), at(70))),
			want:    want{current: "57.50"}},
		{name: "unweighted periods: work outside every period still counts in the course",
			course:  withPeriods(three, twoPeriods(false, "25", "75")),
			student: student(dueAt(got("a1", "8"), at(-10)), dueAt(got("a2", "5"), at(10)), dueAt(got("a3", "0"), at(70))),
			want:    want{current: "43.33", periods: map[string]string{"p1": "80.00/80.00", "p2": "50.00/50.00"}}},
		{name: "period weights under 100 are scaled up",
			course: withPeriods(two, twoPeriods(true, "20", "30")), student: basic,
			want: want{current: "62.00", final: "62.00"}},
		{name: "all period weights zero: no course grade",
			course: withPeriods(two, twoPeriods(true, "0", "0")), student: basic,
			want: want{current: "-", final: "-", periods: map[string]string{"p1": "80.00/80.00"}}},
		{name: "a period past its close date is reported closed",
			course: closedNow, student: basic,
			want: want{periods: map[string]string{"p1": "80.00/80.00 closed", "p2": "50.00/50.00"}}},
		{name: "weighted periods with percent-weighted groups (empty group shared out inside a period)",
			course: withPeriods(percentCourse([]Group{grpW("g1", "50"), grpW("g2", "50")},
				pts("a1", "g1", "10"), pts("b1", "g2", "10"), pts("a2", "g1", "10")), twoPeriods(true, "50", "50")),
			student: student(dueAt(got("a1", "8"), at(-10)), dueAt(got("b1", "6"), at(-5)), dueAt(got("a2", "10"), at(10))),
			want: want{current: "85.00", periods: map[string]string{"p1": "70.00/70.00", "p2": "100.00/100.00"},
				groups: map[string]string{"g1": "90.00/90.00", "g2": "60.00/60.00"}}},
		{name: "drop rules apply inside each period",
			course: withPeriods(pointsCourse([]Group{dropRule(grp("g"), 1, 0)},
				pts("a1", "g", "10"), pts("a2", "g", "10"), pts("a3", "g", "10"), pts("a4", "g", "10")), twoPeriods(true, "50", "50")),
			student: student(dueAt(got("a1", "2"), at(-10)), dueAt(got("a2", "8"), at(-9)), dueAt(got("a3", "6"), at(10)), dueAt(got("a4", "4"), at(11))),
			want: want{current: "70.00", periods: map[string]string{"p1": "80.00/80.00", "p2": "60.00/60.00"},
				groups: map[string]string{"g": "60.00/60.00"}}},
		{name: "late deduction and period placement use the same effective due date",
			course:  withPeriods(lateCourse("10", 24*time.Hour, "", pts("a1", "g", "10")), twoPeriods(true, "50", "50")),
			student: student(submitted("a1", "10", at(-1), at(1))),
			want:    want{current: "80.00", items: map[string]string{"a1": "counted 8.00 -2.00 late @p1"}}},
	})
}

// TestSchemeAndOverride covers letters from percentages, letter
// overrides and who sees a final-grade override.
func TestSchemeAndOverride(t *testing.T) {
	g := []Group{grp("g")}
	c := func(possible string) Course {
		c := pointsCourse(g, pts("a1", "g", possible), pts("a2", "g", possible))
		c.Scheme = letterScheme()
		return c
	}
	over := func(pct, letter string, posted bool, work ...Work) Student {
		s := student(work...)
		s.Override = &Override{Letter: letter, Posted: posted}
		if pct != "" {
			s.Override.Percent = Dec(pct)
		}
		return s
	}
	runCases(t, []calcCase{
		{name: "85% is a B", course: c("100"), student: student(got("a1", "85")), want: want{current: "85.00", letter: "B"}},
		{name: "exactly on a cut-off earns it", course: c("100"), student: student(got("a1", "80")), want: want{letter: "B"}},
		{name: "89.995 shows as 90.00 and earns the A", course: c("1000"), student: student(got("a1", "899.95")),
			want: want{current: "90.00", letter: "A"}},
		{name: "89.994 shows as 89.99: B", course: c("1000"), student: student(got("a1", "899.94")),
			want: want{current: "89.99", letter: "B"}},
		{name: "final letter follows the final percentage", course: c("10"), student: student(got("a1", "9"), ungraded("a2")),
			want: want{letter: "A", finalLetter: "F", final: "45.00"}},
		{name: "below every cut-off: the lowest letter", course: func() Course {
			c := pointsCourse(g, pts("a1", "g", "10"))
			c.Scheme = &Scheme{Entries: []SchemeEntry{{"Pass", Dec("60")}, {"Fail", Dec("40")}}}
			return c
		}(), student: student(got("a1", "1")), want: want{letter: "Fail"}},
		{name: "scheme entries in any order", course: func() Course {
			c := pointsCourse(g, pts("a1", "g", "10"))
			c.Scheme = &Scheme{Entries: []SchemeEntry{{"F", Dec("0")}, {"A", Dec("90")}, {"B", Dec("80")}}}
			return c
		}(), student: student(got("a1", "8.5")), want: want{letter: "B"}},
		{name: "no scheme: no letter", course: pointsCourse(g, pts("a1", "g", "10")), student: student(got("a1", "9")),
			want: want{current: "90.00", letter: ""}},
		{name: "teacher sees an unposted override", course: c("10"), student: over("95", "", false, got("a1", "5")),
			want: want{current: "50.00", override: "95.00 A"}},
		{name: "student does not see an unposted override", course: c("10"), student: over("95", "", false, got("a1", "5")),
			viewer: StudentViewer, want: want{current: "50.00", override: "none"}},
		{name: "guardian sees a posted override", course: c("10"), student: over("72.5", "", true, got("a1", "5")),
			viewer: Guardian, want: want{override: "72.50 C"}},
		{name: "letter override is worth the top of its band", course: c("10"), student: over("", "B", true, got("a1", "5")),
			want: want{override: "89.00 B"}},
		{name: "override letter not in the scheme is an error", course: c("10"), student: over("", "Q", true, got("a1", "5")),
			want: want{err: "not in the grading scheme"}},
	})
}

func TestShownGradePrefersOverride(t *testing.T) {
	c := pointsCourse([]Group{grp("g")}, pts("a1", "g", "10"))
	s := student(got("a1", "5"))
	r, err := Compute(&c, &s, Teacher)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Shown().Percent.String(); got != "50.00" {
		t.Fatalf("shown without override = %s, want the current 50.00", got)
	}
	s.Override = &Override{Percent: Dec("77")}
	if r, err = Compute(&c, &s, Teacher); err != nil {
		t.Fatal(err)
	}
	if got := r.Shown().Percent.String(); got != "77.00" {
		t.Fatalf("shown with override = %s, want 77.00", got)
	}
}
