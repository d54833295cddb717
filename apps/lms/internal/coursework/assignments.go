package coursework

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// GradingType is how an assignment is graded.
type GradingType string

// Grading types.
const (
	Points             GradingType = "points"
	CompleteIncomplete GradingType = "complete_incomplete"
	Letter             GradingType = "letter"
	NotGraded          GradingType = "not_graded"
)

// GradingTypes lists them with their labels, in the form's order.
var GradingTypes = []struct {
	Value GradingType
	Label string
}{{Points, "Points"}, {CompleteIncomplete, "Complete / incomplete"}, {Letter, "Letter grade"}, {NotGraded, "Not graded"}}

// SubmissionKinds are the ways a student may hand work in.
var SubmissionKinds = []string{"text", "file", "link"}

// Assignment is a piece of work posted to one or more sections.
type Assignment struct {
	ID               string      `db:"id" json:"id"`
	SchoolID         string      `db:"school_id" json:"schoolId"`
	SectionIDs       []string    `db:"section_ids" json:"sectionIds"`
	GroupID          *string     `db:"group_id" json:"groupId,omitempty"`
	NeverDrop        bool        `db:"never_drop" json:"neverDrop"` // in its group's never_drop, as the grading settings set it
	RubricID         *string     `db:"rubric_id" json:"rubricId,omitempty"`
	Title            string      `db:"title" json:"title"`
	InstructionsHTML string      `db:"instructions_html" json:"instructionsHtml"`
	GradingType      GradingType `db:"grading_type" json:"gradingType"`
	PointsPossible   *float64    `db:"points_possible" json:"pointsPossible,omitempty"`
	SubmissionTypes  []string    `db:"submission_types" json:"submissionTypes"`
	DueAt            *time.Time  `db:"due_at" json:"dueAt,omitempty"`
	UnlockAt         *time.Time  `db:"unlock_at" json:"unlockAt,omitempty"`
	LockAt           *time.Time  `db:"lock_at" json:"lockAt,omitempty"`
	Published        bool        `db:"published" json:"published"`
	OmitFromFinal    bool        `db:"omit_from_final" json:"omitFromFinal"`
	TimeZone         string      `db:"time_zone" json:"timeZone"`
	// LockedForUser: the caller is a student or guardian and the work has
	// not opened yet, so its instructions, files and rubric are withheld
	// (InstructionsHTML is empty); LockExplanation says when it opens.
	LockedForUser   bool   `db:"-" json:"lockedForUser"`
	LockExplanation string `db:"-" json:"lockExplanation,omitempty"`
	// BeforeUnlock is whether unlock_at is still ahead (database clock).
	BeforeUnlock bool `db:"before_unlock" json:"-"`
}

// Accepts reports whether students may hand work in this way.
func (a *Assignment) Accepts(kind string) bool { return slices.Contains(a.SubmissionTypes, kind) }

// ExpectsSubmission is whether the work is handed in online and graded, so
// that not handing it in by the due date makes it missing.
func (a *Assignment) ExpectsSubmission() bool {
	return len(a.SubmissionTypes) > 0 && a.GradingType != NotGraded
}

// Open reports whether submissions are accepted at now.
func (a *Assignment) Open(now time.Time) bool {
	return a.Published && (a.UnlockAt == nil || !now.Before(*a.UnlockAt)) && (a.LockAt == nil || now.Before(*a.LockAt))
}

// Due is the due date a section shows (its override, if any), for lists.
func (a *Assignment) ShowDue() string { return ShowLocal(a.DueAt, a.TimeZone) }

const assignmentSelect = `SELECT a.id, a.school_id, a.section_ids::text[] AS section_ids, a.group_id, a.rubric_id, a.title, a.instructions_html,
	coalesce((SELECT a.id = ANY (g.never_drop) FROM assignment_groups g WHERE g.id = a.group_id), false) AS never_drop,
	a.grading_type, a.points_possible::float8 AS points_possible, a.submission_types, a.due_at, a.unlock_at, a.lock_at,
	a.published, a.omit_from_final, sc.time_zone, (a.unlock_at IS NOT NULL AND a.unlock_at > now()) AS before_unlock
	FROM assignments a JOIN schools sc ON sc.id = a.school_id`

