package grading

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// SchemeEntry is one letter of a grading scheme and the lowest percentage
// that earns it.
type SchemeEntry struct {
	Letter string  `json:"letter"`
	Min    float64 `json:"min"`
}

// Settings are a section's grading settings. A section without a row has
// the defaults: points, no late or missing policy, no letters, manual
// posting (grades are seen once the teacher posts them).
type Settings struct {
	SectionID       string             `json:"sectionId"`
	Weighting       calc.Weighting     `json:"weighting"`
	LateDeduction   *float64           `json:"lateDeduction,omitempty"` // percent per interval
	LateInterval    string             `json:"lateInterval"`            // hour or day
	LateFloor       *float64           `json:"lateFloor,omitempty"`
	MissingScore    *float64           `json:"missingScore,omitempty"` // percent of points possible
	PostPolicy      calc.PostPolicy    `json:"postPolicy"`
	Scheme          []SchemeEntry      `json:"scheme"`
	WeightedPeriods bool               `json:"weightedPeriods"`
	PeriodWeights   map[string]float64 `json:"periodWeights"`
}

// DefaultScheme is the common US letter scale, offered on the settings page.
var DefaultScheme = []SchemeEntry{{"A", 94}, {"A-", 90}, {"B+", 87}, {"B", 84}, {"B-", 80}, {"C+", 77}, {"C", 74},
	{"C-", 70}, {"D+", 67}, {"D", 64}, {"D-", 61}, {"F", 0}}

func defaults(sectionID string) *Settings {
	return &Settings{SectionID: sectionID, Weighting: calc.ByPoints, LateInterval: "day", PostPolicy: calc.PostManually,
		Scheme: []SchemeEntry{}, PeriodWeights: map[string]float64{}}
}

// GetSettings reads a section's settings (the defaults when none are saved).
func GetSettings(ctx context.Context, s *db.Scope, sectionID string) (*Settings, error) {
	return scanSettings(s.Tx.QueryRow(ctx, settingsQuery, sectionID), sectionID)
}

const settingsQuery = `SELECT weighting, late_deduction::float8, late_interval, late_floor::float8, missing_score::float8,
	post_policy, scheme, weighted_periods, period_weights FROM grading_settings WHERE section_id = $1`

// scanSettings reads settingsQuery's row (the defaults when there is none).
func scanSettings(row pgx.Row, sectionID string) (*Settings, error) {
	st := defaults(sectionID)
	var scheme, weights []byte
	err := row.Scan(&st.Weighting, &st.LateDeduction, &st.LateInterval, &st.LateFloor, &st.MissingScore, &st.PostPolicy, &scheme,
		&st.WeightedPeriods, &weights)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return nil, domain.Wrap("grading settings", err)
	}
	if err := json.Unmarshal(scheme, &st.Scheme); err != nil {
		return nil, domain.Wrap("grading scheme", err)
	}
	if err := json.Unmarshal(weights, &st.PeriodWeights); err != nil {
		return nil, domain.Wrap("period weights", err)
	}
	return st, nil
}

// SettingsInput is the settings form.
type SettingsInput struct {
	Weighting       string            `json:"weighting"`
	LateDeduction   string            `json:"lateDeduction"`
	LateInterval    string            `json:"lateInterval"`
	LateFloor       string            `json:"lateFloor"`
	MissingScore    string            `json:"missingScore"`
	PostPolicy      string            `json:"postPolicy"`
	Scheme          string            `json:"scheme"` // "A 90, B 80, C 70, D 60, F 0"
	WeightedPeriods bool              `json:"weightedPeriods"`
	PeriodWeights   map[string]string `json:"periodWeights"`
}

func percentField(ve *validate.Errors, field, raw, msg string) *float64 {
	raw = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(raw), "%"))
	if raw == "" {
		return nil
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v < 0 || v > 100 {
		ve.Add(field, msg)
		return nil
	}
	return &v
}

