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
