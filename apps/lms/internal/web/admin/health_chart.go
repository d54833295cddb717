package admin

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/health"
)

// chart is a check's last 24 hours drawn as SVG on the server: no script,
// no chart library, no inline style (the page's CSP allows none); colours
// come from classes in app.css.
type chart struct {
	W, H float64
	// Lines are polyline point lists; a gap in sampling (the pool was
	// closed, the server restarted) breaks the line.
	Lines []string
	// Red marks where the check was red (x positions, full height).
	Red []float64
	// LimitY is the red line's height; Top labels the scale's top.
	LimitY     float64
	Top, Limit string
	// Summary is the chart's text alternative.
	Summary string
}

const chartW, chartH, chartPad = 480.0, 96.0, 4.0

func drawChart(def checkDef, points []health.Point, now time.Time) *chart {
	from := now.Add(-health.Window)
	top := def.limit * 1.25
	lo, hi, n, reds := math.Inf(1), math.Inf(-1), 0, 0
	for _, p := range points {
		if v := def.value(p); !math.IsNaN(v) {
			top, lo, hi, n = math.Max(top, v*1.1), math.Min(lo, v), math.Max(hi, v), n+1
		}
	}
	x := func(t time.Time) float64 {
		return chartPad + (chartW-2*chartPad)*float64(t.Sub(from))/float64(health.Window)
	}
	y := func(v float64) float64 { return chartH - chartPad - (chartH-2*chartPad)*v/top }
	c := &chart{W: chartW, H: chartH, LimitY: round1(y(def.limit)), Top: scale(top, def.unit), Limit: scale(def.limit, def.unit)}
	var line []string
	var prev time.Time
	flush := func() {
		if len(line) > 0 {
			c.Lines = append(c.Lines, strings.Join(line, " "))
		}
		line = nil
	}
	for _, p := range points {
		if def.red(p) {
			c.Red, reds = append(c.Red, round1(x(p.At))), reds+1
		}
		v := def.value(p)
		if math.IsNaN(v) || (!prev.IsZero() && p.At.Sub(prev) > 3*health.DefaultEvery) {
			flush()
		}
		prev = p.At
		if !math.IsNaN(v) {
			line = append(line, fmt.Sprintf("%s,%s", num(x(p.At)), num(y(v))))
		}
	}
	flush()
	if n == 0 {
		c.Summary = fmt.Sprintf("Last 24 hours: %d samples, none measured.", len(points))
	} else {
		c.Summary = fmt.Sprintf("Last 24 hours: %d samples, from %s to %s; red in %d.", len(points), scale(lo, def.unit), scale(hi, def.unit), reds)
	}
	return c
}

func scale(v float64, unit string) string {
	if unit == "%" {
		return strconv.FormatFloat(v, 'f', 0, 64) + " %"
	}
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " " + unit
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func num(v float64) string { return strconv.FormatFloat(round1(v), 'f', -1, 64) }
