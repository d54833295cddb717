// Package rubrics owns rubrics: criteria, each with levels worth points,
// built once by a teacher and reused on any assignment at their school.
// Grading with a rubric fills the score with the points of the levels
// chosen (Score).
package rubrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// Level is one rating of a criterion.
type Level struct {
	Title  string  `json:"title"`
	Points float64 `json:"points"`
}

// Criterion is one thing a rubric rates.
type Criterion struct {
	Title       string  `json:"title"`
	Description string  `json:"description,omitempty"`
	Levels      []Level `json:"levels"`
	// OutcomeID is the outcome (standard) the criterion measures, if any:
	// grading with the rubric records the level's share of the criterion's
	// best level as a result on that outcome.
	OutcomeID string `json:"outcomeId,omitempty"`
}

// MaxPoints is the criterion's best level.
func (c Criterion) MaxPoints() float64 {
	best := 0.0
	for _, l := range c.Levels {
		best = max(best, l.Points)
	}
	return best
}

// Rubric is a teacher's rubric.
type Rubric struct {
	ID       string      `db:"id" json:"id"`
	OwnerID  string      `db:"owner_id" json:"ownerId"`
	Owner    string      `db:"owner" json:"owner"`
	Title    string      `db:"title" json:"title"`
	Criteria []Criterion `db:"criteria" json:"criteria"`
}

// Points is the rubric's total possible.
func (r *Rubric) Points() float64 {
	total := 0.0
	for _, c := range r.Criteria {
		total += c.MaxPoints()
	}
	return total
}

// Score adds the points of the level chosen per criterion (criterion index
// as a string → level index). Every criterion must be rated, with a level
// it has.
func (r *Rubric) Score(levels map[string]int) (float64, error) {
	total := 0.0
	for i, c := range r.Criteria {
		l, ok := levels[strconv.Itoa(i)]
		if !ok {
			return 0, validate.Errors{{Field: "rubric", Message: fmt.Sprintf("Rate %q before using the rubric's score.", c.Title)}}
		}
		if l < 0 || l >= len(c.Levels) {
			return 0, validate.Errors{{Field: "rubric", Message: fmt.Sprintf("%q has no such level.", c.Title)}}
		}
		total += c.Levels[l].Points
	}
	for k := range levels {
		if i, err := strconv.Atoi(k); err != nil || i < 0 || i >= len(r.Criteria) {
			return 0, validate.Errors{{Field: "rubric", Message: "The rubric has changed: reload the page and rate it again."}}
		}
	}
	return total, nil
}

// Input is the rubric builder's form: a title and criteria, each with
// levels as "points title" lines, best first.
type Input struct {
	Title    string           `json:"title"`
	Criteria []InputCriterion `json:"criteria"`
}

// InputCriterion is one criterion as the form sends it.
type InputCriterion struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	// Levels: one per line, "5 Excellent".
	Levels string `json:"levels"`
	// OutcomeID is the outcome the criterion measures ("" for none).
	OutcomeID string `json:"outcomeId"`
}

// Check validates the input; blank criteria rows are skipped.
func (in Input) Check() (string, []Criterion, error) {
	var ve validate.Errors
	title := strings.TrimSpace(in.Title)
	if title == "" || len(title) > 200 {
		ve.Add("title", "Give the rubric a title of at most 200 characters.")
	}
	var out []Criterion
	for i, c := range in.Criteria {
		ct := strings.TrimSpace(c.Title)
		if ct == "" && strings.TrimSpace(c.Levels) == "" {
			continue
		}
		field := fmt.Sprintf("criteria.%d", i)
		if ct == "" {
			ve.Add(field, fmt.Sprintf("Criterion %d needs a title.", i+1))
			continue
		}
		crit := Criterion{Title: ct, Description: strings.TrimSpace(c.Description), OutcomeID: strings.TrimSpace(c.OutcomeID)}
		for _, line := range strings.Split(c.Levels, "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			pts, name, _ := strings.Cut(line, " ")
			p, err := strconv.ParseFloat(pts, 64)
			if err != nil || p < 0 {
				ve.Add(field, fmt.Sprintf("%q: write each level as points then a name, like \"5 Excellent\".", ct))
				break
			}
			name = strings.TrimSpace(name)
			if name == "" {
				name = pts + " points"
			}
			crit.Levels = append(crit.Levels, Level{Title: name, Points: p})
		}
		if len(crit.Levels) == 0 {
			ve.Add(field, fmt.Sprintf("%q needs at least one level.", ct))
		}
		out = append(out, crit)
	}
	if len(out) == 0 {
		ve.Add("criteria", "Add at least one criterion.")
	}
	return title, out, ve.Err()
}

