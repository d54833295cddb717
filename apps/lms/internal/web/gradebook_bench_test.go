package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// BenchmarkGradebook measures the gradebook page and the grades JSON for a
// section of 40 students × 100 assignments (4,000 grades), requests per
// second and p99, beside the floor measured in the same run at the same
// concurrency: the same 4,000 scores read with one plain pgx query and
// encoded as JSON. It prints the ratios (goal >= 0.5) and asserts nothing
// about speed.
//
//	make bench   (or: go test -run '^$' -bench Gradebook -benchtime 1x ./apps/lms/internal/web/)
func BenchmarkGradebook(b *testing.B) {
	const clients, students, assignments = 4, 40, 100
	phase := 5 * time.Second
	d := newDistrict(b, "gbbench")
	seedGradebook(b, d, students, assignments)
	ctx := context.Background()
	var sessions []*client
	for range clients {
		c, _ := d.session(db.Teacher)
		sessions = append(sessions, c)
	}
	get := func(path string) func() error {
		next := make(chan *client, clients)
		for _, c := range sessions {
			next <- c
		}
		return func() error {
			c := <-next
			defer func() { next <- c }()
			res, body := c.get(path)
			if res.StatusCode != http.StatusOK || len(body) < 4000 {
				return fmt.Errorf("%s: %d", path, res.StatusCode)
			}
			return nil
		}
	}
	pool := d.db.Pool()
	floor := func() error {
		rows, err := pool.Query(ctx, `SELECT assignment_id::text, student_id::text, score::text FROM grades WHERE section_id = $1`, d.section)
		if err != nil {
			return err
		}
		type cell struct{ A, S, Score string }
		var out []cell
		for rows.Next() {
			var c cell
			if err := rows.Scan(&c.A, &c.S, &c.Score); err != nil {
				return err
			}
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) != students*assignments {
			return fmt.Errorf("floor read %d scores", len(out))
		}
		_, err = json.Marshal(out)
		return err
	}
	b.ResetTimer()
	pageRate, pageP99, err := load(clients, phase, get("/assess/sections/"+d.section))
	if err != nil {
		b.Fatal(err)
	}
	apiRate, apiP99, err := load(clients, phase, get("/api/v1/sections/"+d.section+"/grades"))
	if err != nil {
		b.Fatal(err)
	}
	floorRate, floorP99, err := load(clients, phase, floor)
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(pageRate, "gradebook/s")
	b.ReportMetric(float64(pageP99.Microseconds())/1000, "gradebook-p99-ms")
	b.ReportMetric(apiRate, "grades-json/s")
	b.ReportMetric(float64(apiP99.Microseconds())/1000, "grades-json-p99-ms")
	b.ReportMetric(floorRate, "floor/s")
	b.ReportMetric(pageRate/floorRate, "gradebook/floor-ratio")
	b.ReportMetric(apiRate/floorRate, "grades-json/floor-ratio")
	fmt.Printf("\nGradebook, %d students x %d assignments, %d clients, %s per phase (same Postgres, same run):\n"+
		"  gradebook page: %8.1f/s   p99 %v\n  grades JSON:    %8.1f/s   p99 %v\n  floor (one pgx query of the 4,000 scores + JSON): %8.1f/s   p99 %v\n",
		students, assignments, clients, phase, pageRate, pageP99.Round(time.Millisecond), apiRate, apiP99.Round(time.Millisecond),
		floorRate, floorP99.Round(time.Millisecond))
	fmt.Printf("  goal gradebook/floor >= 0.5:   %.3f  %s\n", pageRate/floorRate, met(pageRate/floorRate >= 0.5))
	fmt.Printf("  goal grades JSON/floor >= 0.5: %.3f  %s\n", apiRate/floorRate, met(apiRate/floorRate >= 0.5))
}