// ParseScheme reads "A 90, B 80, F 0" (or one entry a line) into a scheme,
// highest first. Empty is no scheme.
func ParseScheme(raw string) ([]SchemeEntry, error) {
	out := []SchemeEntry{}
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 {
			return nil, errors.New("write each letter and its lowest percentage, like A 90, B 80, F 0")
		}
		v, err := strconv.ParseFloat(strings.TrimSuffix(f[1], "%"), 64)
		if err != nil || v < 0 || v > 100 || len(f[0]) > 10 {
			return nil, errors.New("each cut-off is a percentage from 0 to 100")
		}
		if seen[strings.ToUpper(f[0])] {
			return nil, errors.New("letter " + f[0] + " appears twice")
		}
		seen[strings.ToUpper(f[0])] = true
		out = append(out, SchemeEntry{Letter: f[0], Min: v})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Min > out[j].Min })
	if len(out) > 0 && out[len(out)-1].Min != 0 {
		return nil, errors.New("the lowest letter must start at 0")
	}
	return out, nil
}

// FormatScheme writes a scheme the way ParseScheme reads it.
func FormatScheme(es []SchemeEntry) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Letter + " " + strconv.FormatFloat(e.Min, 'f', -1, 64)
	}
	return strings.Join(parts, ", ")
}

