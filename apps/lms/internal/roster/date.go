package roster

import (
	"fmt"
	"time"
)

// Date is a calendar day (no time zone).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// String formats the day as "2006-01-02".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

func (d Date) before(other Date) bool {
	if d.Year != other.Year {
		return d.Year < other.Year
	}
	if d.Month != other.Month {
		return d.Month < other.Month
	}
	return d.Day < other.Day
}

// parseDate accepts exactly YYYY-MM-DD naming a real day.
func parseDate(s string) (Date, bool) {
	if len(s) != len(time.DateOnly) {
		return Date{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, false
	}
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, true
}