// InputOf is a rubric as the builder shows it, with room for two more criteria.
func InputOf(r *Rubric) Input {
	in := Input{Title: r.Title}
	for _, c := range r.Criteria {
		var lines []string
		for _, l := range c.Levels {
			lines = append(lines, strconv.FormatFloat(l.Points, 'f', -1, 64)+" "+l.Title)
		}
		in.Criteria = append(in.Criteria, InputCriterion{Title: c.Title, Description: c.Description, Levels: strings.Join(lines, "\n"),
			OutcomeID: c.OutcomeID})
	}
	return in.WithBlanks(2)
}

// WithBlanks adds empty criteria rows for the form.
func (in Input) WithBlanks(n int) Input {
	for range n {
		in.Criteria = append(in.Criteria, InputCriterion{})
	}
	return in
}

// Create saves a new rubric owned by the acting teacher.
func Create(ctx context.Context, s *db.Scope, in Input) (*Rubric, error) {
	title, criteria, err := in.Check()
	if err != nil {
		return nil, err
	}
	if err := checkOutcomes(ctx, s, in, criteria, nil); err != nil {
		return nil, err
	}
	data, _ := json.Marshal(criteria)
	var id string
	err = s.Tx.QueryRow(ctx, `INSERT INTO rubrics (school_id, owner_id, title, criteria) VALUES ($1, $2, $3, $4) RETURNING id`,
		s.Actor.SchoolID, s.Actor.UserID, title, data).Scan(&id)
	if err != nil {
		return nil, domain.Wrap("create rubric", err)
	}
	return Get(ctx, s, id)
}

// Update saves the owner's changes (others' rubrics are read-only: row-level security).
func Update(ctx context.Context, s *db.Scope, id string, in Input) (*Rubric, error) {
	title, criteria, err := in.Check()
	if err != nil {
		return nil, err
	}
	data, _ := json.Marshal(criteria)
	old, err := Get(ctx, s, id)
	if err != nil {
		return nil, err
	}
	if err := checkOutcomes(ctx, s, in, criteria, old.Criteria); err != nil {
		return nil, err
	}
	// Which outcome a criterion measures may change after grading (the
	// results are re-recorded below); its title and levels may not.
	if was, _ := json.Marshal(withoutOutcomes(old.Criteria)); !bytes.Equal(was, mustJSON(withoutOutcomes(criteria))) {
		u, err := GetUse(ctx, s, id)
		if err != nil {
			return nil, err
		}
		if u.Graded > 0 {
			return nil, validate.Problem(fmt.Sprintf("This rubric has already rated grades (%d), so its criteria and levels cannot change: those grades would lose their meaning. You can still rename it, or build a new rubric.", u.Graded))
		}
	}
	tag, err := s.Tx.Exec(ctx, `UPDATE rubrics SET title = $2, criteria = $3, updated_at = now() WHERE id = $1`, id, title, data)
	if err != nil {
		return nil, protected("update rubric", err)
	}
	if tag.RowsAffected() == 0 {
		return nil, domain.ErrNotFound
	}
	if !slices.Equal(outcomeIDs(old.Criteria), outcomeIDs(criteria)) {
		// Work already graded with the rubric follows its criteria's outcomes.
		if err := outcomes.RerecordRubric(ctx, s, id); err != nil {
			return nil, err
		}
	}
	return Get(ctx, s, id)
}

