package rollout

import (
	"strings"
	"testing"
	"time"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

func at(t *testing.T, zone, wall string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", wall, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func window(days []platformv1.Weekday, start, end string, zone platformv1.TimeZone) platformv1.DeployWindow {
	return platformv1.DeployWindow{TimeWindow: platformv1.TimeWindow{Days: days, Start: platformv1.LocalTime(start), End: platformv1.LocalTime(end)}, TimeZone: zone}
}

var (
	weekdays  = []platformv1.Weekday{platformv1.Monday, platformv1.Tuesday, platformv1.Wednesday, platformv1.Thursday, platformv1.Friday}
	saturday  = []platformv1.Weekday{platformv1.Saturday}
	sunday    = []platformv1.Weekday{platformv1.Sunday}
	everyDay  = append(append([]platformv1.Weekday{}, weekdays...), platformv1.Saturday, platformv1.Sunday)
	satMorn   = window(saturday, "06:00", "12:00", "")
	schoolDay = platformv1.TimeWindow{Days: weekdays, Start: "08:00", End: "15:00"}
)

func school(name, zone string, cal platformv1.SchoolCalendar) School {
	return School{Name: name, TimeZone: zone, Calendar: cal}
}

func TestWindows(t *testing.T) {
	chicagoHigh := school("lincoln/high", "America/Chicago", platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{schoolDay}})
	tests := []struct {
		name     string
		windows  []platformv1.DeployWindow
		schools  []School
		now      time.Time
		open     bool
		next     time.Time // zero: none expected
		reason   string    // part of the reason when closed
		noWithin bool      // no window within the horizon
	}{
		{name: "no windows and no schools: always open",
			now: at(t, "UTC", "2026-11-25 10:00"), open: true},
		{name: "inside a window in the school's zone",
			windows: []platformv1.DeployWindow{satMorn}, schools: []School{chicagoHigh},
			now: at(t, "America/Chicago", "2026-11-28 07:00"), open: true},
		{name: "the window's end is exclusive",
			windows: []platformv1.DeployWindow{satMorn}, schools: []School{chicagoHigh},
			now: at(t, "America/Chicago", "2026-11-28 12:00"), next: at(t, "America/Chicago", "2026-12-05 06:00"),
			reason: "outside the deploy windows for lincoln/high"},
		{name: "before a window: the next one is computed in the school's zone",
			windows: []platformv1.DeployWindow{satMorn}, schools: []School{chicagoHigh},
			now: at(t, "America/Chicago", "2026-11-27 20:00"), next: at(t, "America/Chicago", "2026-11-28 06:00"),
			reason: "outside the deploy windows"},
		{name: "schools in two zones: the window is where both overlap",
			windows: []platformv1.DeployWindow{satMorn},
			schools: []School{chicagoHigh, school("aloha/elementary", "Pacific/Honolulu", platformv1.SchoolCalendar{})},
			// Chicago 06-12 CST is 12-18 UTC; Honolulu 06-12 HST is 16-22 UTC.
			now: at(t, "UTC", "2026-11-28 13:00"), next: at(t, "UTC", "2026-11-28 16:00"),
			reason: "aloha/elementary"},
		{name: "schools in two zones: inside the overlap",
			windows: []platformv1.DeployWindow{satMorn},
			schools: []School{chicagoHigh, school("aloha/elementary", "Pacific/Honolulu", platformv1.SchoolCalendar{})},
			now:     at(t, "UTC", "2026-11-28 17:59"), open: true},
		{name: "zones with no overlap never open",
			windows: []platformv1.DeployWindow{window(saturday, "06:00", "08:00", "")},
			schools: []School{school("a/london", "Europe/London", platformv1.SchoolCalendar{}), school("b/tokyo", "Asia/Tokyo", platformv1.SchoolCalendar{})},
			now:     at(t, "UTC", "2026-11-25 10:00"), noWithin: true, reason: "no window opens within a year"},
		{name: "a window with its own zone ignores the schools' zones",
			windows: []platformv1.DeployWindow{window(saturday, "06:00", "12:00", "UTC")},
			schools: []School{school("aloha/elementary", "Pacific/Honolulu", platformv1.SchoolCalendar{})},
			now:     at(t, "UTC", "2026-11-28 07:00"), open: true},
		{name: "no windows: closed while a school is in session, open when it ends",
			schools: []School{chicagoHigh},
			now:     at(t, "America/Chicago", "2026-11-23 10:00"), next: at(t, "America/Chicago", "2026-11-23 15:00"),
			reason: "school lincoln/high is in session until 15:00 (America/Chicago)"},
		{name: "school hours cut into a window",
			windows: []platformv1.DeployWindow{window(weekdays, "12:00", "18:00", "")}, schools: []School{chicagoHigh},
			now: at(t, "America/Chicago", "2026-11-23 12:30"), next: at(t, "America/Chicago", "2026-11-23 15:00"),
			reason: "in session"},
		{name: "a holiday counts as outside school hours",
			schools: []School{school("lincoln/high", "America/Chicago", platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{schoolDay},
				Holidays: []platformv1.Holiday{{Name: "Thanksgiving", Start: "2026-11-26", End: "2026-11-27"}}})},
			now: at(t, "America/Chicago", "2026-11-26 10:00"), open: true},
		{name: "the day after a holiday is a school day again",
			schools: []School{school("lincoln/high", "America/Chicago", platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{schoolDay},
				Holidays: []platformv1.Holiday{{Name: "Day off", Start: "2026-11-23"}}})},
			now: at(t, "America/Chicago", "2026-11-23 16:00"), next: at(t, "America/Chicago", "2026-11-24 15:00"),
			// 16:00 Monday is after school; Tuesday's school day is the next closed span.
			open: true},
		{name: "a holiday is a day in the school's own zone",
			// 10:00 in Tokyo on the holiday is still the day before in Chicago.
			schools: []School{school("tokyo/high", "Asia/Tokyo", platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{schoolDay},
				Holidays: []platformv1.Holiday{{Name: "Labour Thanksgiving", Start: "2026-11-23"}}})},
			now: at(t, "Asia/Tokyo", "2026-11-23 10:00"), open: true},
		{name: "outside every term is outside school hours (summer)",
			schools: []School{school("lincoln/high", "America/Chicago", platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{schoolDay},
				Terms: []platformv1.Term{{Name: "Fall", Start: "2026-08-17", End: "2026-12-18"}}})},
			now: at(t, "America/Chicago", "2026-07-06 10:00"), open: true},
		{name: "inside a term school hours apply",
			schools: []School{school("lincoln/high", "America/Chicago", platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{schoolDay},
				Terms: []platformv1.Term{{Name: "Fall", Start: "2026-08-17", End: "2026-12-18"}}})},
			now: at(t, "America/Chicago", "2026-08-17 10:00"), next: at(t, "America/Chicago", "2026-08-17 15:00"), reason: "in session"},
		{name: "next window days away: weekend only, school all week",
			windows: []platformv1.DeployWindow{satMorn}, schools: []School{chicagoHigh},
			now: at(t, "America/Chicago", "2026-11-23 09:00"), next: at(t, "America/Chicago", "2026-11-28 06:00"), reason: "in session"},
		{name: "DST ends: a window across the repeated hour lasts the extra hour",
			windows: []platformv1.DeployWindow{window(sunday, "00:30", "03:00", "")}, schools: []School{school("x/y", "America/Chicago", platformv1.SchoolCalendar{})},
			// 01:30 CST, the second 01:30 of 2026-11-01, is inside.
			now: time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC), open: true},
		{name: "DST ends: the window opens at its wall-clock time",
			windows: []platformv1.DeployWindow{window(sunday, "00:30", "03:00", "")}, schools: []School{school("x/y", "America/Chicago", platformv1.SchoolCalendar{})},
			now: at(t, "America/Chicago", "2026-10-31 12:00"), next: time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), reason: "outside"},
		{name: "DST starts: a window starting in the skipped hour opens when the clock jumps",
			windows: []platformv1.DeployWindow{window(sunday, "02:30", "04:00", "")}, schools: []School{school("x/y", "America/Chicago", platformv1.SchoolCalendar{})},
			// 2026-03-08 02:00 CST jumps to 03:00 CDT, which is 08:00 UTC.
			now: at(t, "America/Chicago", "2026-03-07 12:00"), next: time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC), reason: "outside"},
		{name: "DST starts: 01:59 CST is not yet in the window",
			windows: []platformv1.DeployWindow{window(sunday, "02:30", "04:00", "")}, schools: []School{school("x/y", "America/Chicago", platformv1.SchoolCalendar{})},
			now: time.Date(2026, 3, 8, 7, 59, 0, 0, time.UTC), next: time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC), reason: "outside"},
		{name: "school hours keep their wall-clock times across DST",
			// Monday after the change: school ends 15:00 CDT, which is 20:00 UTC (21:00 UTC the week before).
			schools: []School{chicagoHigh},
			now:     at(t, "America/Chicago", "2026-03-09 09:00"), next: time.Date(2026, 3, 9, 20, 0, 0, 0, time.UTC), reason: "in session"},
		{name: "every day window, schools in three zones, next start is the latest opening",
			windows: []platformv1.DeployWindow{window(everyDay, "20:00", "23:00", "")},
			schools: []School{school("a/ny", "America/New_York", platformv1.SchoolCalendar{}), school("b/chi", "America/Chicago", platformv1.SchoolCalendar{}),
				school("c/den", "America/Denver", platformv1.SchoolCalendar{})},
			// 20:00 EST=01 UTC, CST=02 UTC, MST=03 UTC: all three inside from 03:00 UTC to 04:00 UTC (23:00 EST).
			now: at(t, "UTC", "2026-11-25 12:00"), next: time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC), reason: "outside"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Windows(tc.windows, tc.schools, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if v.Open != tc.open {
				t.Fatalf("open = %v (%s), want %v", v.Open, v.Reason, tc.open)
			}
			if tc.open {
				return
			}
			if tc.noWithin {
				if !v.NextStart.IsZero() {
					t.Errorf("next start %s, want none", v.NextStart)
				}
			} else if !v.NextStart.Equal(tc.next) {
				t.Errorf("next start %s, want %s", v.NextStart.UTC(), tc.next.UTC())
			}
			if !strings.Contains(v.Reason, tc.reason) {
				t.Errorf("reason %q lacks %q", v.Reason, tc.reason)
			}
		})
	}
}

func TestWindowsRefuseAnUnknownZone(t *testing.T) {
	_, err := Windows(nil, []School{school("x/y", "Mars/Olympus_Mons", platformv1.SchoolCalendar{})}, time.Now())
	if err == nil || !strings.Contains(err.Error(), `school x/y: time zone "Mars/Olympus_Mons" is not in the time zone database`) {
		t.Fatalf("err = %v", err)
	}
}
