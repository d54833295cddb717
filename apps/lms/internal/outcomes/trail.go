package outcomes

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// TrailEntry is one entry of an outcome's trail (outcome_audit, written only by
// the database's triggers): a change to its definition (kind "outcome",
// archiving included), to a student's result ("result"), or to what it is
// attached to ("link").
type TrailEntry struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	Kind       string         `json:"kind"`
	Actor      string         `json:"actor"` // the person's name, or their role where the reader cannot see them
	ActorRole  string         `json:"actorRole"`
	Student    string         `json:"student,omitempty"`
	Assignment string         `json:"assignment,omitempty"`
	Old        map[string]any `json:"old"`
	New        map[string]any `json:"new"`
	Reason     string         `json:"reason"`
}

// TrailPage is the largest number of entries one read of a trail returns.
const TrailPage = 25

// Trail reads an outcome's trail as the actor may see it (row-level
// security: district admins all of it, school admins their school's,
// teachers their sections'), newest first, at most TrailPage entries older
// than entry before (0: the newest). next is the before of the following
// page, 0 when there is none.
func Trail(ctx context.Context, s *db.Scope, outcomeID string, before int64) (list []TrailEntry, next int64, err error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.Tx.Query(ctx, `SELECT a.id, a.at, a.kind, coalesce(u.display_name, ''), a.actor_role,
		coalesce(st.display_name, ''), coalesce(asg.title, ''), a.old, a.new, a.reason
		FROM outcome_audit a
		LEFT JOIN users u ON u.id = a.actor_id
		LEFT JOIN users st ON st.id = a.student_id
		LEFT JOIN assignments asg ON asg.id = a.assignment_id
		WHERE a.outcome_id = $1 AND a.id < $2
		ORDER BY a.id DESC LIMIT $3`, outcomeID, before, TrailPage+1)
	if err != nil {
		return nil, 0, domain.Wrap("outcome trail", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c TrailEntry
		var oldJSON, newJSON []byte
		if err := rows.Scan(&c.ID, &c.At, &c.Kind, &c.Actor, &c.ActorRole, &c.Student, &c.Assignment, &oldJSON, &newJSON, &c.Reason); err != nil {
			return nil, 0, domain.Wrap("outcome trail", err)
		}
		_ = json.Unmarshal(oldJSON, &c.Old)
		_ = json.Unmarshal(newJSON, &c.New)
		if c.Actor == "" {
			c.Actor = db.Role(c.ActorRole).Label()
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, domain.Wrap("outcome trail", err)
	}
	if len(list) > TrailPage {
		list = list[:TrailPage]
		next = list[TrailPage-1].ID
	}
	return list, next, nil
}

// fieldLabels names an outcome's recorded fields, in the order a change
// lists them.
var fieldLabels = []struct{ key, label string }{
	{"title", "Title"}, {"description", "Description"}, {"scale", "Scale"}, {"points_possible", "Points possible"},
	{"mastery_points", "Mastery points"}, {"method", "Calculation method"}, {"calculation_int", "Method's number"},
	{"archived_at", "Archived"},
}

// FieldChange is one field an outcome change changed, as people read it.
type FieldChange struct {
	Label, Old, New string
}

// Fields lists what a change to the outcome's definition changed (every
// field of a creation).
func (c TrailEntry) Fields() []FieldChange {
	if c.Kind != "outcome" {
		return nil
	}
	var out []FieldChange
	for _, f := range fieldLabels {
		o, n := showValue(f.key, c.Old[f.key]), showValue(f.key, c.New[f.key])
		if c.Old != nil && o == n {
			continue
		}
		if c.Old == nil && n == "" {
			continue
		}
		out = append(out, FieldChange{Label: f.label, Old: o, New: n})
	}
	return out
}

// Summary says the change in one line.
func (c TrailEntry) Summary() string {
	switch c.Kind {
	case "outcome":
		switch {
		case c.Old == nil:
			return "Created"
		case c.New == nil:
			return "Deleted"
		case c.Old["archived_at"] == nil && c.New["archived_at"] != nil:
			return "Archived"
		case c.Old["archived_at"] != nil && c.New["archived_at"] == nil:
			return "Restored"
		}
		labels := make([]string, 0, len(fieldLabels))
		for _, f := range c.Fields() {
			labels = append(labels, strings.ToLower(f.Label))
		}
		return "Changed " + strings.Join(labels, ", ")
	case "result":
		who := c.Student
		if who == "" {
			who = "a student"
		}
		o, n := showValue("score", c.Old["score"]), showValue("score", c.New["score"])
		switch {
		case c.Old == nil:
			return fmt.Sprintf("Result %s for %s on %q", n, who, c.Assignment)
		case c.New == nil:
			return fmt.Sprintf("Result %s for %s on %q removed", o, who, c.Assignment)
		}
		return fmt.Sprintf("Result for %s on %q: %s → %s", who, c.Assignment, o, n)
	case "link":
		verb, m := "Attached to", c.New
		if m == nil {
			verb, m = "Detached from", c.Old
		}
		if r, ok := m["rubric"].(string); ok {
			crit, _ := m["criterionTitle"].(string)
			return fmt.Sprintf("%s rubric %q, criterion %q", verb, r, crit)
		}
		a, _ := m["assignment"].(string)
		return fmt.Sprintf("%s assignment %q", verb, a)
	}
	return c.Kind
}

// showValue is a recorded value as people read it.
func showValue(key string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if key == "method" {
			for _, m := range Methods {
				if string(m.Value) == x {
					return m.Label
				}
			}
		}
		if key == "archived_at" {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t.UTC().Format("2006-01-02 15:04 UTC")
			}
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		if key == "scale" {
			parts := make([]string, 0, len(x))
			for _, r := range x {
				if m, ok := r.(map[string]any); ok {
					p, _ := m["points"].(float64)
					d, _ := m["description"].(string)
					parts = append(parts, Rating{Description: d, Points: p}.String())
				}
			}
			return strings.Join(parts, " · ")
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