// AssignmentInput is a teacher's form (or JSON body) for an assignment.
// Times are wall-clock values in the school's time zone.
type AssignmentInput struct {
	Title           string   `json:"title"`
	Instructions    string   `json:"instructions"`
	GradingType     string   `json:"gradingType"`
	PointsPossible  string   `json:"pointsPossible"`
	GroupID         string   `json:"groupId"`
	RubricID        string   `json:"rubricId"`
	SectionIDs      []string `json:"sectionIds"`
	SubmissionTypes []string `json:"submissionTypes"`
	Due             string   `json:"due"`
	Unlock          string   `json:"unlock"`
	Lock            string   `json:"lock"`
	OmitFromFinal   bool     `json:"omitFromFinal"`
	// NeverDrop keeps the assignment out of its group's drop rules; it
	// needs a group. grading.SetNeverDrop stores it with the group.
	NeverDrop bool `json:"neverDrop"`
}

// assignmentValues is a checked input, ready for SQL.
type assignmentValues struct {
	title, instructions string
	gradingType         GradingType
	points              *float64
	group, rubric       any
	sections, kinds     []string
	due, unlock, lock   *time.Time
	omit                bool
}

// Check validates the input, reading times in the school's zone.
func (in AssignmentInput) Check(zone string) (assignmentValues, error) {
	var ve validate.Errors
	v := assignmentValues{title: strings.TrimSpace(in.Title), instructions: SanitizeInstructions(in.Instructions),
		group: domain.Nullable(in.GroupID), rubric: domain.Nullable(in.RubricID), omit: in.OmitFromFinal}
	if in.NeverDrop && strings.TrimSpace(in.GroupID) == "" {
		ve.Add("neverDrop", "Choose an assignment group: never drop keeps the assignment out of its group's drop rules.")
	}
	if v.title == "" {
		ve.Add("title", "Give the assignment a title.")
	} else if len(v.title) > 200 {
		ve.Add("title", "Keep the title under 200 characters.")
	}
	v.gradingType = GradingType(in.GradingType)
	if !slices.ContainsFunc(GradingTypes, func(g struct {
		Value GradingType
		Label string
	}) bool {
		return g.Value == v.gradingType
	}) {
		ve.Add("gradingType", "Choose how the assignment is graded.")
	}
	switch v.gradingType {
	case Points, Letter:
		p, err := strconv.ParseFloat(strings.TrimSpace(in.PointsPossible), 64)
		if err != nil || p < 0 || p > 100000 {
			ve.Add("pointsPossible", "Enter the points possible as a number, 0 or more.")
		} else {
			v.points = &p
		}
	case CompleteIncomplete:
		one := 1.0
		if p, err := strconv.ParseFloat(strings.TrimSpace(in.PointsPossible), 64); err == nil && p >= 0 {
			one = p
		}
		v.points = &one
	}
	for _, s := range in.SectionIDs {
		if s != "" && !slices.Contains(v.sections, s) {
			v.sections = append(v.sections, s)
		}
	}
	if len(v.sections) == 0 {
		ve.Add("sectionIds", "Post the assignment to at least one section.")
	}
	for _, k := range in.SubmissionTypes {
		if !slices.Contains(SubmissionKinds, k) {
			ve.Add("submissionTypes", "Submission types are text, file and link.")
		} else if !slices.Contains(v.kinds, k) {
			v.kinds = append(v.kinds, k)
		}
	}
	if v.kinds == nil {
		v.kinds = []string{}
	}
	var err error
	if v.due, err = ParseLocal(in.Due, zone); err != nil {
		ve.Add("due", "Enter the due date as a date and time.")
	}
	if v.unlock, err = ParseLocal(in.Unlock, zone); err != nil {
		ve.Add("unlock", "Enter when the assignment opens as a date and time.")
	}
	if v.lock, err = ParseLocal(in.Lock, zone); err != nil {
		ve.Add("lock", "Enter when the assignment closes as a date and time.")
	}
	if v.unlock != nil && v.lock != nil && !v.unlock.Before(*v.lock) {
		ve.Add("lock", "The assignment must close after it opens.")
	}
	if v.due != nil && v.lock != nil && v.lock.Before(*v.due) {
		ve.Add("lock", "The assignment closes before it is due: students could not hand it in on time.")
	}
	return v, ve.Err()
}

