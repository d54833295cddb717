package guardian

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SendHour is the local hour (in the district's time zone) from which the
// day's digests go out: after the school day, when the day's grades are in.
// Weekly digests go out on Fridays from the same hour.
const SendHour = 17

// DigestPeriod names the period a digest at now belongs to, in loc:
// "2026-11-27" for a daily digest, "2026-W48" (ISO week) for a weekly one,
// and whether it is due yet (at or after SendHour, on Friday for weekly).
// Its length is how far back a first digest looks.
func DigestPeriod(f Frequency, now time.Time, loc *time.Location) (period string, due bool, length time.Duration) {
	local := now.In(loc)
	switch f {
	case Daily:
		return local.Format("2006-01-02"), local.Hour() >= SendHour, 24 * time.Hour
	case Weekly:
		year, week := local.ISOWeek()
		friday := local.Weekday() == time.Friday && local.Hour() >= SendHour
		weekend := local.Weekday() == time.Saturday || local.Weekday() == time.Sunday
		return fmt.Sprintf("%04d-W%02d", year, week), friday || weekend, 7 * 24 * time.Hour
	}
	return "", false, 0
}

// ChildDigest is what a digest says about one child.
type ChildDigest struct {
	Name string
	// Low are course grades below the guardian's threshold.
	Low []Course
	// Missing is missing work; Posted grades posted since the last digest.
	Missing, Posted []Item
}

// Digest is one guardian's e-mail for one period.
type Digest struct {
	Period   string
	Children []ChildDigest
}

// Items counts what the digest reports; a digest with none is not sent.
func (d Digest) Items() int {
	n := 0
	for _, c := range d.Children {
		n += len(c.Low) + len(c.Missing) + len(c.Posted)
	}
	return n
}

// BuildDigest picks from each child's overview what the guardian asked to
// hear about: course grades below the threshold, missing work, and grades
// posted after since. Only posted grades ever appear: the guardian's scope
// hides the others, and this checks again.
func BuildDigest(period string, kids []Child, a Alerts, since time.Time) Digest {
	d := Digest{Period: period}
	for _, k := range kids {
		c := ChildDigest{Name: k.Child.DisplayName}
		if a.GradeBelow != nil {
			for _, course := range k.Courses {
				if p, err := strconv.ParseFloat(course.Percent, 64); err == nil && course.Percent != "" && p < *a.GradeBelow {
					c.Low = append(c.Low, course)
				}
			}
		}
		if a.Missing {
			c.Missing = k.Missing
		}
		if a.GradePosted {
			for _, it := range k.Recent {
				if g := it.Work.Grade; g != nil && g.Posted && g.PostedAt != nil && g.PostedAt.After(since) {
					c.Posted = append(c.Posted, it)
				}
			}
		}
		if len(c.Low)+len(c.Missing)+len(c.Posted) > 0 {
			d.Children = append(d.Children, c)
		}
	}
	return d
}

// Subject is the digest e-mail's subject line.
func (d Digest) Subject(f Frequency) string {
	if f == Weekly {
		return "Your weekly Bellwork summary"
	}
	return "Your daily Bellwork summary"
}

// Text is the digest's plain-text body. site is the district's address
// (links go to the portal), unsubscribe the one-click link.
func (d Digest) Text(name, district, site, unsubscribe string, f Frequency) string {
	var b strings.Builder
	every := "day"
	if f == Weekly {
		every = "week"
	}
	fmt.Fprintf(&b, "Hello %s,\n\nHere is what needs your attention at %s.\n", name, district)
	for _, c := range d.Children {
		fmt.Fprintf(&b, "\n%s\n%s\n", c.Name, strings.Repeat("=", len([]rune(c.Name))))
		if len(c.Low) > 0 {
			b.WriteString("\nCourse grades below your threshold:\n")
			for _, course := range c.Low {
				grade := course.Percent + "%"
				if course.Letter != "" {
					grade += " (" + course.Letter + ")"
				}
				fmt.Fprintf(&b, "  - %s: %s\n", course.Title, grade)
			}
		}
		if len(c.Missing) > 0 {
			b.WriteString("\nMissing work:\n")
			for _, it := range c.Missing {
				fmt.Fprintf(&b, "  - %s (%s), was due %s\n    %s\n", it.Assignment.Title, it.SectionTitle, inZone(it.Work.Due, it.Assignment.TimeZone), itemLink(site, it))
			}
		}
		if len(c.Posted) > 0 {
			b.WriteString("\nNew grades:\n")
			for _, it := range c.Posted {
				fmt.Fprintf(&b, "  - %s (%s): %s, posted %s\n    %s\n", it.Assignment.Title, it.SectionTitle, it.Score(), inZone(it.Work.Grade.PostedAt, it.Assignment.TimeZone), itemLink(site, it))
			}
		}
	}
	fmt.Fprintf(&b, "\nYou get this summary every %s because you asked for it. Change what it tells you at %s/guardian/alerts\n", every, site)
	fmt.Fprintf(&b, "Stop these e-mails with one click: %s\n", unsubscribe)
	return b.String()
}

func itemLink(site string, it Item) string {
	return site + "/guardian/children/" + it.Work.StudentID + "/assignments/" + it.Assignment.ID
}

// inZone formats a time as people read it in a school's time zone.
func inZone(t *time.Time, zone string) string {
	if t == nil {
		return ""
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Mon 2 Jan 15:04")
}
