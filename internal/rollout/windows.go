package rollout

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// School is what deploy windows need of an affected school.
type School struct {
	// Name identifies the school in messages ("tenant-x/lincoln-high").
	Name     string
	TimeZone string
	Calendar platformv1.SchoolCalendar
}

// WindowVerdict says whether a rollout may start now, and if not, why and
// when it next may.
type WindowVerdict struct {
	Open bool
	// Reason explains a closed window in a sentence.
	Reason string
	// NextStart is when a window next opens; zero when open, or when none
	// opens within the horizon searched (a year).
	NextStart time.Time
}

// searchHorizon bounds how far ahead the next window is looked for; chunk
// is how much is computed at a time.
const (
	searchHorizon = 370 * 24 * time.Hour
	searchChunk   = 14 * 24 * time.Hour
)

// Windows evaluates the spec's deploy windows against the schools' hours at
// now. With no windows given, any time no school is in session is allowed.
// An unknown time zone is an error naming it.
func Windows(windows []platformv1.DeployWindow, schools []School, now time.Time) (WindowVerdict, error) {
	zones, err := loadZones(windows, schools)
	if err != nil {
		return WindowVerdict{}, err
	}
	now = now.Truncate(time.Minute)
	for from := now; from.Before(now.Add(searchHorizon)); from = from.Add(searchChunk) {
		to := from.Add(searchChunk)
		allowed := allowedIntervals(windows, schools, zones, from, to)
		for _, iv := range allowed {
			if !iv.end.After(now) {
				continue
			}
			if !iv.start.After(now) {
				return WindowVerdict{Open: true}, nil
			}
			return WindowVerdict{NextStart: iv.start, Reason: closedReason(windows, schools, zones, now)}, nil
		}
	}
	return WindowVerdict{Reason: closedReason(windows, schools, zones, now) + "; no window opens within a year"}, nil
}

type interval struct{ start, end time.Time }

