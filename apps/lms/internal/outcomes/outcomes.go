package outcomes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// Rating is one step of an outcome's scale.
type Rating struct {
	Description string  `json:"description"`
	Points      float64 `json:"points"`
}

// Outcome is a standard: district-wide (SectionID nil) or a section's own.
type Outcome struct {
	ID             string             `db:"id" json:"id"`
	SectionID      *string            `db:"section_id" json:"sectionId,omitempty"`
	SectionTitle   string             `db:"section_title" json:"sectionTitle,omitempty"`
	Title          string             `db:"title" json:"title"`
	Description    string             `db:"description" json:"description"`
	Scale          []Rating           `db:"scale" json:"scale"`
	PointsPossible float64            `db:"points_possible" json:"pointsPossible"`
	MasteryPoints  float64            `db:"mastery_points" json:"masteryPoints"`
	Method         calc.MasteryMethod `db:"method" json:"method"`
	CalculationInt *int               `db:"calculation_int" json:"calculationInt,omitempty"`
	// ArchivedAt is set while the outcome is archived: kept with its
	// attachments, results and trail, no longer offered for new attachments.
	ArchivedAt *time.Time `db:"archived_at" json:"archivedAt,omitempty"`
}

// Archived reports whether the outcome is archived.
func (o *Outcome) Archived() bool { return o.ArchivedAt != nil }

// Mastery is the mastery points as a person reads them ("3", "2.5").
func (o *Outcome) Mastery() string { return strconv.FormatFloat(o.MasteryPoints, 'f', -1, 64) }

// Possible is the best rating's points as a person reads them.
func (o *Outcome) Possible() string { return strconv.FormatFloat(o.PointsPossible, 'f', -1, 64) }

// String is the rating as a person reads it: "3 Mastery".
func (r Rating) String() string {
	return strings.TrimSpace(strconv.FormatFloat(r.Points, 'f', -1, 64) + " " + r.Description)
}

// District reports whether the outcome is the district's (not a section's).
func (o *Outcome) District() bool { return o.SectionID == nil }

// MethodLabel says the calculation method in words.
func (o *Outcome) MethodLabel() string {
	n := 0
	if o.CalculationInt != nil {
		n = *o.CalculationInt
	}
	switch o.Method {
	case calc.DecayingAverage:
		return fmt.Sprintf("Decaying average (latest %d%%)", n)
	case calc.NMastery:
		return fmt.Sprintf("n mastery (n = %d)", n)
	case calc.Latest:
		return "Latest score"
	case calc.Highest:
		return "Highest score"
	case calc.Average:
		return "Average"
	}
	return string(o.Method)
}

// Calc is the outcome as grading/calc takes it.
func (o *Outcome) Calc() calc.Outcome {
	c := calc.Outcome{ID: o.ID, Method: o.Method, MasteryPoints: rat(o.MasteryPoints), PointsPossible: rat(o.PointsPossible)}
	if o.CalculationInt != nil {
		c.CalculationInt = *o.CalculationInt
	}
	return c
}

const outcomeSelect = `SELECT o.id, o.section_id, coalesce(s.title, '') AS section_title, o.title, o.description, o.scale,
	o.points_possible::float8 AS points_possible, o.mastery_points::float8 AS mastery_points, o.method, o.calculation_int,
	o.archived_at FROM outcomes o LEFT JOIN sections s ON s.id = o.section_id`

// ForSection lists the outcomes a section measures: the district's and its
// own, district first, then by title.
func ForSection(ctx context.Context, s *db.Scope, sectionID string) ([]Outcome, error) {
	rows, err := s.Tx.Query(ctx, outcomeSelect+` WHERE o.section_id IS NULL OR o.section_id = $1
		ORDER BY o.section_id NULLS FIRST, o.title, o.id`, sectionID)
	if err != nil {
		return nil, domain.Wrap("section outcomes", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Outcome])
	return out, domain.Wrap("section outcomes", err)
}

