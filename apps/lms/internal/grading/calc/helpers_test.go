package calc

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// t0 is a fixed "now"; due dates are days around it.
var t0 = time.Date(2026, 10, 15, 12, 0, 0, 0, time.UTC)

func at(days int, hours ...int) *time.Time {
	t := t0.Add(time.Duration(days) * 24 * time.Hour)
	for _, h := range hours {
		t = t.Add(time.Duration(h) * time.Hour)
	}
	return &t
}

func pts(id, group, possible string) Assignment {
	return Assignment{ID: id, GroupID: group, PointsPossible: Dec(possible), GradingType: Points}
}

func typed(a Assignment, gt GradingType) Assignment { a.GradingType = gt; return a }

func manual(a Assignment) Assignment { a.PostPolicy = PostManually; return a }

func online(a Assignment) Assignment { a.ExpectsSubmission = true; return a }

func got(id, score string) Work { return Work{AssignmentID: id, Score: Dec(score)} }

func ungraded(id string) Work { return Work{AssignmentID: id} }

func grp(id string) Group { return Group{ID: id} }

func grpW(id, weight string) Group { return Group{ID: id, Weight: Dec(weight)} }

func dropRule(g Group, lowest, highest int, never ...string) Group {
	g.DropLowest, g.DropHighest, g.NeverDrop = lowest, highest, never
	return g
}

func pointsCourse(groups []Group, as ...Assignment) Course {
	return Course{Weighting: ByPoints, Groups: groups, Assignments: as, Now: t0}
}

func percentCourse(groups []Group, as ...Assignment) Course {
	return Course{Weighting: ByGroupPercent, Groups: groups, Assignments: as, Now: t0}
}

func student(work ...Work) Student { return Student{ID: "s1", Work: work} }

func letterScheme() *Scheme {
	return &Scheme{Entries: []SchemeEntry{
		{"A", Dec("90")}, {"B", Dec("80")}, {"C", Dec("70")}, {"D", Dec("60")}, {"F", Dec("0")},
	}}
}

// want lists what a case checks; empty fields are not checked.
type want struct {
	current, final string // rounded percent, "-" for none
	letter         string // current letter
	finalLetter    string
	groups         map[string]string // group → "current/final" percent
	dropped        map[string]string // group → "cur[a:reason ...] fin[...]"
	periods        map[string]string // period → "current/final"
	items          map[string]string // assignment → itemString
	override       string            // "percent letter"
	mastery        map[string]string // outcome → "score mastered|not count=n"
	err            string            // substring of the expected error
}

type calcCase struct {
	name    string
	course  Course
	student Student
	viewer  Viewer
	want    want
}

func pct(a *Amount) string { return a.String() }

func itemString(it Item) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", it.State, pct(it.Score))
	if it.Deduction != nil {
		fmt.Fprintf(&b, " -%s", it.Deduction)
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{it.Late, "late"}, {it.Missing, "missing"}, {it.AutoMissing, "auto"}, {it.Hidden, "hidden"}} {
		if f.on {
			b.WriteString(" " + f.name)
		}
	}
	if it.PeriodID != "" {
		b.WriteString(" @" + it.PeriodID)
	}
	return b.String()
}

func dropString(gr GroupResult) string {
	list := func(ds []Drop) string {
		var parts []string
		for _, d := range ds {
			parts = append(parts, d.AssignmentID+":"+string(d.Reason))
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprintf("cur[%s] fin[%s]", list(gr.Current.Dropped), list(gr.Final.Dropped))
}

func runCases(t *testing.T, cases []calcCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			viewer := tc.viewer
			if viewer == "" {
				viewer = Teacher
			}
			res, err := Compute(&tc.course, &tc.student, viewer)
			if tc.want.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want.err) {
					t.Fatalf("error = %v, want one containing %q", err, tc.want.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			w := tc.want
			check := func(what, got, want string) {
				t.Helper()
				if want != "" && got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("current", pct(res.Current.Percent), w.current)
			check("final", pct(res.Final.Percent), w.final)
			check("current letter", res.Current.Letter, w.letter)
			check("final letter", res.Final.Letter, w.finalLetter)
			groups := map[string]GroupResult{}
			for _, g := range res.Groups {
				groups[g.GroupID] = g
			}
			for id, want := range w.groups {
				g := groups[id]
				check("group "+id, pct(g.Current.Percent)+"/"+pct(g.Final.Percent), want)
			}
			for id, want := range w.dropped {
				check("dropped in "+id, dropString(groups[id]), want)
			}
			periods := map[string]PeriodResult{}
			for _, p := range res.Periods {
				periods[p.PeriodID] = p
			}
			for id, want := range w.periods {
				p, ok := periods[id]
				if !ok {
					t.Errorf("no period %s in result", id)
					continue
				}
				got := pct(p.Current.Percent) + "/" + pct(p.Final.Percent)
				if p.Closed {
					got += " closed"
				}
				check("period "+id, got, want)
			}
			items := map[string]Item{}
			for _, it := range res.Items {
				items[it.AssignmentID] = it
			}
			for id, want := range w.items {
				it, ok := items[id]
				if !ok {
					t.Errorf("no item %s in result", id)
					continue
				}
				check("item "+id, itemString(it), want)
			}
			if w.override != "" {
				got := "none"
				if res.Override != nil {
					got = pct(res.Override.Percent) + " " + res.Override.Letter
				}
				check("override", got, w.override)
			}
			ms := map[string]Mastery{}
			for _, m := range res.Mastery {
				ms[m.OutcomeID] = m
			}
			for id, want := range w.mastery {
				m := ms[id]
				state := "not"
				if m.Mastered {
					state = "mastered"
				}
				check("mastery "+id, fmt.Sprintf("%s %s count=%d", pct(m.Score), state, m.Count), want)
			}
		})
	}
}
