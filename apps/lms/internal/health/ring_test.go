package health

import (
	"testing"
	"time"
)

// The ring keeps the newest points only, oldest first, and never grows
// past its capacity: a day at one point a minute.
func TestRingKeepsTheNewestDay(t *testing.T) {
	m := &Monitor{}
	if got := m.capacity(); got != 1441 {
		t.Fatalf("capacity %d, want 1441 (24 h at one a minute, both ends)", got)
	}
	r := newRing(3)
	t0 := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	for i := range 5 {
		r.add(Point{At: t0.Add(time.Duration(i) * time.Minute)})
	}
	got := r.points()
	if len(got) != 3 || len(r.buf) != 3 {
		t.Fatalf("%d points kept in %d slots, want 3", len(got), len(r.buf))
	}
	for i, p := range got {
		if want := t0.Add(time.Duration(i+2) * time.Minute); !p.At.Equal(want) {
			t.Errorf("point %d at %s, want %s", i, p.At, want)
		}
	}
}