// Visible lists every outcome the actor sees (the district's and those of
// their sections), for attaching to rubric criteria.
func Visible(ctx context.Context, s *db.Scope) ([]Outcome, error) {
	rows, err := s.Tx.Query(ctx, outcomeSelect+` ORDER BY o.section_id NULLS FIRST, s.title, o.title, o.id`)
	if err != nil {
		return nil, domain.Wrap("outcomes", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Outcome])
	return out, domain.Wrap("outcomes", err)
}

// District lists the district's outcomes, those in use first, then the
// archived ones, each by title.
func District(ctx context.Context, s *db.Scope) ([]Outcome, error) {
	rows, err := s.Tx.Query(ctx, outcomeSelect+` WHERE o.section_id IS NULL ORDER BY o.archived_at IS NOT NULL, o.title, o.id`)
	if err != nil {
		return nil, domain.Wrap("district outcomes", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Outcome])
	return out, domain.Wrap("district outcomes", err)
}

// Get reads one outcome the actor sees.
func Get(ctx context.Context, s *db.Scope, id string) (*Outcome, error) {
	rows, err := s.Tx.Query(ctx, outcomeSelect+` WHERE o.id = $1`, id)
	if err != nil {
		return nil, domain.Wrap("get outcome", err)
	}
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Outcome])
	return o, domain.Wrap("get outcome", err)
}

// ByID reads the outcomes among ids that the actor sees (row-level
// security decides), keyed by id; an id it cannot see, or not a UUID at
// all, is simply absent.
func ByID(ctx context.Context, s *db.Scope, ids []string) (map[string]*Outcome, error) {
	rows, err := s.Tx.Query(ctx, outcomeSelect+` WHERE o.id::text = ANY ($1::text[])`, ids)
	if err != nil {
		return nil, domain.Wrap("outcomes by id", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Outcome])
	if err != nil {
		return nil, domain.Wrap("outcomes by id", err)
	}
	out := make(map[string]*Outcome, len(list))
	for _, o := range list {
		out[o.ID] = o
	}
	return out, nil
}

// Input is the outcome form.
type Input struct {
	Title          string `json:"title"`
	Description    string `json:"description"`
	Scale          string `json:"scale"` // one rating a line: "4 Exceeds"
	MasteryPoints  string `json:"masteryPoints"`
	Method         string `json:"method"`
	CalculationInt string `json:"calculationInt"`
	Reason         string `json:"reason"`
}

// DefaultScale is the four-step scale offered on a new outcome.
const DefaultScale = "4 Exceeds mastery\n3 Mastery\n2 Near mastery\n1 Well below mastery"

// NewInput is a new outcome's form as first shown: the default scale,
// mastery at 3, a decaying average weighting the latest score 65%.
func NewInput() Input {
	return Input{Scale: DefaultScale, MasteryPoints: "3", Method: string(calc.DecayingAverage), CalculationInt: "65"}
}

// MethodChoice is one calculation method as the outcome forms offer it.
type MethodChoice struct {
	Value calc.MasteryMethod
	Label string
	Hint  string
}

// Methods are the calculation methods, as every outcome form offers them.
var Methods = []MethodChoice{
	{calc.DecayingAverage, "Decaying average", "The latest score weighs the percentage below; the average of the earlier ones the rest."},
	{calc.NMastery, "n mastery", "The average of the scores at or above mastery, once there are n of them."},
	{calc.Latest, "Latest score", "The most recent score."},
	{calc.Highest, "Highest score", "The best score."},
	{calc.Average, "Average", "The mean of every score."},
}

// InputOf is an outcome as its form shows it.
func InputOf(o *Outcome) Input {
	lines := make([]string, len(o.Scale))
	for i, r := range o.Scale {
		lines[i] = strconv.FormatFloat(r.Points, 'f', -1, 64) + " " + r.Description
	}
	in := Input{Title: o.Title, Description: o.Description, Scale: strings.Join(lines, "\n"),
		MasteryPoints: strconv.FormatFloat(o.MasteryPoints, 'f', -1, 64), Method: string(o.Method)}
	if o.CalculationInt != nil {
		in.CalculationInt = strconv.Itoa(*o.CalculationInt)
	}
	return in
}