// SaveSettings validates and stores a section's settings (teachers of the
// section only: the database refuses anyone else).
func SaveSettings(ctx context.Context, s *db.Scope, sectionID string, in SettingsInput) (*Settings, error) {
	var ve validate.Errors
	st := defaults(sectionID)
	switch calc.Weighting(in.Weighting) {
	case calc.ByPoints, "":
	case calc.ByGroupPercent:
		st.Weighting = calc.ByGroupPercent
	default:
		ve.Add("weighting", "Choose points or weighted groups.")
	}
	st.LateDeduction = percentField(&ve, "lateDeduction", in.LateDeduction, "Enter the late deduction as a percentage from 0 to 100.")
	st.LateFloor = percentField(&ve, "lateFloor", in.LateFloor, "Enter the lowest late score as a percentage from 0 to 100.")
	st.MissingScore = percentField(&ve, "missingScore", in.MissingScore, "Enter the missing score as a percentage from 0 to 100.")
	switch in.LateInterval {
	case "", "day":
	case "hour":
		st.LateInterval = "hour"
	default:
		ve.Add("lateInterval", "Choose per day or per hour.")
	}
	switch calc.PostPolicy(in.PostPolicy) {
	case calc.PostManually, "":
	case calc.PostAutomatically:
		st.PostPolicy = calc.PostAutomatically
	default:
		ve.Add("postPolicy", "Choose automatic or manual posting.")
	}
	scheme, err := ParseScheme(in.Scheme)
	if err != nil {
		ve.Add("scheme", "Grading scheme: "+err.Error()+".")
	} else {
		st.Scheme = scheme
	}
	st.WeightedPeriods = in.WeightedPeriods
	for id, raw := range in.PeriodWeights {
		if w := percentField(&ve, "periodWeights", raw, "Enter each period's weight as a percentage from 0 to 100."); w != nil {
			st.PeriodWeights[id] = *w
		}
	}
	if len(ve) > 0 {
		return nil, ve
	}
	schemeJSON, _ := json.Marshal(st.Scheme)
	weightsJSON, _ := json.Marshal(st.PeriodWeights)
	_, err = s.Tx.Exec(ctx, `INSERT INTO grading_settings (section_id, school_id, weighting, late_deduction, late_interval, late_floor,
		missing_score, post_policy, scheme, weighted_periods, period_weights, updated_by, updated_at)
		SELECT $1, school_id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now() FROM sections WHERE id = $1
		ON CONFLICT (section_id) DO UPDATE SET weighting = EXCLUDED.weighting, late_deduction = EXCLUDED.late_deduction,
		  late_interval = EXCLUDED.late_interval, late_floor = EXCLUDED.late_floor, missing_score = EXCLUDED.missing_score,
		  post_policy = EXCLUDED.post_policy, scheme = EXCLUDED.scheme, weighted_periods = EXCLUDED.weighted_periods,
		  period_weights = EXCLUDED.period_weights, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
		sectionID, string(st.Weighting), st.LateDeduction, st.LateInterval, st.LateFloor, st.MissingScore, string(st.PostPolicy),
		schemeJSON, st.WeightedPeriods, weightsJSON, domain.Nullable(s.Actor.UserID))
	if err != nil {
		return nil, domain.Wrap("save grading settings", err)
	}
	return st, nil
}

// calcScheme is the scheme as calc takes it; nil when there are no letters.
func (st *Settings) calcScheme() *calc.Scheme {
	if len(st.Scheme) == 0 {
		return nil
	}
	sc := &calc.Scheme{}
	for _, e := range st.Scheme {
		sc.Entries = append(sc.Entries, calc.SchemeEntry{Letter: e.Letter, MinPercent: rat(e.Min)})
	}
	return sc
}

// latePolicy is the late and missing policy as calc takes it.
func (st *Settings) latePolicy() *calc.LatePolicy {
	if st.LateDeduction == nil && st.MissingScore == nil {
		return nil
	}
	p := &calc.LatePolicy{Interval: 24 * time.Hour}
	if st.LateInterval == "hour" {
		p.Interval = time.Hour
	}
	if st.LateDeduction != nil {
		p.LateDeduction = rat(*st.LateDeduction)
	}
	if st.LateFloor != nil {
		p.FloorPercent = rat(*st.LateFloor)
	}
	if st.MissingScore != nil {
		p.MissingEnabled = true
		p.MissingScorePercent = rat(*st.MissingScore)
	}
	return p
}

// rat is a stored two-decimal number as an exact rational.
func rat(v float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(v, 'f', 2, 64))
	return r
}

// DropRules is a group's drop rules as the settings form sends them.
type DropRules struct {
	Lowest, Highest string
	// NeverDrop are the group's published assignments no drop rule may
	// remove (drafts keep the marks the assignment form gave them).
	NeverDrop []string
}

// SaveDropRules sets a group's drop rules (teachers of its section only)
// and, when they change, records the old and new rules in the audit log:
// they change which scores count.
func SaveDropRules(ctx context.Context, s *db.Scope, sectionID, groupID string, in DropRules, requestID string) error {
	var ve validate.Errors
	count := func(field, raw string) int {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			return 0
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 100 {
			ve.Add(field, "Enter how many scores to drop, from 0 to 100.")
		}
		return n
	}
	lo, hi := count("dropLowest", in.Lowest), count("dropHighest", in.Highest)
	if len(ve) > 0 {
		return ve
	}
	never := slices.Compact(slices.Sorted(slices.Values(in.NeverDrop)))
	if never == nil {
		never = []string{}
	}
	var oldLo, oldHi int
	var oldNever []string
	err := s.Tx.QueryRow(ctx, `SELECT drop_lowest, drop_highest, never_drop::text[] FROM assignment_groups WHERE id = $2 AND section_id = $1`,
		sectionID, groupID).Scan(&oldLo, &oldHi, &oldNever)
	if err != nil {
		return domain.Wrap("drop rules", err)
	}
	if len(oldNever) > 0 {
		// The settings form lists the gradebook's (published) assignments;
		// a draft marked on the assignment form keeps its mark.
		rows, err := s.Tx.Query(ctx, `SELECT id::text FROM assignments WHERE group_id = $1 AND NOT published AND id::text = ANY ($2::text[])`,
			groupID, oldNever)
		if err != nil {
			return domain.Wrap("never-drop drafts", err)
		}
		drafts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return domain.Wrap("never-drop drafts", err)
		}
		if len(drafts) > 0 {
			never = slices.Compact(slices.Sorted(slices.Values(append(never, drafts...))))
		}
	}
	if len(never) > 0 {
		var n int
		err := s.Tx.QueryRow(ctx, `SELECT count(*) FROM assignments WHERE group_id = $1 AND id::text = ANY ($2::text[])`, groupID, never).Scan(&n)
		if err != nil {
			return domain.Wrap("never-drop assignments", err)
		}
		if n != len(never) {
			return validate.Errors{{Field: "neverDrop", Message: "An assignment marked never drop is no longer in its group: reload the page and mark it again."}}
		}
	}
	slices.Sort(oldNever)
	if oldLo == lo && oldHi == hi && slices.Equal(oldNever, never) {
		return nil
	}
	tag, err := s.Tx.Exec(ctx, `UPDATE assignment_groups SET drop_lowest = $3, drop_highest = $4, never_drop = $5::uuid[]
		WHERE id = $2 AND section_id = $1`, sectionID, groupID, lo, hi, never)
	if err != nil {
		return domain.Wrap("save drop rules", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return auditDropRules(ctx, s, sectionID, groupID, [2]int{oldLo, oldHi}, oldNever, [2]int{lo, hi}, never, requestID)
}

// auditDropRules records a change of a group's drop rules, from the
// settings page or an assignment's "never drop", in one shape.
func auditDropRules(ctx context.Context, s *db.Scope, sectionID, groupID string, oldDrops [2]int, oldNever []string, drops [2]int, never []string, requestID string) error {
	return audit.Audit(ctx, s, "group.drop_rules", groupID, map[string]any{
		"section": sectionID,
		"old":     map[string]any{"dropLowest": oldDrops[0], "dropHighest": oldDrops[1], "neverDrop": oldNever},
		"new":     map[string]any{"dropLowest": drops[0], "dropHighest": drops[1], "neverDrop": never},
	}, requestID)
}

// SetNeverDrop marks an assignment never drop in its group, or unmarks it,
// from the assignment form or API: the same never_drop list the group
// settings edit, and the same audit entry when it changes. Call it after
// saving the assignment (its group is read from the database); an
// assignment moved to another group leaves its old group's list.
func SetNeverDrop(ctx context.Context, s *db.Scope, assignmentID string, never bool, requestID string) error {
	var groupID *string
	if err := s.Tx.QueryRow(ctx, `SELECT group_id::text FROM assignments WHERE id = $1`, assignmentID).Scan(&groupID); err != nil {
		return domain.Wrap("never drop", err)
	}
	if never && groupID == nil {
		return validate.Errors{{Field: "neverDrop", Message: "Choose an assignment group: never drop keeps the assignment out of its group's drop rules."}}
	}
	rows, err := s.Tx.Query(ctx, `SELECT id::text, section_id::text, drop_lowest, drop_highest, never_drop::text[] FROM assignment_groups
		WHERE id = $2::uuid OR $1::uuid = ANY (never_drop) ORDER BY id FOR UPDATE`, assignmentID, groupID)
	if err != nil {
		return domain.Wrap("never drop", err)
	}
	type groupRow struct {
		id, section string
		lo, hi      int
		never       []string
	}
	var groups []groupRow
	for rows.Next() {
		var g groupRow
		if err := rows.Scan(&g.id, &g.section, &g.lo, &g.hi, &g.never); err != nil {
			rows.Close()
			return domain.Wrap("never drop", err)
		}
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return domain.Wrap("never drop", err)
	}
	for _, g := range groups {
		old := slices.Sorted(slices.Values(g.never))
		next := slices.DeleteFunc(slices.Clone(old), func(id string) bool { return id == assignmentID })
		if never && groupID != nil && g.id == *groupID {
			next = slices.Sorted(slices.Values(append(next, assignmentID)))
		}
		if next == nil {
			next = []string{}
		}
		if slices.Equal(old, next) {
			continue
		}
		if _, err := s.Tx.Exec(ctx, `UPDATE assignment_groups SET never_drop = $2::uuid[] WHERE id = $1`, g.id, next); err != nil {
			return refusedWrite("never drop", err)
		}
		if err := auditDropRules(ctx, s, g.section, g.id, [2]int{g.lo, g.hi}, old, [2]int{g.lo, g.hi}, next, requestID); err != nil {
			return err
		}
	}
	return nil
}
