package calc

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

const (
	benchStudents    = 2000
	benchAssignments = 100
)

// benchSchool is a 2,000-student school's course as a policy change sees
// it: four percent-weighted groups (one dropping the two lowest quizzes and
// the highest, one with a never-drop exam), two weighted grading periods,
// late and missing policies, a letter scheme, some manual posting,
// excused, late, missing, complete/incomplete and ungraded work.
func benchSchool() (*Course, []Student) {
	rng := rand.New(rand.NewPCG(2000, 100))
	c := &Course{
		Weighting: ByGroupPercent,
		Groups: []Group{
			{ID: "homework", Weight: Dec("30")},
			{ID: "quizzes", Weight: Dec("20"), DropLowest: 2, DropHighest: 1},
			{ID: "exams", Weight: Dec("40"), DropLowest: 1, NeverDrop: []string{"a099"}},
			{ID: "participation", Weight: Dec("10")},
		},
		Periods: twoPeriods(true, "50", "50"),
		Late:    &LatePolicy{LateDeduction: Dec("10"), Interval: 24 * time.Hour, FloorPercent: Dec("50"), MissingEnabled: true, MissingScorePercent: Dec("50")},
		Scheme:  letterScheme(),
		Now:     t0,
	}
	for i := range benchAssignments {
		a := Assignment{ID: fmt.Sprintf("a%03d", i), PointsPossible: big.NewRat(int64(5+i%4*5), 1), GradingType: Points, ExpectsSubmission: i%3 != 0}
		switch {
		case i < 50:
			a.GroupID = "homework"
		case i < 80:
			a.GroupID = "quizzes"
		case i < 90:
			a.GroupID, a.PostPolicy = "exams", PostManually
		default:
			a.GroupID, a.GradingType = "participation", CompleteIncomplete
		}
		c.Assignments = append(c.Assignments, a)
	}
	students := make([]Student, benchStudents)
	for s := range students {
		st := Student{ID: fmt.Sprintf("s%04d", s)}
		for i, a := range c.Assignments {
			due := t0.Add(time.Duration(i-60) * 24 * time.Hour)
			w := Work{AssignmentID: a.ID, DueAt: &due, Posted: rng.IntN(4) > 0}
			switch r := rng.IntN(20); {
			case due.After(t0) || r == 0:
				// not done yet, or missing
			case r == 1:
				w.Excused = true
			default:
				w.Submitted = true
				w.SubmittedAt = due.Add(time.Duration(rng.IntN(72)-60) * time.Hour)
				if a.GradingType == CompleteIncomplete {
					done := r > 3
					w.Complete = &done
				} else {
					w.Score = big.NewRat(int64(rng.IntN(int(a.PointsPossible.Num().Int64())*4+1)), 4)
				}
			}
			st.Work = append(st.Work, w)
		}
		students[s] = st
	}
	return c, students
}

// BenchmarkRecomputeSchool recomputes 2,000 students × 100 assignments
// after a policy change, for the teacher and for the student view, and in
// the same run the floor any exact calculation must pay: adding up the same
// scores and points possible as rationals. It prints seconds for both and
// their ratio. `make bench` runs it.
func BenchmarkRecomputeSchool(b *testing.B) {
	c, students := benchSchool()
	index := map[string]*big.Rat{}
	for i := range c.Assignments {
		index[c.Assignments[i].ID] = orZero(c.Assignments[i].PointsPossible)
	}
	floor := func() {
		for s := range students {
			score, possible := new(big.Rat), new(big.Rat)
			for _, w := range students[s].Work {
				if w.Score != nil {
					score.Add(score, w.Score)
				}
				possible.Add(possible, index[w.AssignmentID])
			}
			if possible.Sign() > 0 {
				_ = roundHundredths(percentOf(score, possible))
			}
		}
	}
	recompute := func(v Viewer) {
		for s := range students {
			if _, err := Compute(c, &students[s], v); err != nil {
				b.Fatal(err)
			}
		}
	}
	for range b.N {
		floorS := cpuSeconds(floor)
		teacherS := cpuSeconds(func() { recompute(Teacher) })
		studentS := cpuSeconds(func() { recompute(StudentViewer) })
		b.ReportMetric(teacherS, "s/recompute")
		b.ReportMetric(teacherS/floorS, "ratio")
		fmt.Printf("grade recompute: %d students x %d assignments\n", benchStudents, benchAssignments)
		fmt.Printf("  floor (sum the scores exactly): %.3f CPU s\n  Compute, teacher view: %.3f CPU s (%.1fx the floor)\n  Compute, student view: %.3f CPU s\n",
			floorS, teacherS, teacherS/floorS, studentS)
	}
}

// cpuSeconds is the process's user and system CPU time spent in fn, so a
// busy machine does not inflate it; the garbage collector's work on other
// cores is included.
func cpuSeconds(fn func()) float64 {
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	fn()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	ns := (after.Utime.Nano() - before.Utime.Nano()) + (after.Stime.Nano() - before.Stime.Nano())
	return float64(ns) / 1e9
}