// checkOutcomes refuses an outcome a criterion may not measure: one the
// actor cannot see (another section's, or no outcome at all), or an
// archived one newly linked (a criterion keeps the archived outcome it
// already measured). Errors name the form's criterion row.
func checkOutcomes(ctx context.Context, s *db.Scope, in Input, criteria, old []Criterion) error {
	ids := slices.DeleteFunc(outcomeIDs(criteria), func(id string) bool { return id == "" })
	if len(ids) == 0 {
		return nil
	}
	seen, err := outcomes.ByID(ctx, s, ids)
	if err != nil {
		return err
	}
	// Check kept the rows with a title, in order: row[j] is criteria[j]'s row.
	var row []int
	for i, c := range in.Criteria {
		if strings.TrimSpace(c.Title) != "" {
			row = append(row, i)
		}
	}
	var ve validate.Errors
	for j, c := range criteria {
		if c.OutcomeID == "" {
			continue
		}
		field := fmt.Sprintf("criteria.%d", row[j])
		o, ok := seen[c.OutcomeID]
		switch {
		case !ok:
			ve.Add(field, fmt.Sprintf("%q: there is no such outcome, or you cannot use it. Choose one listed for your sections.", c.Title))
		case o.Archived() && (j >= len(old) || old[j].OutcomeID != c.OutcomeID):
			ve.Add(field, fmt.Sprintf("%q: the outcome %q is archived. Restore it before attaching it to more work.", c.Title, o.Title))
		}
	}
	return ve.Err()
}

func outcomeIDs(criteria []Criterion) []string {
	ids := make([]string, len(criteria))
	for i, c := range criteria {
		ids[i] = c.OutcomeID
	}
	return ids
}

func withoutOutcomes(criteria []Criterion) []Criterion {
	out := slices.Clone(criteria)
	for i := range out {
		out[i].OutcomeID = ""
	}
	return out
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// Use is how much a rubric is used, across every section (deleted work
// included): by assignments, and by grades rated with it.
type Use struct {
	Assignments int `json:"assignments"`
	Graded      int `json:"graded"`
}

// GetUse reads a rubric's use (bw_rubric_use counts what the actor's row-level
// security would hide: colleagues' sections, deleted work).
func GetUse(ctx context.Context, s *db.Scope, id string) (Use, error) {
	var u Use
	err := s.Tx.QueryRow(ctx, `SELECT assignments, graded FROM bw_rubric_use($1)`, id).Scan(&u.Assignments, &u.Graded)
	return u, domain.Wrap("rubric use", err)
}

// Delete removes a rubric the actor owns that no assignment uses.
func Delete(ctx context.Context, s *db.Scope, id string) error {
	r, err := Get(ctx, s, id)
	if err != nil {
		return err
	}
	if r.OwnerID != s.Actor.UserID {
		return fmt.Errorf("delete rubric: %w", db.ErrForbidden)
	}
	u, err := GetUse(ctx, s, id)
	if err != nil {
		return err
	}
	if u.Assignments > 0 {
		return validate.Problem(fmt.Sprintf("Assignments use this rubric (%d), so it cannot be deleted. Choose another rubric on them first, or keep it.", u.Assignments))
	}
	tag, err := s.Tx.Exec(ctx, `DELETE FROM rubrics WHERE id = $1`, id)
	if err != nil {
		return protected("delete rubric", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// protected turns the database's refusal to change a used rubric (a
// trigger, when a colleague started using it meanwhile) into a message.
func protected(what string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23001" {
		return validate.Problem("This rubric is in use, so it cannot be changed that way. Reload the page to see why.")
	}
	return domain.Wrap(what, err)
}

const rubricSelect = `SELECT r.id, r.owner_id, coalesce(u.display_name, '') AS owner, r.title, r.criteria
	FROM rubrics r LEFT JOIN users u ON u.id = r.owner_id`

// Get reads a rubric the actor may see.
func Get(ctx context.Context, s *db.Scope, id string) (*Rubric, error) {
	rows, err := s.Tx.Query(ctx, rubricSelect+` WHERE r.id = $1`, id)
	if err != nil {
		return nil, domain.Wrap("get rubric", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Rubric])
	return r, domain.Wrap("get rubric", err)
}

// List lists the rubrics the actor may reuse: their own and their school's.
func List(ctx context.Context, s *db.Scope) ([]Rubric, error) {
	rows, err := s.Tx.Query(ctx, rubricSelect+` ORDER BY r.owner_id = $1 DESC, r.title`, s.Actor.UserID)
	if err != nil {
		return nil, domain.Wrap("list rubrics", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Rubric])
	return out, domain.Wrap("list rubrics", err)
}
