package rollout

import (
	"fmt"
	"time"
)

// InSession reports whether school s is in session at now, reading its
// calendar (hours, terms, holidays) in its own time zone, the same way
// deploy windows do. Alert muting asks this; an unknown time zone is an
// error naming it.
func InSession(s School, now time.Time) (bool, error) {
	zone := s.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return false, fmt.Errorf("school %s: time zone %q is not in the time zone database", s.Name, zone)
	}
	return len(sessionIntervals(s, loc, now, now.Add(time.Second))) > 0, nil
}