func loadZones(windows []platformv1.DeployWindow, schools []School) (map[string]*time.Location, error) {
	zones := map[string]*time.Location{}
	add := func(name, what string) error {
		if name == "" {
			name = "UTC"
		}
		if _, ok := zones[name]; ok {
			return nil
		}
		loc, err := time.LoadLocation(name)
		if err != nil {
			return fmt.Errorf("%s: time zone %q is not in the time zone database", what, name)
		}
		zones[name] = loc
		return nil
	}
	for i, w := range windows {
		if w.TimeZone != "" {
			if err := add(string(w.TimeZone), fmt.Sprintf("deployWindows[%d]", i)); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range schools {
		if err := add(s.TimeZone, "school "+s.Name); err != nil {
			return nil, err
		}
	}
	if err := add("UTC", "default"); err != nil {
		return nil, err
	}
	return zones, nil
}

func zoneOf(zones map[string]*time.Location, name string) *time.Location {
	if name == "" {
		name = "UTC"
	}
	return zones[name]
}

// allowedIntervals is the set of times in [from, to) a rollout may start:
// inside a window for every school, outside every school's session.
func allowedIntervals(windows []platformv1.DeployWindow, schools []School, zones map[string]*time.Location, from, to time.Time) []interval {
	allowed := []interval{{from, to}}
	if len(windows) > 0 {
		if len(schools) == 0 {
			allowed = intersect(allowed, windowIntervals(windows, zones["UTC"], zones, from, to))
		}
		for _, s := range schools {
			allowed = intersect(allowed, windowIntervals(windows, zoneOf(zones, s.TimeZone), zones, from, to))
		}
	}
	for _, s := range schools {
		allowed = subtract(allowed, sessionIntervals(s, zoneOf(zones, s.TimeZone), from, to))
	}
	return allowed
}

// windowIntervals is the union of the windows' spans in [from, to), each
// read in its own zone or else in schoolZone.
func windowIntervals(windows []platformv1.DeployWindow, schoolZone *time.Location, zones map[string]*time.Location, from, to time.Time) []interval {
	var out []interval
	for _, w := range windows {
		loc := schoolZone
		if w.TimeZone != "" {
			loc = zones[string(w.TimeZone)]
		}
		out = append(out, weekly(w.TimeWindow, loc, from, to, nil)...)
	}
	return normalize(out)
}

// sessionIntervals are the school's hours in [from, to) on days it is in
// session: within a term (when terms are listed) and not a holiday.
func sessionIntervals(s School, loc *time.Location, from, to time.Time) []interval {
	inSession := func(day time.Time) bool {
		date := day.Format(time.DateOnly)
		for _, h := range s.Calendar.Holidays {
			end := string(h.End)
			if end == "" {
				end = string(h.Start)
			}
			if date >= string(h.Start) && date <= end {
				return false
			}
		}
		if len(s.Calendar.Terms) == 0 {
			return true
		}
		for _, t := range s.Calendar.Terms {
			if date >= string(t.Start) && date <= string(t.End) {
				return true
			}
		}
		return false
	}
	var out []interval
	for _, h := range s.Calendar.Hours {
		out = append(out, weekly(h, loc, from, to, inSession)...)
	}
	return normalize(out)
}

// weekly lists a weekly window's occurrences in loc that overlap [from,
// to), clipped to it; a day is skipped when include says so. On a
// daylight-saving day a window keeps its wall-clock start and end: a time
// the clock skips (02:30 when 02:00 jumps to 03:00) is the moment of the
// jump, and a time that occurs twice is its first occurrence.
func weekly(w platformv1.TimeWindow, loc *time.Location, from, to time.Time, include func(day time.Time) bool) []interval {
	sh, sm := clock(string(w.Start))
	eh, em := clock(string(w.End))
	var out []interval
	first := from.In(loc)
	day := time.Date(first.Year(), first.Month(), first.Day()-1, 0, 0, 0, 0, loc)
	for ; day.Before(to.Add(24 * time.Hour)); day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc) {
		if !slices.Contains(w.Days, platformv1.Weekday(day.Weekday().String())) {
			continue
		}
		if include != nil && !include(day) {
			continue
		}
		start := wallTime(day, sh, sm, loc)
		end := wallTime(day, eh, em, loc)
		if start.Before(from) {
			start = from
		}
		if end.After(to) {
			end = to
		}
		if end.After(start) {
			out = append(out, interval{start.UTC(), end.UTC()})
		}
	}
	return out
}

// wallTime is the instant the clock in loc shows h:m on day, or, when the
// clock skips that time, the instant it jumps past it.
func wallTime(day time.Time, h, m int, loc *time.Location) time.Time {
	t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
	if t.Hour() == h && t.Minute() == m {
		return t
	}
	// time.Date read a skipped time with the offset before the jump, which
	// lands earlier than asked; walk forward to the jump.
	want := h*60 + m
	for i := 0; i < 4*60; i++ {
		t = t.Add(time.Minute)
		if l := t.In(loc); l.Day() != day.Day() || l.Hour()*60+l.Minute() >= want {
			return t
		}
	}
	return t
}

func clock(hhmm string) (int, int) {
	var h, m int
	_, _ = fmt.Sscanf(hhmm, "%d:%d", &h, &m)
	return h, m
}

// normalize sorts intervals and merges those that overlap or touch.
func normalize(ivs []interval) []interval {
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].start.Before(ivs[j].start) })
	var out []interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.start.After(out[n-1].end) {
			if iv.end.After(out[n-1].end) {
				out[n-1].end = iv.end
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

func intersect(a, b []interval) []interval {
	var out []interval
	for i, j := 0, 0; i < len(a) && j < len(b); {
		start, end := later(a[i].start, b[j].start), earlier(a[i].end, b[j].end)
		if end.After(start) {
			out = append(out, interval{start, end})
		}
		if a[i].end.Before(b[j].end) {
			i++
		} else {
			j++
		}
	}
	return out
}

func subtract(a, b []interval) []interval {
	out := []interval{}
	for _, iv := range a {
		pieces := []interval{iv}
		for _, cut := range b {
			var next []interval
			for _, p := range pieces {
				if !cut.start.Before(p.end) || !cut.end.After(p.start) {
					next = append(next, p)
					continue
				}
				if cut.start.After(p.start) {
					next = append(next, interval{p.start, cut.start})
				}
				if cut.end.Before(p.end) {
					next = append(next, interval{cut.end, p.end})
				}
			}
			pieces = next
		}
		out = append(out, pieces...)
	}
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// closedReason says, for people, why now is not allowed: the first school
// in session, or the windows it is outside of.
func closedReason(windows []platformv1.DeployWindow, schools []School, zones map[string]*time.Location, now time.Time) string {
	probeEnd := now.Add(time.Minute)
	for _, s := range schools {
		loc := zoneOf(zones, s.TimeZone)
		for _, iv := range sessionIntervals(s, loc, now.Add(-24*time.Hour), now.Add(24*time.Hour)) {
			if !iv.start.After(now) && iv.end.After(now) {
				return fmt.Sprintf("school %s is in session until %s (%s)", s.Name, iv.end.In(loc).Format("15:04"), loc)
			}
		}
	}
	if len(windows) == 0 {
		return "a school is in session"
	}
	var outside []string
	for _, s := range schools {
		loc := zoneOf(zones, s.TimeZone)
		if len(intersect([]interval{{now, probeEnd}}, windowIntervals(windows, loc, zones, now, probeEnd))) == 0 {
			outside = append(outside, s.Name)
		}
	}
	if len(schools) == 0 || len(outside) == 0 {
		return "outside the deploy windows"
	}
	if len(outside) > 3 {
		outside = append(outside[:3], fmt.Sprintf("and %d more", len(outside)-3))
	}
	return "outside the deploy windows for " + strings.Join(outside, ", ")
}
