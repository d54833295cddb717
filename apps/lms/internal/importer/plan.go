package importer

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// ErrProblems is returned (wrapped, together with the plan) by Apply when
// the plan has problems; nothing is written then.
var ErrProblems = errors.New("the import has problems to fix")

// The kinds of rows a plan counts, in the order Apply writes them.
const (
	EntityTerm         = "term"
	EntityCourse       = "course"
	EntitySection      = "section"
	EntityUser         = "user"
	EntityMembership   = "membership"
	EntityEnrollment   = "enrollment"
	EntityGuardianLink = "guardian_link"
)

// Entities lists the keys of Plan.Counts in display order.
var Entities = []string{EntityTerm, EntityCourse, EntitySection, EntityUser, EntityMembership, EntityEnrollment, EntityGuardianLink}

// The actions of an Item.
const (
	ActionCreate     = "create"
	ActionUpdate     = "update"
	ActionDeactivate = "deactivate"
	ActionDelete     = "delete"
)

// maxItems bounds Plan.Items: the preview page shows a sample, the counts
// are complete.
const maxItems = 500

// maxProblems bounds Plan.Problems, as the parsers do.
const maxProblems = 1000

// Change counts one kind of row.
type Change struct {
	Create     int `json:"create"`
	Update     int `json:"update"`
	Deactivate int `json:"deactivate"`
	Delete     int `json:"delete"`
	Unchanged  int `json:"unchanged"`
}

// Writes is the number of rows of this kind Apply writes.
func (c *Change) Writes() int { return c.Create + c.Update + c.Deactivate + c.Delete }

// Item is one change, for the preview page, e.g.
// {"user", "create", "Mary Archer <mary.archer@studentgps.org>", "student at Grand Bend High School"}.
type Item struct {
	Entity string `json:"entity"`
	Action string `json:"action"`
	Name   string `json:"name"`
	Detail string `json:"detail"`
}

// Plan is what an import will change, or changed.
type Plan struct {
	// Counts has one entry for each of Entities.
	Counts map[string]*Change `json:"counts"`
	// Items are the first 500 changes (never unchanged rows), in file order.
	Items []Item `json:"items"`
	// Notes are sentences for the admin about what the import skips or
	// cannot do, such as "Demographics are checked but not stored."
	Notes []string `json:"notes"`
	// Problems are found while matching the upload to the database; Apply
	// refuses while there are any.
	Problems []roster.Problem `json:"problems"`
	// Files accounts for every row of each file (OneRoster bundles).
	Files []FileTally `json:"files,omitempty"`

	problemsOmitted int
	fileOrder       []string
	skips           map[string]map[int]string
}

func newPlan(fileOrder ...string) *Plan {
	p := &Plan{Counts: make(map[string]*Change, len(Entities)), fileOrder: fileOrder}
	for _, e := range Entities {
		p.Counts[e] = &Change{}
	}
	return p
}

// Empty reports whether applying the plan would write nothing.
func (p *Plan) Empty() bool { return p.Total() == 0 }

// Total is the number of rows Apply writes (for a progress bar).
func (p *Plan) Total() int {
	n := 0
	for _, c := range p.Counts {
		n += c.Writes()
	}
	return n
}

// change counts a row Apply writes and lists it while there is room.
func (p *Plan) change(entity, action, name, detail string) {
	c := p.Counts[entity]
	switch action {
	case ActionCreate:
		c.Create++
	case ActionUpdate:
		c.Update++
	case ActionDeactivate:
		c.Deactivate++
	case ActionDelete:
		c.Delete++
	default:
		panic("importer: unknown action " + action)
	}
	if len(p.Items) < maxItems {
		p.Items = append(p.Items, Item{Entity: entity, Action: action, Name: name, Detail: detail})
	}
}

// unchanged counts a row that already matches the upload.
func (p *Plan) unchanged(entity string) { p.Counts[entity].Unchanged++ }

func (p *Plan) problem(file string, line int, field, format string, args ...any) {
	if len(p.Problems) >= maxProblems {
		p.problemsOmitted++
		return
	}
	p.Problems = append(p.Problems, roster.Problem{File: file, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// warn records something imported anyway, for the preview and problems.csv.
func (p *Plan) warn(file string, line int, field, format string, args ...any) {
	if len(p.Problems) >= maxProblems {
		p.problemsOmitted++
		return
	}
	p.Problems = append(p.Problems, roster.Problem{File: file, Line: line, Field: field, Reason: fmt.Sprintf(format, args...), Warning: true})
}

// addWarnings takes the parser's problems and warnings into the plan, in
// file order.
func (p *Plan) addWarnings(problems []roster.Problem) {
	p.Problems = append(p.Problems, problems...)
	p.finish()
}

// Blocked reports whether the plan has problems that refuse applying.
func (p *Plan) Blocked() bool { return roster.Blocking(p.Problems) }

func (p *Plan) note(format string, args ...any) {
	p.Notes = append(p.Notes, fmt.Sprintf(format, args...))
}

// finish orders the problems by file and line and says how many were left out.
func (p *Plan) finish() {
	rank := func(file string) int {
		if i := slices.Index(p.fileOrder, file); i >= 0 {
			return i
		}
		return len(p.fileOrder)
	}
	slices.SortStableFunc(p.Problems, func(a, b roster.Problem) int {
		return cmp.Or(cmp.Compare(rank(a.File), rank(b.File)), cmp.Compare(a.Line, b.Line))
	})
	if p.problemsOmitted > 0 {
		p.Problems = append(p.Problems, roster.Problem{
			Reason: fmt.Sprintf("%d more problems were not listed; fix the ones above and upload again to see the rest", p.problemsOmitted),
		})
		p.problemsOmitted = 0
	}
}
