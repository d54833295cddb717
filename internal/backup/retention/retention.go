// Package retention decides which backups a BackupPolicy keeps. It is a
// pure function of the policy, the backups and the time, so every rule is
// proven by table tests with a fixed clock and the controller only acts
// on the decisions.
package retention

import (
	"fmt"
	"sort"
	"time"
)

// Policy is what to keep. Tiers keep the newest backup of each of the
// last N days, ISO weeks and months that have one (in the policy's time
// zone); KeepLast keeps the N newest. A backup kept by no tier is
// deleted; with no tier set at all, every backup is kept (only MaxAge
// deletes). MaxAge deletes what is older whatever the tiers say.
type Policy struct {
	KeepLast int
	Daily    int
	Weekly   int
	Monthly  int
	MaxAge   time.Duration
}

// Backup is what retention needs to know of one backup.
type Backup struct {
	ID       string
	Taken    time.Time
	Verified bool // its latest verification passed
}

// Decision is the verdict on one backup, with the rules that gave it.
type Decision struct {
	ID      string
	Keep    bool
	Reasons []string
}

// Decide returns one decision per backup, newest first. The newest
// verified backup is always kept, so a district can always be restored.
func Decide(p Policy, backups []Backup, now time.Time, loc *time.Location) []Decision {
	if loc == nil {
		loc = time.UTC
	}
	sorted := append([]Backup(nil), backups...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].Taken.Equal(sorted[j].Taken) {
			return sorted[i].Taken.After(sorted[j].Taken)
		}
		return sorted[i].ID > sorted[j].ID
	})
	noTiers := p.KeepLast == 0 && p.Daily == 0 && p.Weekly == 0 && p.Monthly == 0
	tiers := []struct {
		name  string
		limit int
		key   func(time.Time) string
		seen  map[string]bool
	}{
		{"daily", p.Daily, func(t time.Time) string { return t.Format("2006-01-02") }, map[string]bool{}},
		{"weekly", p.Weekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-W%02d", y, w) }, map[string]bool{}},
		{"monthly", p.Monthly, func(t time.Time) string { return t.Format("2006-01") }, map[string]bool{}},
	}
	newestVerified := -1
	for i, b := range sorted {
		if b.Verified {
			newestVerified = i
			break
		}
	}
	out := make([]Decision, 0, len(sorted))
	kept := 0 // for KeepLast, counting backups within MaxAge
	for i, b := range sorted {
		d := Decision{ID: b.ID}
		expired := p.MaxAge > 0 && now.Sub(b.Taken) > p.MaxAge
		if !expired {
			if kept < p.KeepLast {
				d.Reasons = append(d.Reasons, fmt.Sprintf("one of the last %d", p.KeepLast))
			}
			kept++
			local := b.Taken.In(loc)
			for ti := range tiers {
				t := &tiers[ti]
				k := t.key(local)
				if t.limit > 0 && !t.seen[k] && len(t.seen) < t.limit {
					t.seen[k] = true
					d.Reasons = append(d.Reasons, t.name+" "+k)
				}
			}
			if noTiers {
				d.Reasons = append(d.Reasons, "no count limits set")
			}
		}
		if i == newestVerified {
			d.Reasons = append(d.Reasons, "newest verified backup")
		}
		d.Keep = len(d.Reasons) > 0
		if !d.Keep {
			if expired {
				d.Reasons = []string{fmt.Sprintf("older than the maximum age %s", p.MaxAge)}
			} else {
				d.Reasons = []string{"kept by no retention rule"}
			}
		}
		out = append(out, d)
	}
	return out
}
