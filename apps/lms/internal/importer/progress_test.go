package importer

import (
	"fmt"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// generatedBundle is one school with a teacher per class and students who
// each take perStudent of the classes.
func generatedBundle(students, classes, perStudent int) smallBundle {
	b := smallBundle{
		orgs:     []string{"D,,,Big District,district,,", "S,,,Big High,school,BIG,D"},
		sessions: []string{"Y,,,2025-2026,schoolYear,2025-08-18,2026-05-29,,2026"},
		courses:  []string{"C,,,,Homeroom,HR,,S,"},
	}
	for c := range classes {
		b.classes = append(b.classes, fmt.Sprintf("K%d,,,Class %d,,C,K%d,scheduled,,S,Y,,%d", c, c, c, c%8+1))
		b.users = append(b.users, fmt.Sprintf("T%d,,,true,S,teacher,t%d,,Teacher,Number%d,,,t%d@big.org,,,,", c, c, c, c))
		b.enrollments = append(b.enrollments, fmt.Sprintf("ET%d,,,K%d,S,T%d,teacher,true,,", c, c, c))
	}
	for s := range students {
		b.users = append(b.users, fmt.Sprintf("S%d,,,true,S,student,s%d,,Student,Number%d,,,s%d@big.org,,,,%02d", s, s, s, s, s%12+1))
		for k := range perStudent {
			c := (s + k*7) % classes
			b.enrollments = append(b.enrollments, fmt.Sprintf("ES%d-%d,,,K%d,S,S%d,student,,2025-08-18,2026-05-29", s, k, c, s))
		}
	}
	return b
}

func TestProgressIsReportedEveryFiftyRowsOrSoUpToTheTotal(t *testing.T) {
	d := newDistrict(t)
	d.school("BIG", "Big High")
	admin := d.user("admin@big.org", db.DistrictAdmin, "")
	b := parse(t, generatedBundle(300, 10, 2).files())

	var calls [][2]int
	plan, err := d.apply(admin, b, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	total := plan.Total()
	if total < 1000 || len(calls) < total/100 {
		t.Fatalf("total %d rows, %d progress calls: %v", total, len(calls), calls)
	}
	prev := 0
	for _, c := range calls {
		if c[1] != total || c[0] <= prev || c[0]-prev > 2*rowsPerStatement {
			t.Fatalf("progress %v after %d of %d; want done rising by at most %d", c, prev, total, 2*rowsPerStatement)
		}
		prev = c[0]
	}
	if prev != total {
		t.Errorf("last progress %d, want %d", prev, total)
	}
}

// A district-sized bundle: 5,000 students in 200 classes, 20,000 enrollments.
func TestLargeBundleImportsQuickly(t *testing.T) {
	if testing.Short() {
		t.Skip("large import")
	}
	d := newDistrict(t)
	d.school("BIG", "Big High")
	admin := d.user("admin@big.org", db.DistrictAdmin, "")
	b := parse(t, generatedBundle(5000, 200, 4).files())

	start := time.Now()
	plan := d.plan(admin, b)
	planned := time.Since(start)
	start = time.Now()
	d.mustApply(admin, b)
	applied := time.Since(start)
	start = time.Now()
	again := d.plan(admin, b)
	replanned := time.Since(start)
	t.Logf("%d rows: plan %s, apply (re-plan and write) %s, second plan %s", plan.Total(), planned, applied, replanned)
	if !again.Empty() {
		t.Errorf("second plan is not empty: %+v", again.Items[:min(5, len(again.Items))])
	}
	if c := plan.Counts[EntityEnrollment]; c.Create != 20200 {
		t.Errorf("enrollments: %+v", c)
	}
}
