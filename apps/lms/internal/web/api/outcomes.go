package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Outcomes (standards) through the API: the same domain functions as the
// admin's and the teacher's pages. District admins write district outcomes,
// a section's teachers its own (the database enforces both); teachers
// attach outcomes to their assignments and rubric criteria. Every change
// lands in the outcome's history, which its writers read.

var (
	DocOutcomes            = &kit.APIDoc{Summary: "Outcomes the caller sees: the district's, and those of the caller's sections", Response: outcomeList{}}
	DocOutcome             = &kit.APIDoc{Summary: "One outcome", Response: outcomes.Outcome{}}
	DocCreateOutcome       = &kit.APIDoc{Summary: "Add a district outcome (district admins)", Description: outcomeInputDoc, Body: outcomeRequest{}, Status: http.StatusCreated, Response: outcomes.Outcome{}}
	DocCreateCourseOutcome = &kit.APIDoc{Summary: "Add an outcome of a section the caller teaches", Description: outcomeInputDoc, Body: outcomeRequest{}, Status: http.StatusCreated, Response: outcomes.Outcome{}}
	DocUpdateOutcome       = &kit.APIDoc{Summary: "Change an outcome", Description: "The whole input, as for creating it; reason is kept in the outcome's history. District outcomes: district admins; a section's: its teachers (403 otherwise). " + outcomeInputDoc, Body: outcomeRequest{}, Response: outcomes.Outcome{}}
	DocArchiveOutcome      = &kit.APIDoc{Summary: "Archive an outcome", Description: "Nothing saved is lost: its attachments, results, mastery and history stay; it can no longer be attached to more work. Archiving an archived outcome changes nothing. Send the X-CSRF-Token header.", Body: reasonRequest{}, Response: outcomes.Outcome{}}
	DocRestoreOutcome      = &kit.APIDoc{Summary: "Restore an archived outcome", Description: "Send the X-CSRF-Token header.", Body: reasonRequest{}, Response: outcomes.Outcome{}}
	DocOutcomeHistory      = &kit.APIDoc{Summary: "An outcome's history, newest first (25 entries a page)", Description: "Every change to its definition (kind outcome, archiving included), to a student's result (result) and to what it is attached to (link): who, when, old, new and the reason. District admins read all of it, teachers their sections'.",
		Query: []kit.Param{{Name: "before", Type: "integer", Description: "An entry id: the page of older entries (next from the previous page)"}}, Response: outcomeHistory{}}
	DocAttachAssignmentOutcome = &kit.APIDoc{Summary: "Attach an outcome to an assignment", Description: "Graded work then records a result on it (the score's share of the points possible). Archived outcomes cannot be attached anew (422). The body is optional. Send the X-CSRF-Token header.", Body: reasonRequest{}, Response: assignmentOutcomes{}}
	DocDetachAssignmentOutcome = &kit.APIDoc{Summary: "Detach an outcome from an assignment", Description: "The results the assignment recorded on it are removed with the attachment; the history keeps each. Send the X-CSRF-Token header.",
		Query: []kit.Param{{Name: "reason", Type: "string", Description: "Why, kept in the outcome's history"}}, Response: assignmentOutcomes{}}
	DocLinkCriterionOutcome   = &kit.APIDoc{Summary: "Link a criterion of a rubric you own to an outcome", Description: "index counts the rubric's criteria from 0. Grading with the rubric then records the rated level's share of the best level on the outcome. Send the X-CSRF-Token header.", Body: criterionOutcomeRequest{}, Response: rubrics.Rubric{}}
	DocUnlinkCriterionOutcome = &kit.APIDoc{Summary: "Unlink a criterion of a rubric you own from its outcome", Description: "Send the X-CSRF-Token header.",
		Query: []kit.Param{{Name: "reason", Type: "string", Description: "Why, kept in the outcome's history"}}, Response: rubrics.Rubric{}}
)

const outcomeInputDoc = "scale: one rating a line, best first, points then a name (\"4 Exceeds\\n3 Mastery\\n2 Near\\n1 Below\"); the best rating is the points possible. masteryPoints: from 0 to that. method: decaying_average (calculationInt: the latest score's weight, 1 to 99 percent), n_mastery (calculationInt: scores at mastery needed, 1 to 10), latest, highest or average. Invalid input answers 422 with a message per field. Send the X-CSRF-Token header."

