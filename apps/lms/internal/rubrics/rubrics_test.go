package rubrics

import (
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

func TestScoreAddsTheChosenLevels(t *testing.T) {
	r := &Rubric{Criteria: []Criterion{
		{Title: "Thesis", Levels: []Level{{"Clear", 5}, {"Vague", 2}, {"Missing", 0}}},
		{Title: "Evidence", Levels: []Level{{"Strong", 4}, {"Some", 2.5}}},
	}}
	if r.Points() != 9 {
		t.Errorf("points possible %v, want 9", r.Points())
	}
	cases := []struct {
		levels map[string]int
		want   float64
		ok     bool
	}{
		{map[string]int{"0": 0, "1": 0}, 9, true},
		{map[string]int{"0": 1, "1": 1}, 4.5, true},
		{map[string]int{"0": 2, "1": 1}, 2.5, true},
		{map[string]int{"0": 0}, 0, false},                 // a criterion unrated
		{map[string]int{"0": 3, "1": 0}, 0, false},         // no such level
		{map[string]int{"0": 0, "1": 0, "2": 0}, 0, false}, // no such criterion
	}
	for _, tc := range cases {
		got, err := r.Score(tc.levels)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("Score(%v) = %v, %v; want %v (ok %v)", tc.levels, got, err, tc.want, tc.ok)
		}
		if err != nil {
			if _, isVE := validate.As(err); !isVE {
				t.Errorf("Score(%v): %v is not a validation error", tc.levels, err)
			}
		}
	}
}

func TestCheckReadsLevelsAsPointsThenName(t *testing.T) {
	title, crit, err := Input{Title: " Essay ", Criteria: []InputCriterion{
		{Title: "Thesis", Levels: "5 Clear and arguable\n2 Vague\n\n0"},
		{}, // blank rows are skipped
	}}.Check()
	if err != nil {
		t.Fatal(err)
	}
	if title != "Essay" || len(crit) != 1 || len(crit[0].Levels) != 3 || crit[0].Levels[0] != (Level{"Clear and arguable", 5}) ||
		crit[0].Levels[2] != (Level{"0 points", 0}) {
		t.Fatalf("got %q %+v", title, crit)
	}
	_, _, err = Input{Title: "x", Criteria: []InputCriterion{{Title: "Thesis", Levels: "Excellent"}}}.Check()
	if ve, ok := validate.As(err); !ok || ve.For("criteria.0") == "" {
		t.Errorf("a level without points: %v", err)
	}
	_, _, err = Input{Title: "x"}.Check()
	if ve, ok := validate.As(err); !ok || ve.For("criteria") == "" {
		t.Errorf("no criteria: %v", err)
	}
}
