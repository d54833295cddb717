package reconcile

import (
	"context"
	"errors"
	"slices"
	"testing"
)

type testPass struct {
	Pass
	ran []string
}

// Phases run in order, each entered before it runs; the first error stops
// the pass and leaves it in the phase that failed.
func TestRunPhasesStopsAtTheFirstErrorInItsPhase(t *testing.T) {
	step := func(name string, err error) Phase[*testPass] {
		return Phase[*testPass]{Name: name, Run: func(_ context.Context, p *testPass) error {
			if p.Phase() != name {
				t.Errorf("phase %q ran while the pass said %q", name, p.Phase())
			}
			p.ran = append(p.ran, name)
			return err
		}}
	}
	p := &testPass{}
	err := RunPhases(t.Context(), p, []Phase[*testPass]{step("a", nil), step("b", ErrNextLoop), step("c", nil)})
	if !errors.Is(err, ErrNextLoop) || !slices.Equal(p.ran, []string{"a", "b"}) || p.Phase() != "b" {
		t.Fatalf("err %v, ran %v, phase %q; want ErrNextLoop after a, b in phase b", err, p.ran, p.Phase())
	}
	p = &testPass{}
	if err := RunPhases(t.Context(), p, []Phase[*testPass]{step("a", nil), step("c", nil)}); err != nil || len(p.ran) != 2 {
		t.Fatalf("err %v, ran %v; want both phases and no error", err, p.ran)
	}
}
