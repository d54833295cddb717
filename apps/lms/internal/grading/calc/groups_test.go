package calc

import "testing"

// TestPointsAndWeights covers how scores become group and course grades:
// plain points, percent-weighted groups, scaling and empty groups, and
// rounding half up at two decimals.
func TestPointsAndWeights(t *testing.T) {
	g := []Group{grp("g")}
	runCases(t, []calcCase{
		{name: "one graded assignment", course: pointsCourse(g, pts("a1", "g", "10")),
			student: student(got("a1", "8")),
			want:    want{current: "80.00", final: "80.00", groups: map[string]string{"g": "80.00/80.00"}}},
		{name: "ungraded counts only in final (Canvas: 5 of 10 plus nothing of 10)",
			course:  pointsCourse(g, pts("a1", "g", "10"), pts("a2", "g", "10")),
			student: student(ungraded("a1"), got("a2", "5")),
			want:    want{current: "50.00", final: "25.00"}},
		{name: "nothing graded: no current grade, final zero",
			course:  pointsCourse(g, pts("a1", "g", "10"), pts("a2", "g", "10")),
			student: student(ungraded("a1"), ungraded("a2")),
			want:    want{current: "-", final: "0.00", items: map[string]string{"a1": "ungraded -"}}},
		{name: "no assignments: no grade at all", course: pointsCourse(g),
			student: student(), want: want{current: "-", final: "-"}},
		{name: "assignment not assigned to the student does not count",
			course:  pointsCourse(g, pts("a1", "g", "10"), pts("a2", "g", "90")),
			student: student(got("a1", "7")),
			want:    want{current: "70.00", final: "70.00"}},
		{name: "extra credit assignment adds points with nothing possible",
			course:  pointsCourse(g, pts("a1", "g", "10"), pts("ec", "g", "0")),
			student: student(got("a1", "8"), got("ec", "2")),
			want:    want{current: "100.00", final: "100.00"}},
		{name: "score above points possible", course: pointsCourse(g, pts("a1", "g", "10")),
			student: student(got("a1", "12")), want: want{current: "120.00"}},
		{name: "two thirds rounds to 66.67", course: pointsCourse(g, pts("a1", "g", "3")),
			student: student(got("a1", "2")), want: want{current: "66.67"}},
		{name: "one third rounds to 33.33", course: pointsCourse(g, pts("a1", "g", "3")),
			student: student(got("a1", "1")), want: want{current: "33.33"}},
		{name: "exact half hundredth rounds up (87.125 -> 87.13)", course: pointsCourse(g, pts("a1", "g", "100")),
			student: student(got("a1", "87.125")), want: want{current: "87.13"}},
		{name: "just below a half hundredth rounds down (87.1249 -> 87.12)", course: pointsCourse(g, pts("a1", "g", "100")),
			student: student(got("a1", "87.1249")), want: want{current: "87.12"}},
		{name: "half hundredth from a fraction (1/800 = 0.125%)", course: pointsCourse(g, pts("a1", "g", "800")),
			student: student(got("a1", "1")), want: want{current: "0.13"}},
		{name: "points weighting ignores group weights",
			course:  pointsCourse([]Group{grpW("g1", "90"), grpW("g2", "10")}, pts("a1", "g1", "10"), pts("a2", "g2", "90")),
			student: student(got("a1", "9"), got("a2", "30")),
			want:    want{current: "39.00", groups: map[string]string{"g1": "90.00/90.00", "g2": "33.33/33.33"}}},
		{name: "percent weighting 60/40",
			course:  percentCourse([]Group{grpW("g1", "60"), grpW("g2", "40")}, pts("a1", "g1", "10"), pts("a2", "g2", "20")),
			student: student(got("a1", "9"), got("a2", "15")),
			want:    want{current: "84.00", final: "84.00"}},
		{name: "weights summing under 100 are scaled up (30/20)",
			course:  percentCourse([]Group{grpW("g1", "30"), grpW("g2", "20")}, pts("a1", "g1", "10"), pts("a2", "g2", "20")),
			student: student(got("a1", "9"), got("a2", "15")),
			want:    want{current: "84.00", final: "84.00"}},
		{name: "empty group's weight is shared out (50/30/20, 20 empty)",
			course:  percentCourse([]Group{grpW("g1", "50"), grpW("g2", "30"), grpW("g3", "20")}, pts("a1", "g1", "10"), pts("a2", "g2", "20")),
			student: student(got("a1", "9"), got("a2", "15")),
			want:    want{current: "84.38", final: "84.38", groups: map[string]string{"g3": "-/-"}}},
		{name: "group with only ungraded work counts in final only",
			course:  percentCourse([]Group{grpW("g1", "50"), grpW("g2", "50")}, pts("a1", "g1", "10"), pts("a2", "g2", "10")),
			student: student(got("a1", "8"), ungraded("a2")),
			want:    want{current: "80.00", final: "40.00", groups: map[string]string{"g2": "-/0.00"}}},
		{name: "weights over 100 are not scaled down",
			course:  percentCourse([]Group{grpW("g1", "60"), grpW("g2", "60")}, pts("a1", "g1", "10"), pts("a2", "g2", "10")),
			student: student(got("a1", "10"), got("a2", "5")),
			want:    want{current: "90.00"}},
		{name: "only zero-weight groups: no grade",
			course:  percentCourse([]Group{grpW("g1", "0")}, pts("a1", "g1", "10")),
			student: student(got("a1", "5")),
			want:    want{current: "-", final: "-", groups: map[string]string{"g1": "50.00/50.00"}}},
		{name: "zero-weight group beside a weighted one does not count",
			course:  percentCourse([]Group{grpW("g1", "0"), grpW("g2", "100")}, pts("a1", "g1", "10"), pts("a2", "g2", "10")),
			student: student(got("a1", "0"), got("a2", "9")),
			want:    want{current: "90.00"}},
		{name: "extra-credit-only group has nothing possible and does not count when weighted",
			course:  percentCourse([]Group{grpW("g1", "100"), grpW("ec", "10")}, pts("a1", "g1", "10"), pts("x", "ec", "0")),
			student: student(got("a1", "8"), got("x", "5")),
			want:    want{current: "80.00", groups: map[string]string{"ec": "-/-"}}},
		{name: "extra-credit-only group adds its points under points weighting",
			course:  pointsCourse([]Group{grp("g1"), grp("ec")}, pts("a1", "g1", "10"), pts("x", "ec", "0")),
			student: student(got("a1", "8"), got("x", "5")),
			want:    want{current: "130.00"}},
		{name: "unknown group is an error",
			course:  pointsCourse(g, pts("a1", "nope", "10")),
			student: student(got("a1", "8")), want: want{err: "unknown group"}},
		{name: "work for an unknown assignment is an error",
			course:  pointsCourse(g, pts("a1", "g", "10")),
			student: student(got("a1", "8"), got("zz", "1")), want: want{err: "unknown assignment"}},
	})
}