// The messages for a group or rubric that does not belong with the
// assignment: checkRefs says them first, and refused maps the database's
// refusal (migration 00029) to them.
const (
	groupElsewhere  = "Choose a group of one of the sections the assignment is posted to."
	rubricElsewhere = "Choose one of your school's rubrics."
)

// checkRefs refuses a group that is not a group of one of the
// assignment's sections and a rubric that is not one of its school's, as
// the database does; both are read as the actor, so one the actor may not
// see is refused too.
func checkRefs(ctx context.Context, s *db.Scope, v assignmentValues, schoolID string) error {
	var ve validate.Errors
	if v.group != nil {
		var ok bool
		err := s.Tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assignment_groups WHERE id::text = $1 AND section_id::text = ANY ($2::text[]))`,
			v.group, v.sections).Scan(&ok)
		if err != nil {
			return domain.Wrap("check assignment group", err)
		}
		if !ok {
			ve.Add("groupId", groupElsewhere)
		}
	}
	if v.rubric != nil {
		var ok bool
		err := s.Tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM rubrics WHERE id::text = $1 AND school_id::text = $2)`,
			v.rubric, schoolID).Scan(&ok)
		if err != nil {
			return domain.Wrap("check rubric", err)
		}
		if !ok {
			ve.Add("rubricId", rubricElsewhere)
		}
	}
	return ve.Err()
}

// InputOf is an assignment as its edit form shows it.
func InputOf(a *Assignment) AssignmentInput {
	in := AssignmentInput{Title: a.Title, Instructions: a.InstructionsHTML, GradingType: string(a.GradingType),
		SectionIDs: a.SectionIDs, SubmissionTypes: a.SubmissionTypes, OmitFromFinal: a.OmitFromFinal, NeverDrop: a.NeverDrop,
		Due: FormatLocal(a.DueAt, a.TimeZone), Unlock: FormatLocal(a.UnlockAt, a.TimeZone), Lock: FormatLocal(a.LockAt, a.TimeZone)}
	if a.PointsPossible != nil {
		in.PointsPossible = strconv.FormatFloat(*a.PointsPossible, 'f', -1, 64)
	}
	in.GroupID = domain.DerefOr(a.GroupID)
	in.RubricID = domain.DerefOr(a.RubricID)
	return in
}