// outcomeRequest is outcomes.Input under a name of its own in the OpenAPI
// document (rubrics.Input is "Input" there).
type outcomeRequest outcomes.Input

type outcomeList struct {
	Items []outcomes.Outcome `json:"items"`
}

type outcomeHistory struct {
	Items []outcomes.TrailEntry `json:"items"`
	// Next is the before of the older page; 0 when there is none.
	Next int64 `json:"next"`
}

type reasonRequest struct {
	Reason string `json:"reason" doc:"Why, kept in the outcome's history (500 characters at most)"`
}

type criterionOutcomeRequest struct {
	OutcomeID string `json:"outcomeId" format:"uuid"`
	Reason    string `json:"reason" doc:"Why, kept in the outcome's history (500 characters at most)"`
}

type assignmentOutcomes struct {
	AssignmentID string   `json:"assignmentId" format:"uuid"`
	OutcomeIDs   []string `json:"outcomeIds"`
}

// Outcomes lists the outcomes the caller sees.
func (s *Handlers) Outcomes(c *kit.Call) {
	out := outcomeList{Items: []outcomes.Outcome{}}
	err := c.InTx(func(sc *db.Scope) error {
		list, err := outcomes.Visible(c.R.Context(), sc)
		if list != nil {
			out.Items = list
		}
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, out)
}

// Outcome is one outcome the caller sees.
func (s *Handlers) Outcome(c *kit.Call) {
	s.answerOutcome(c, http.StatusOK, func(sc *db.Scope) (*outcomes.Outcome, error) {
		return outcomes.Get(c.R.Context(), sc, c.R.PathValue("id"))
	})
}

// CreateOutcome adds a district outcome.
func (s *Handlers) CreateOutcome(c *kit.Call) {
	var req outcomeRequest
	if !s.decode(c, &req) {
		return
	}
	in := outcomes.Input(req)
	s.answerOutcome(c, http.StatusCreated, func(sc *db.Scope) (*outcomes.Outcome, error) {
		return outcomes.Create(c.R.Context(), sc, "", in)
	})
}

// CreateCourseOutcome adds an outcome to a section the caller teaches.
func (s *Handlers) CreateCourseOutcome(c *kit.Call) {
	var req outcomeRequest
	if !s.decode(c, &req) {
		return
	}
	in := outcomes.Input(req)
	s.answerOutcome(c, http.StatusCreated, func(sc *db.Scope) (*outcomes.Outcome, error) {
		sec, err := classes.GetSection(c.R.Context(), sc, c.R.PathValue("id"))
		if err != nil {
			return nil, err
		}
		return outcomes.Create(c.R.Context(), sc, sec.ID, in)
	})
}

// UpdateOutcome changes an outcome the caller may write.
func (s *Handlers) UpdateOutcome(c *kit.Call) {
	var req outcomeRequest
	if !s.decode(c, &req) {
		return
	}
	in := outcomes.Input(req)
	s.answerOutcome(c, http.StatusOK, func(sc *db.Scope) (*outcomes.Outcome, error) {
		return outcomes.Update(c.R.Context(), sc, c.R.PathValue("id"), in)
	})
}

// ArchiveOutcome archives an outcome the caller may write.
func (s *Handlers) ArchiveOutcome(c *kit.Call) {
	var req reasonRequest
	if !s.decodeOptional(c, &req) {
		return
	}
	s.answerOutcome(c, http.StatusOK, func(sc *db.Scope) (*outcomes.Outcome, error) {
		return outcomes.Archive(c.R.Context(), sc, c.R.PathValue("id"), req.Reason)
	})
}

// RestoreOutcome restores an archived outcome the caller may write.
func (s *Handlers) RestoreOutcome(c *kit.Call) {
	var req reasonRequest
	if !s.decodeOptional(c, &req) {
		return
	}
	s.answerOutcome(c, http.StatusOK, func(sc *db.Scope) (*outcomes.Outcome, error) {
		return outcomes.Restore(c.R.Context(), sc, c.R.PathValue("id"), req.Reason)
	})
}

// OutcomeHistory reads a page of an outcome's history. Only its writers
// read it: a teacher their sections' outcomes', district admins every one.
func (s *Handlers) OutcomeHistory(c *kit.Call) {
	before, err := strconv.ParseInt(c.R.URL.Query().Get("before"), 10, 64)
	if c.R.URL.Query().Has("before") && (err != nil || before < 1) {
		s.InvalidQuery(c, validate.Errors{{Field: "before", Message: "before is an entry id: the next of the previous page."}})
		return
	}
	out := outcomeHistory{Items: []outcomes.TrailEntry{}}
	err = c.InTx(func(sc *db.Scope) error {
		o, err := outcomes.Writable(c.R.Context(), sc, c.R.PathValue("id"))
		if err != nil {
			return err
		}
		list, next, err := outcomes.Trail(c.R.Context(), sc, o.ID, before)
		if list != nil {
			out.Items = list
		}
		out.Next = next
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, out)
}

// AttachAssignmentOutcome attaches an outcome to an assignment.
func (s *Handlers) AttachAssignmentOutcome(c *kit.Call) {
	var req reasonRequest
	if !s.decodeOptional(c, &req) {
		return
	}
	s.changeAssignmentOutcome(c, func(sc *db.Scope, assignment, outcome string) error {
		return outcomes.AttachToAssignment(c.R.Context(), sc, assignment, outcome, req.Reason, c.ID)
	})
}

// DetachAssignmentOutcome detaches an outcome from an assignment.
func (s *Handlers) DetachAssignmentOutcome(c *kit.Call) {
	reason := c.R.URL.Query().Get("reason")
	s.changeAssignmentOutcome(c, func(sc *db.Scope, assignment, outcome string) error {
		return outcomes.DetachFromAssignment(c.R.Context(), sc, assignment, outcome, reason, c.ID)
	})
}

func (s *Handlers) changeAssignmentOutcome(c *kit.Call, change func(sc *db.Scope, assignment, outcome string) error) {
	out := assignmentOutcomes{AssignmentID: c.R.PathValue("id")}
	err := c.InTx(func(sc *db.Scope) (err error) {
		if err := change(sc, out.AssignmentID, c.R.PathValue("outcome")); err != nil {
			return err
		}
		out.OutcomeIDs, err = outcomes.AssignmentOutcomes(c.R.Context(), sc, out.AssignmentID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if out.OutcomeIDs == nil {
		out.OutcomeIDs = []string{}
	}
	kit.WriteJSON(c, http.StatusOK, out)
}

// LinkCriterionOutcome links a rubric criterion to an outcome.
func (s *Handlers) LinkCriterionOutcome(c *kit.Call) {
	var req criterionOutcomeRequest
	if !s.decode(c, &req) {
		return
	}
	if req.OutcomeID == "" {
		s.Invalid(c, validate.Errors{{Field: "outcomeId", Message: "Name the outcome to link (outcomeId); to unlink, use DELETE."}})
		return
	}
	s.setCriterionOutcome(c, req.OutcomeID, req.Reason)
}

// UnlinkCriterionOutcome unlinks a rubric criterion from its outcome.
func (s *Handlers) UnlinkCriterionOutcome(c *kit.Call) {
	s.setCriterionOutcome(c, "", c.R.URL.Query().Get("reason"))
}

func (s *Handlers) setCriterionOutcome(c *kit.Call, outcomeID, reason string) {
	index, err := strconv.Atoi(c.R.PathValue("index"))
	if err != nil {
		s.Invalid(c, validate.Errors{{Field: "index", Message: "index is the criterion's number, counting from 0."}})
		return
	}
	s.answerRubric(c, http.StatusOK, func(sc *db.Scope) (*rubrics.Rubric, error) {
		if err := outcomes.SetCriterionOutcome(c.R.Context(), sc, c.R.PathValue("id"), index, outcomeID, reason); err != nil {
			return nil, err
		}
		return rubrics.Get(c.R.Context(), sc, c.R.PathValue("id"))
	})
}

func (s *Handlers) answerOutcome(c *kit.Call, status int, fn func(*db.Scope) (*outcomes.Outcome, error)) {
	var o *outcomes.Outcome
	err := c.InTx(func(sc *db.Scope) (err error) { o, err = fn(sc); return err })
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if status == http.StatusCreated {
		c.W.Header().Set("Location", "/api/v1/outcomes/"+o.ID)
	}
	kit.WriteJSON(c, status, o)
}

// decodeOptional is decode for a body that may be left out.
func (s *Handlers) decodeOptional(c *kit.Call, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(c.W, c.R.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		s.Problem(c, http.StatusBadRequest, "Invalid JSON", "The body must be a JSON object with the fields the OpenAPI document lists, or left out.")
		return false
	}
	return true
}
