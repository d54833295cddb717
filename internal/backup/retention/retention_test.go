package retention

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// now is the injected clock: Saturday 28 November 2026, 12:00 UTC.
var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// at builds a backup taken h hours before now.
func at(h int, verified bool) Backup {
	t := now.Add(-time.Duration(h) * time.Hour)
	return Backup{ID: t.Format("0102T15"), Taken: t, Verified: verified}
}

// hourly is one backup per 6 hours for n days, all verified.
func every6h(days int) []Backup {
	var out []Backup
	for h := 0; h < days*24; h += 6 {
		out = append(out, at(h, true))
	}
	return out
}

func TestDecide(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	cases := []struct {
		name    string
		policy  Policy
		backups []Backup
		loc     *time.Location
		keep    []string // IDs kept, newest first
	}{{
		name:    "keep-last keeps the newest n",
		policy:  Policy{KeepLast: 2},
		backups: []Backup{at(30, true), at(0, true), at(6, true), at(12, true)},
		keep:    []string{"1128T12", "1128T06"},
	}, {
		name:    "daily keeps the newest of each of the last n days",
		policy:  Policy{Daily: 3},
		backups: every6h(5),
		keep:    []string{"1128T12", "1127T18", "1126T18"},
	}, {
		name:    "daily days are the policy's time zone's days",
		policy:  Policy{Daily: 2},
		backups: every6h(2),
		loc:     chicago,
		// 12:00 UTC is 06:00 in Chicago; the previous Chicago day's newest is 00:00 UTC (18:00 on the 27th).
		keep: []string{"1128T12", "1128T00"},
	}, {
		name:    "weekly keeps one per ISO week",
		policy:  Policy{Weekly: 2},
		backups: every6h(15),
		// The 28th is a Saturday: its week started Monday the 23rd; the week before ends Sunday the 22nd.
		keep: []string{"1128T12", "1122T18"},
	}, {
		name:    "monthly keeps one per month",
		policy:  Policy{Monthly: 2},
		backups: []Backup{at(0, true), at(24*10, true), at(24*30, true), at(24*31, true), at(24*70, true)},
		keep:    []string{"1128T12", "1029T12"},
	}, {
		name:    "tiers add up",
		policy:  Policy{KeepLast: 1, Daily: 2, Monthly: 2},
		backups: []Backup{at(0, true), at(6, true), at(30, true), at(24*30, true), at(24*31, true)},
		keep:    []string{"1128T12", "1127T06", "1029T12"},
	}, {
		name:    "max age deletes what tiers would keep",
		policy:  Policy{Daily: 10, MaxAge: 48 * time.Hour},
		backups: every6h(4),
		keep:    []string{"1128T12", "1127T18", "1126T18"},
	}, {
		name:    "the newest verified backup survives every rule",
		policy:  Policy{KeepLast: 1, MaxAge: 24 * time.Hour},
		backups: []Backup{at(0, false), at(6, false), at(72, true), at(96, true)},
		keep:    []string{"1128T12", "1125T12"},
	}, {
		name:    "no count limits keeps everything within max age",
		policy:  Policy{MaxAge: 24 * time.Hour},
		backups: []Backup{at(0, false), at(20, false), at(25, false)},
		keep:    []string{"1128T12", "1127T16"},
	}, {
		name:    "no backups, no decisions",
		policy:  Policy{KeepLast: 3},
		backups: nil,
		keep:    nil,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Decide(c.policy, c.backups, now, c.loc)
			if len(got) != len(c.backups) {
				t.Fatalf("%d decisions for %d backups", len(got), len(c.backups))
			}
			var kept []string
			for _, d := range got {
				if len(d.Reasons) == 0 {
					t.Errorf("%s: decision without a reason", d.ID)
				}
				if d.Keep {
					kept = append(kept, d.ID)
				}
			}
			if !slices.Equal(kept, c.keep) {
				t.Errorf("kept %v, want %v\n%s", kept, c.keep, explain(got))
			}
		})
	}
}

func TestDeletionsSayWhy(t *testing.T) {
	got := Decide(Policy{KeepLast: 1, MaxAge: 24 * time.Hour}, []Backup{at(0, true), at(6, true), at(48, true)}, now, nil)
	want := []string{"one of the last 1; newest verified backup", "kept by no retention rule", "older than the maximum age 24h0m0s"}
	for i, d := range got {
		if r := strings.Join(d.Reasons, "; "); r != want[i] {
			t.Errorf("%s: reasons %q, want %q", d.ID, r, want[i])
		}
	}
}

func explain(ds []Decision) string {
	out := ""
	for _, d := range ds {
		out += fmt.Sprintf("  %s keep=%v %v\n", d.ID, d.Keep, d.Reasons)
	}
	return out
}