// checked is a validated outcome input.
type checked struct {
	title, description string
	scale              []Rating
	possible, mastery  float64
	method             calc.MasteryMethod
	calcInt            *int
}

// Check validates the form: a title, a scale of at least two ratings (its
// best is the points possible), mastery points on the scale's range, and a
// method with its number where it needs one.
func (in Input) check() (*checked, error) {
	var ve validate.Errors
	c := &checked{title: strings.TrimSpace(in.Title), description: strings.TrimSpace(in.Description)}
	if c.title == "" || len(c.title) > 200 {
		ve.Add("title", "Give the outcome a title of at most 200 characters.")
	}
	if len(c.description) > 2000 {
		ve.Add("description", "Keep the description under 2,000 characters.")
	}
	for _, line := range strings.Split(in.Scale, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		pts, name, _ := strings.Cut(line, " ")
		p, err := strconv.ParseFloat(pts, 64)
		if err != nil || p < 0 || p > 1000 || math.IsNaN(p) {
			ve.Add("scale", "Write each rating as points then a name, like \"3 Mastery\".")
			break
		}
		c.scale = append(c.scale, Rating{Description: strings.TrimSpace(name), Points: p})
		c.possible = max(c.possible, p)
	}
	if len(c.scale) < 2 && ve.For("scale") == "" {
		ve.Add("scale", "Give the scale at least two ratings.")
	}
	if c.possible <= 0 && ve.For("scale") == "" {
		ve.Add("scale", "The best rating must be worth more than 0 points.")
	}
	m, err := strconv.ParseFloat(strings.TrimSpace(in.MasteryPoints), 64)
	if err != nil || m < 0 || (c.possible > 0 && m > c.possible) {
		ve.Add("masteryPoints", "Enter the mastery points: a number from 0 to the best rating's points.")
	}
	c.mastery = m
	c.method = calc.MasteryMethod(in.Method)
	n, nerr := strconv.Atoi(strings.TrimSpace(in.CalculationInt))
	switch c.method {
	case calc.DecayingAverage:
		if nerr != nil || n < 1 || n > 99 {
			ve.Add("calculationInt", "For a decaying average, weight the latest score from 1 to 99 percent.")
		}
		c.calcInt = &n
	case calc.NMastery:
		if nerr != nil || n < 1 || n > 10 {
			ve.Add("calculationInt", "For n mastery, enter how many scores at mastery are needed, from 1 to 10.")
		}
		c.calcInt = &n
	case calc.Latest, calc.Highest, calc.Average:
	default:
		ve.Add("method", "Choose a calculation method.")
	}
	if len(in.Reason) > 500 {
		ve.Add("reason", "Keep the reason under 500 characters.")
	}
	return c, ve.Err()
}

func setReason(ctx context.Context, s *db.Scope, reason string) error {
	_, err := s.Tx.Exec(ctx, `SELECT set_config('bw.grade_reason', $1, true)`, strings.TrimSpace(reason))
	return domain.Wrap("outcome reason", err)
}