// TestExcusedUngradedAndTypes covers excusal, not-graded and omitted
// assignments, complete/incomplete and letter-graded work.
func TestExcusedUngradedAndTypes(t *testing.T) {
	g := []Group{grp("g")}
	excusedByStatus := ungraded("a2")
	excusedByStatus.Status = StatusExcused
	excused := got("a2", "0")
	excused.Excused = true
	yes, no := true, false
	letter := func(id, l string) Work { return Work{AssignmentID: id, Letter: l} }
	withScheme := func(c Course) Course { c.Scheme = letterScheme(); return c }
	runCases(t, []calcCase{
		{name: "excused work is removed", course: pointsCourse(g, pts("a1", "g", "10"), pts("a2", "g", "10")),
			student: student(got("a1", "9"), excused),
			want:    want{current: "90.00", final: "90.00", items: map[string]string{"a2": "excused -"}}},
		{name: "status excused excuses too", course: pointsCourse(g, pts("a1", "g", "10"), pts("a2", "g", "10")),
			student: student(got("a1", "9"), excusedByStatus),
			want:    want{current: "90.00", final: "90.00"}},
		{name: "all work excused: no grade", course: pointsCourse(g, pts("a2", "g", "10")),
			student: student(excused), want: want{current: "-", final: "-"}},
		{name: "not-graded assignment never counts",
			course:  pointsCourse(g, pts("a1", "g", "10"), typed(pts("a2", "g", "10"), NotGraded)),
			student: student(got("a1", "8"), got("a2", "1")),
			want:    want{current: "80.00", final: "80.00", items: map[string]string{"a2": "omitted -"}}},
		{name: "omitted from final grade: reported, not counted",
			course: pointsCourse(g, pts("a1", "g", "10"), func() Assignment {
				a := pts("a2", "g", "10")
				a.OmitFromFinalGrade = true
				return a
			}()),
			student: student(got("a1", "8"), got("a2", "1")),
			want:    want{current: "80.00", final: "80.00", items: map[string]string{"a2": "omitted 1.00"}}},
		{name: "complete is full points, incomplete zero",
			course:  pointsCourse(g, typed(pts("a1", "g", "10"), CompleteIncomplete), typed(pts("a2", "g", "5"), CompleteIncomplete)),
			student: student(Work{AssignmentID: "a1", Complete: &yes}, Work{AssignmentID: "a2", Complete: &no}),
			want:    want{current: "66.67", items: map[string]string{"a1": "counted 10.00", "a2": "counted 0.00"}}},
		{name: "complete/incomplete without a grade is ungraded",
			course:  pointsCourse(g, pts("a1", "g", "10"), typed(pts("a2", "g", "10"), CompleteIncomplete)),
			student: student(got("a1", "10"), Work{AssignmentID: "a2"}),
			want:    want{current: "100.00", final: "50.00"}},
		{name: "letter B is worth 89% (one below the A cut-off)",
			course:  withScheme(pointsCourse(g, typed(pts("a1", "g", "20"), Letter))),
			student: student(letter("a1", "B")),
			want:    want{current: "89.00", letter: "B", items: map[string]string{"a1": "counted 17.80"}}},
		{name: "top letter is worth 100%, matched case-insensitively",
			course:  withScheme(pointsCourse(g, typed(pts("a1", "g", "20"), Letter))),
			student: student(letter("a1", "a")),
			want:    want{current: "100.00", letter: "A"}},
		{name: "letter bands closer than a point step down a tenth",
			course: func() Course {
				c := pointsCourse(g, typed(pts("a1", "g", "100"), Letter))
				c.Scheme = &Scheme{Entries: []SchemeEntry{{"A", Dec("90")}, {"A-", Dec("89.5")}, {"B", Dec("80")}}}
				return c
			}(),
			student: student(letter("a1", "A-")), want: want{current: "89.90", letter: "A-"}},
		{name: "letter-graded assignment with a raw score uses the score",
			course:  withScheme(pointsCourse(g, typed(pts("a1", "g", "20"), Letter))),
			student: student(got("a1", "15")), want: want{current: "75.00", letter: "C"}},
		{name: "letter not in the scheme is an error",
			course:  withScheme(pointsCourse(g, typed(pts("a1", "g", "20"), Letter))),
			student: student(letter("a1", "E")), want: want{err: "not in the grading scheme"}},
		{name: "letter without a scheme is an error",
			course:  pointsCourse(g, typed(pts("a1", "g", "20"), Letter)),
			student: student(letter("a1", "A")), want: want{err: "no grading scheme"}},
	})
}
