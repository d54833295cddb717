package guardian

import (
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
)

func item(id string, possible float64, score *float64, posted bool, due time.Time, state coursework.State) Item {
	p := possible
	it := Item{Assignment: &coursework.Assignment{ID: id, GradingType: coursework.Points, PointsPossible: &p, SubmissionTypes: []string{"text"}},
		Work: coursework.StudentWork{Due: &due, State: state}}
	if score != nil {
		at := due
		it.Work.Grade = &coursework.Grade{Score: score, Posted: posted, PostedAt: &at, Comment: "c-" + id}
	}
	return it
}

func f(v float64) *float64 { return &v }

// The class grade counts posted scores only: an unposted score changes
// nothing, as if the work were not graded yet.
func TestCoursePercentCountsPostedGradesOnly(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	past := now.Add(-time.Hour)
	cases := []struct {
		name  string
		items []Item
		want  string
	}{
		{"nothing graded", []Item{item("a", 10, nil, false, past, coursework.StateSubmitted)}, ""},
		{"one posted", []Item{item("a", 10, f(7), true, past, coursework.StateSubmitted)}, "70.00"},
		{"unposted ignored", []Item{item("a", 10, f(7), true, past, coursework.StateSubmitted), item("b", 10, f(0), false, past, coursework.StateSubmitted)}, "70.00"},
		{"two posted", []Item{item("a", 9, f(6), true, past, coursework.StateSubmitted), item("b", 3, f(3), true, past, coursework.StateSubmitted)}, "75.00"},
		{"only unposted", []Item{item("a", 10, f(10), false, past, coursework.StateSubmitted)}, ""},
	}
	for _, c := range cases {
		got, err := coursePercent(c.items, now)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// Lists: due within the week and not handed in; missing; recent and
// commented grades only when posted.
func TestClassifyFilesItemsWhereTheyBelong(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var c Child
	c.classify(item("soon", 10, nil, false, now.Add(48*time.Hour), coursework.StateNone), now)
	c.classify(item("later", 10, nil, false, now.Add(10*24*time.Hour), coursework.StateNone), now)
	c.classify(item("handed", 10, nil, false, now.Add(48*time.Hour), coursework.StateSubmitted), now)
	c.classify(item("missing", 10, nil, false, now.Add(-48*time.Hour), coursework.StateMissing), now)
	c.classify(item("hidden", 10, f(3), false, now.Add(-24*time.Hour), coursework.StateSubmitted), now)
	c.classify(item("shown", 10, f(9), true, now.Add(-24*time.Hour), coursework.StateSubmitted), now)
	c.classify(item("old", 10, f(9), true, now.Add(-30*24*time.Hour), coursework.StateSubmitted), now)
	ids := func(xs []Item) (out []string) {
		for _, x := range xs {
			out = append(out, x.Assignment.ID)
		}
		return out
	}
	check := func(what string, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", what, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: %v, want %v", what, got, want)
			}
		}
	}
	check("due this week", ids(c.DueThisWeek), "soon")
	check("missing", ids(c.Missing), "missing")
	check("recent", ids(c.Recent), "shown")
	check("comments", ids(c.Comments), "shown", "old")
}