// Create adds an outcome to a section (sectionID "": the district's, which
// only district admins may add: the database refuses anyone else).
func Create(ctx context.Context, s *db.Scope, sectionID string, in Input) (*Outcome, error) {
	c, err := in.check()
	if err != nil {
		return nil, err
	}
	if err := setReason(ctx, s, in.Reason); err != nil {
		return nil, err
	}
	scale, _ := json.Marshal(c.scale)
	var id string
	err = s.Tx.QueryRow(ctx, `INSERT INTO outcomes (section_id, school_id, title, description, scale, points_possible, mastery_points,
		method, calculation_int, created_by)
		VALUES ($1, (SELECT school_id FROM sections WHERE id = $1), $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		domain.Nullable(sectionID), c.title, c.description, scale, c.possible, c.mastery, string(c.method), c.calcInt,
		domain.Nullable(s.Actor.UserID)).Scan(&id)
	if err != nil {
		return nil, refused("create outcome", err)
	}
	return Get(ctx, s, id)
}

// Update changes an outcome; the database appends the change, with the
// reason, to outcome_audit.
func Update(ctx context.Context, s *db.Scope, id string, in Input) (*Outcome, error) {
	c, err := in.check()
	if err != nil {
		return nil, err
	}
	if _, err := Writable(ctx, s, id); err != nil {
		return nil, err
	}
	if err := setReason(ctx, s, in.Reason); err != nil {
		return nil, err
	}
	scale, _ := json.Marshal(c.scale)
	tag, err := s.Tx.Exec(ctx, `UPDATE outcomes SET title = $2, description = $3, scale = $4, points_possible = $5, mastery_points = $6,
		method = $7, calculation_int = $8, updated_at = now() WHERE id = $1`,
		id, c.title, c.description, scale, c.possible, c.mastery, string(c.method), c.calcInt)
	if err != nil {
		return nil, refused("update outcome", err)
	}
	if tag.RowsAffected() == 0 {
		return nil, domain.ErrNotFound
	}
	return Get(ctx, s, id)
}

// Writable reads an outcome the actor may change: a district outcome only
// a district admin, a section's its teachers (row-level security hides
// others' sections' outcomes, which read as not found). The database
// enforces the same; this says "forbidden" instead of "nothing changed".
func Writable(ctx context.Context, s *db.Scope, id string) (*Outcome, error) {
	o, err := Get(ctx, s, id)
	if err != nil {
		return nil, err
	}
	if o.District() && s.Actor.Role != db.DistrictAdmin {
		return nil, fmt.Errorf("change outcome: %w", db.ErrForbidden)
	}
	if !o.District() && s.Actor.Role != db.Teacher && s.Actor.Role != db.DistrictAdmin {
		return nil, fmt.Errorf("change outcome: %w", db.ErrForbidden)
	}
	return o, nil
}

// Archive sets an outcome aside: it keeps its attachments, its results and
// its trail (nothing saved is lost), and is no longer offered for new
// attachments. Restore takes it back. The database records either in
// outcome_audit with the reason. Archiving an archived outcome changes
// nothing.
func Archive(ctx context.Context, s *db.Scope, id, reason string) (*Outcome, error) {
	return SetArchived(ctx, s, id, reason, true)
}

// Restore brings an archived outcome back into use.
func Restore(ctx context.Context, s *db.Scope, id, reason string) (*Outcome, error) {
	return SetArchived(ctx, s, id, reason, false)
}

// SetArchived is Archive when archived is true, Restore when false: for
// the pages whose one handler serves both buttons.
func SetArchived(ctx context.Context, s *db.Scope, id, reason string, archived bool) (*Outcome, error) {
	if len(reason) > 500 {
		return nil, validate.Errors{{Field: "reason", Message: "Keep the reason under 500 characters."}}
	}
	o, err := Writable(ctx, s, id)
	if err != nil || o.Archived() == archived {
		return o, err
	}
	if err := setReason(ctx, s, reason); err != nil {
		return nil, err
	}
	set := "NULL"
	if archived {
		set = "now()"
	}
	if _, err := s.Tx.Exec(ctx, `UPDATE outcomes SET archived_at = `+set+`, updated_at = now() WHERE id = $1`, id); err != nil {
		return nil, refused("archive outcome", err)
	}
	return Get(ctx, s, id)
}

// refused turns a row-level-security refusal into db.ErrForbidden.
func refused(what string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return fmt.Errorf("%s: %w", what, db.ErrForbidden)
	}
	return domain.Wrap(what, err)
}

// rat is a stored two-decimal number as an exact rational.
func rat(v float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(v, 'f', 2, 64))
	return r
}