// CreateAssignment adds an unpublished assignment at the acting teacher's
// school; row-level security refuses sections the teacher does not teach.
func CreateAssignment(ctx context.Context, s *db.Scope, in AssignmentInput) (*Assignment, error) {
	zone, err := schoolZone(ctx, s, s.Actor.SchoolID)
	if err != nil {
		return nil, err
	}
	v, err := in.Check(zone)
	if err != nil {
		return nil, err
	}
	if err := checkRefs(ctx, s, v, s.Actor.SchoolID); err != nil {
		return nil, err
	}
	var id string
	err = s.Tx.QueryRow(ctx, `INSERT INTO assignments (school_id, section_ids, group_id, rubric_id, title, instructions_html,
		grading_type, points_possible, submission_types, due_at, unlock_at, lock_at, omit_from_final, created_by)
		VALUES ($1, $2::uuid[], $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		s.Actor.SchoolID, v.sections, v.group, v.rubric, v.title, v.instructions, string(v.gradingType), v.points, v.kinds,
		v.due, v.unlock, v.lock, v.omit, domain.Nullable(s.Actor.UserID)).Scan(&id)
	if err != nil {
		return nil, refused("create assignment", err)
	}
	return GetAssignment(ctx, s, id)
}

// UpdateAssignment saves a teacher's changes.
func UpdateAssignment(ctx context.Context, s *db.Scope, id string, in AssignmentInput) (*Assignment, error) {
	a, err := GetAssignment(ctx, s, id)
	if err != nil {
		return nil, err
	}
	v, err := in.Check(a.TimeZone)
	if err != nil {
		return nil, err
	}
	if err := checkRefs(ctx, s, v, a.SchoolID); err != nil {
		return nil, err
	}
	tag, err := s.Tx.Exec(ctx, `UPDATE assignments SET section_ids = $2::uuid[], group_id = $3, rubric_id = $4, title = $5,
		instructions_html = $6, grading_type = $7, points_possible = $8, submission_types = $9, due_at = $10, unlock_at = $11,
		lock_at = $12, omit_from_final = $13, updated_at = now() WHERE id = $1`,
		id, v.sections, v.group, v.rubric, v.title, v.instructions, string(v.gradingType), v.points, v.kinds, v.due, v.unlock, v.lock, v.omit)
	if err != nil {
		return nil, refused("update assignment", err)
	}
	if tag.RowsAffected() == 0 {
		return nil, domain.ErrNotFound
	}
	return GetAssignment(ctx, s, id)
}

// SetPublished publishes (students see it) or unpublishes an assignment.
func SetPublished(ctx context.Context, s *db.Scope, id string, published bool) error {
	tag, err := s.Tx.Exec(ctx, `UPDATE assignments SET published = $2, updated_at = now() WHERE id = $1`, id, published)
	if err != nil {
		return refused("publish assignment", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// GetAssignment reads one assignment the actor may see.
func GetAssignment(ctx context.Context, s *db.Scope, id string) (*Assignment, error) {
	rows, err := s.Tx.Query(ctx, assignmentSelect+` WHERE a.id = $1`, id)
	if err != nil {
		return nil, domain.Wrap("get assignment", err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Assignment])
	if err != nil {
		return nil, domain.Wrap("get assignment", err)
	}
	a.withholdFrom(s.Actor.Role)
	return a, nil
}

// SectionAssignments lists a section's assignments the actor may see (for
// students and guardians, the published ones), by due date, undated last.
func SectionAssignments(ctx context.Context, s *db.Scope, sectionID string) ([]Assignment, error) {
	rows, err := s.Tx.Query(ctx, assignmentSelect+` WHERE $1::uuid = ANY (a.section_ids)
		ORDER BY a.due_at NULLS LAST, a.created_at, a.title`, sectionID)
	if err != nil {
		return nil, domain.Wrap("list assignments", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Assignment])
	for i := range out {
		out[i].withholdFrom(s.Actor.Role)
	}
	return out, domain.Wrap("list assignments", err)
}

// withholdFrom empties what a student or guardian may not see before the
// work opens (as Canvas does): they see its title, due date and when it
// opens. The database's clock decides, as for submissions and files.
func (a *Assignment) withholdFrom(role db.Role) {
	if !a.BeforeUnlock || (role != db.Student && role != db.Guardian) {
		return
	}
	a.LockedForUser = true
	a.InstructionsHTML = ""
	a.RubricID = nil
	a.LockExplanation = "Available from " + ShowLocal(a.UnlockAt, a.TimeZone)
}

// ValidLink is an http(s) URL, the only links a student may hand in.
func ValidLink(raw string) bool {
	u, err := url.Parse(strings.TrimSpace(raw))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func schoolZone(ctx context.Context, s *db.Scope, schoolID string) (string, error) {
	var zone string
	err := s.Tx.QueryRow(ctx, `SELECT time_zone FROM schools WHERE id = $1`, schoolID).Scan(&zone)
	return zone, domain.Wrap("school time zone", err)
}
