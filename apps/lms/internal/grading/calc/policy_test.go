package calc

import (
	"testing"
	"time"
)

func lateCourse(perInterval string, interval time.Duration, floor string, as ...Assignment) Course {
	c := pointsCourse([]Group{grp("g")}, as...)
	c.Late = &LatePolicy{LateDeduction: Dec(perInterval), Interval: interval}
	if floor != "" {
		c.Late.FloorPercent = Dec(floor)
	}
	return c
}

func missingCourse(percent string, as ...Assignment) Course {
	c := pointsCourse([]Group{grp("g")}, as...)
	c.Late = &LatePolicy{MissingEnabled: percent != "", MissingScorePercent: Dec(orDefault(percent, "0"))}
	return c
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// submitted is work due at due and submitted at sub, graded score.
func submitted(id, score string, due, sub *time.Time) Work {
	w := Work{AssignmentID: id, DueAt: due, Submitted: true, SubmittedAt: *sub}
	if score != "" {
		w.Score = Dec(score)
	}
	return w
}

func withStatus(w Work, s Status, lateBy ...time.Duration) Work {
	w.Status = s
	if len(lateBy) > 0 {
		w.LateBy = &lateBy[0]
	}
	return w
}

// TestLatePolicy covers deductions per started interval, the floor,
// grading types that are not deducted, and the teacher's status override.
func TestLatePolicy(t *testing.T) {
	day := 24 * time.Hour
	a10 := pts("a1", "g", "10")
	yes := true
	runCases(t, []calcCase{
		{name: "one hour late is one day late", course: lateCourse("10", day, "", a10),
			student: student(submitted("a1", "9", at(-3), at(-3, 1))),
			want:    want{current: "80.00", items: map[string]string{"a1": "counted 8.00 -1.00 late"}}},
		{name: "exactly one day late is one interval", course: lateCourse("10", day, "", a10),
			student: student(submitted("a1", "9", at(-3), at(-2))),
			want:    want{items: map[string]string{"a1": "counted 8.00 -1.00 late"}}},
		{name: "25 hours late is two days", course: lateCourse("10", day, "", a10),
			student: student(submitted("a1", "9", at(-3), at(-2, 1))),
			want:    want{current: "70.00", items: map[string]string{"a1": "counted 7.00 -2.00 late"}}},
		{name: "hourly interval: 3 hours at 5% of 20 points", course: lateCourse("5", time.Hour, "", pts("a1", "g", "20")),
			student: student(submitted("a1", "18", at(-3), at(-3, 3))),
			want:    want{current: "75.00", items: map[string]string{"a1": "counted 15.00 -3.00 late"}}},
		{name: "floor stops the deduction at 50%", course: lateCourse("10", day, "50", a10),
			student: student(submitted("a1", "9", at(-10), at(-2))),
			want:    want{current: "50.00", items: map[string]string{"a1": "counted 5.00 -4.00 late"}}},
		{name: "score already below the floor is not reduced", course: lateCourse("10", day, "50", a10),
			student: student(submitted("a1", "4", at(-3), at(-2))),
			want:    want{current: "40.00", items: map[string]string{"a1": "counted 4.00 late"}}},
		{name: "deduction never goes below zero", course: lateCourse("30", day, "", a10),
			student: student(submitted("a1", "5", at(-9), at(-2))),
			want:    want{current: "0.00", items: map[string]string{"a1": "counted 0.00 -5.00 late"}}},
		{name: "fractional deduction stays exact (12.5% of 7)", course: lateCourse("12.5", day, "", pts("a1", "g", "7")),
			student: student(submitted("a1", "7", at(-3), at(-2))),
			want:    want{current: "87.50", items: map[string]string{"a1": "counted 6.13 -0.88 late"}}},
		{name: "on-time work is not deducted", course: lateCourse("10", day, "", a10),
			student: student(submitted("a1", "9", at(-3), at(-4))),
			want:    want{items: map[string]string{"a1": "counted 9.00"}}},
		{name: "teacher clears late: no deduction", course: lateCourse("10", day, "", a10),
			student: student(withStatus(submitted("a1", "9", at(-3), at(-2)), StatusNone)),
			want:    want{current: "90.00", items: map[string]string{"a1": "counted 9.00"}}},
		{name: "teacher marks late by two days", course: lateCourse("10", day, "", a10),
			student: student(withStatus(submitted("a1", "9", at(-3), at(-4)), StatusLate, 48*time.Hour)),
			want:    want{current: "70.00", items: map[string]string{"a1": "counted 7.00 -2.00 late"}}},
		{name: "teacher marks on-time work late without a lateness: flagged, not deducted", course: lateCourse("10", day, "", a10),
			student: student(withStatus(submitted("a1", "9", at(-3), at(-4)), StatusLate)),
			want:    want{items: map[string]string{"a1": "counted 9.00 late"}}},
		{name: "complete/incomplete work is never deducted", course: lateCourse("10", day, "", typed(a10, CompleteIncomplete)),
			student: student(Work{AssignmentID: "a1", DueAt: at(-3), Submitted: true, SubmittedAt: *at(-1), Complete: &yes}),
			want:    want{current: "100.00", items: map[string]string{"a1": "counted 10.00 late"}}},
		{name: "letter grade is deducted after conversion", course: func() Course {
			c := lateCourse("10", day, "", typed(pts("a1", "g", "20"), Letter))
			c.Scheme = letterScheme()
			return c
		}(),
			student: student(Work{AssignmentID: "a1", DueAt: at(-3), Submitted: true, SubmittedAt: *at(-2), Letter: "B"}),
			want:    want{current: "79.00", items: map[string]string{"a1": "counted 15.80 -2.00 late"}}},
		{name: "no late policy: late is only a flag", course: pointsCourse([]Group{grp("g")}, a10),
			student: student(submitted("a1", "9", at(-3), at(-2))),
			want:    want{items: map[string]string{"a1": "counted 9.00 late"}}},
		{name: "late deduction interacts with drop lowest (the deducted score is what is compared)",
			course: func() Course {
				c := lateCourse("50", day, "", pts("a1", "g", "10"), pts("a2", "g", "10"))
				c.Groups[0] = dropRule(c.Groups[0], 1, 0)
				return c
			}(),
			student: student(submitted("a1", "10", at(-3), at(-2)), got("a2", "6")),
			want:    want{current: "60.00", dropped: map[string]string{"g": "cur[a1:drop_lowest] fin[a1:drop_lowest]"}}},
	})
}

// TestMissingPolicy covers automatic scores for missing work and the
// teacher's missing/none overrides.
func TestMissingPolicy(t *testing.T) {
	a1, a2 := pts("a1", "g", "10"), online(pts("a2", "g", "10"))
	due := func(id string, d *time.Time) Work { return Work{AssignmentID: id, DueAt: d} }
	runCases(t, []calcCase{
		{name: "missing work gets the automatic score and counts as graded", course: missingCourse("50", a1, a2),
			student: student(got("a1", "10"), due("a2", at(-1))),
			want:    want{current: "75.00", final: "75.00", items: map[string]string{"a2": "counted 5.00 missing auto"}}},
		{name: "missing policy off: missing work stays ungraded", course: missingCourse("", a1, a2),
			student: student(got("a1", "10"), due("a2", at(-1))),
			want:    want{current: "100.00", final: "50.00", items: map[string]string{"a2": "ungraded - missing"}}},
		{name: "not yet due is not missing", course: missingCourse("50", a1, a2),
			student: student(got("a1", "10"), due("a2", at(1))),
			want:    want{current: "100.00", items: map[string]string{"a2": "ungraded -"}}},
		{name: "no due date is never missing by itself", course: missingCourse("50", a1, a2),
			student: student(got("a1", "10"), ungraded("a2")),
			want:    want{items: map[string]string{"a2": "ungraded -"}}},
		{name: "on-paper work is not missing by itself", course: missingCourse("50", a1, pts("a2", "g", "10")),
			student: student(got("a1", "10"), due("a2", at(-1))),
			want:    want{items: map[string]string{"a2": "ungraded -"}}},
		{name: "teacher marks on-paper work missing", course: missingCourse("50", a1, pts("a2", "g", "10")),
			student: student(got("a1", "10"), withStatus(due("a2", at(1)), StatusMissing)),
			want:    want{current: "75.00", items: map[string]string{"a2": "counted 5.00 missing auto"}}},
		{name: "teacher clears missing: no automatic score", course: missingCourse("50", a1, a2),
			student: student(got("a1", "10"), withStatus(due("a2", at(-1)), StatusNone)),
			want:    want{current: "100.00", items: map[string]string{"a2": "ungraded -"}}},
		{name: "a teacher's score on missing work stands", course: missingCourse("50", a1, a2),
			student: student(got("a1", "10"), withStatus(Work{AssignmentID: "a2", DueAt: at(-1), Score: Dec("7")}, StatusMissing)),
			want:    want{current: "85.00", items: map[string]string{"a2": "counted 7.00 missing"}}},
		{name: "graded without a submission is not missing", course: missingCourse("50", a1, a2),
			student: student(got("a1", "10"), Work{AssignmentID: "a2", DueAt: at(-1), Score: Dec("6")}),
			want:    want{items: map[string]string{"a2": "counted 6.00"}}},
		{name: "submitted but not graded is not missing", course: missingCourse("50", a1, a2),
			student: student(got("a1", "10"), submitted("a2", "", at(-2), at(-3))),
			want:    want{current: "100.00", items: map[string]string{"a2": "ungraded -"}}},
		{name: "missing complete/incomplete work scores zero", course: missingCourse("50", a1, typed(a2, CompleteIncomplete)),
			student: student(got("a1", "10"), due("a2", at(-1))),
			want:    want{current: "50.00", items: map[string]string{"a2": "counted 0.00 missing auto"}}},
		{name: "missing score of 0%", course: missingCourse("0", a1, a2),
			student: student(got("a1", "10"), due("a2", at(-1))),
			want:    want{current: "50.00", items: map[string]string{"a2": "counted 0.00 missing auto"}}},
		{name: "excused beats missing", course: missingCourse("50", a1, a2),
			student: student(got("a1", "10"), Work{AssignmentID: "a2", DueAt: at(-1), Excused: true}),
			want:    want{current: "100.00", final: "100.00", items: map[string]string{"a2": "excused -"}}},
	})
}

// TestPosting covers what students and guardians see of unposted grades.
func TestPosting(t *testing.T) {
	g := []Group{grp("g")}
	a1, m2 := pts("a1", "g", "10"), manual(pts("a2", "g", "10"))
	posted := got("a2", "3")
	posted.Posted = true
	hiddenExcused := ungraded("a2")
	hiddenExcused.Excused = true
	dropping := func() Course {
		return pointsCourse([]Group{dropRule(grp("g"), 1, 0)}, pts("a1", "g", "10"), pts("a2", "g", "10"), manual(pts("a3", "g", "10")))
	}
	runCases(t, []calcCase{
		{name: "teacher sees an unposted grade", course: pointsCourse(g, m2),
			student: student(got("a2", "8")), viewer: Teacher,
			want: want{current: "80.00", items: map[string]string{"a2": "counted 8.00"}}},
		{name: "student does not see an unposted grade", course: pointsCourse(g, m2),
			student: student(got("a2", "8")), viewer: StudentViewer,
			want: want{current: "-", final: "0.00", items: map[string]string{"a2": "ungraded - hidden"}}},
		{name: "guardian does not see an unposted grade", course: pointsCourse(g, m2),
			student: student(got("a2", "8")), viewer: Guardian,
			want: want{current: "-", final: "0.00", items: map[string]string{"a2": "ungraded - hidden"}}},
		{name: "student sees automatic grades beside a hidden one", course: pointsCourse(g, a1, m2),
			student: student(got("a1", "9"), got("a2", "3")), viewer: StudentViewer,
			want: want{current: "90.00", final: "45.00"}},
		{name: "teacher's total includes the unposted grade", course: pointsCourse(g, a1, m2),
			student: student(got("a1", "9"), got("a2", "3")), viewer: Teacher,
			want: want{current: "60.00", final: "60.00"}},
		{name: "posted manual grade is visible", course: pointsCourse(g, a1, m2),
			student: student(got("a1", "9"), posted), viewer: Guardian,
			want: want{current: "60.00", items: map[string]string{"a2": "counted 3.00"}}},
		{name: "hidden grade is never dropped for a student", course: dropping(),
			student: student(got("a1", "9"), got("a2", "6"), got("a3", "2")), viewer: StudentViewer,
			want: want{current: "90.00", final: "45.00", dropped: map[string]string{"g": "cur[a2:drop_lowest] fin[a2:drop_lowest]"}}},
		{name: "teacher's drops use the unposted grade", course: dropping(),
			student: student(got("a1", "9"), got("a2", "6"), got("a3", "2")), viewer: Teacher,
			want: want{current: "75.00", final: "75.00", dropped: map[string]string{"g": "cur[a3:drop_lowest] fin[a3:drop_lowest]"}}},
		{name: "an unposted excusal is hidden too", course: pointsCourse(g, a1, m2),
			student: student(got("a1", "10"), hiddenExcused), viewer: StudentViewer,
			want: want{current: "100.00", final: "50.00", items: map[string]string{"a2": "ungraded - hidden"}}},
		{name: "an unposted late deduction is hidden", course: lateCourse("10", 24*time.Hour, "", a1, m2),
			student: student(got("a1", "10"), submitted("a2", "9", at(-3), at(-2))), viewer: StudentViewer,
			want: want{items: map[string]string{"a2": "ungraded - hidden"}}},
		{name: "an unposted automatic missing score is hidden", course: missingCourse("50", a1, online(m2)),
			student: student(got("a1", "10"), Work{AssignmentID: "a2", DueAt: at(-1)}), viewer: StudentViewer,
			want: want{current: "100.00", items: map[string]string{"a2": "ungraded - hidden"}}},
	})
}
