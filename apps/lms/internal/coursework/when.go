package coursework

import (
	"fmt"
	"strings"
	"time"
)

// LocalLayout is how forms send a due date: a datetime-local input's value.
const LocalLayout = "2006-01-02T15:04"

// ParseLocal reads a wall-clock time (a datetime-local value) in the
// school's time zone. Empty is no time. A time that does not exist there
// (skipped by a daylight-saving change) moves forward as time.Date does.
func ParseLocal(value, zone string) (*time.Time, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, nil
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", zone, err)
	}
	t, err := time.ParseInLocation(LocalLayout, value, loc)
	if err != nil {
		// A date alone means the end of that day: work due on the 3rd may be handed in all day.
		d, derr := time.ParseInLocation(time.DateOnly, value, loc)
		if derr != nil {
			return nil, fmt.Errorf("not a date and time: %q", value)
		}
		t = time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 0, 0, loc)
	}
	return &t, nil
}

// FormatLocal is t as a datetime-local value in the zone ("" for none).
func FormatLocal(t *time.Time, zone string) string {
	if t == nil {
		return ""
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format(LocalLayout)
}

// ShowLocal is t as people read it in the zone, with the zone's abbreviation.
func ShowLocal(t *time.Time, zone string) string {
	if t == nil {
		return "No due date"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Mon Jan 2, 2006 3:04 PM MST")
}
