package api

import (
	"encoding/json"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Course delivery through the API: the same domain calls as the Teach and
// Learn pages, so a rule and its wording live once (coursework, rubrics).
// Row-level security decides what each caller sees: a student's own work
// and posted grades, a teacher's sections.

type assignmentList struct {
	Items []coursework.Assignment `json:"items"`
}

// SectionAssignments lists a section's assignments the caller may see
// (published ones for students and guardians).
func (s *Handlers) SectionAssignments(c *kit.Call) {
	var out assignmentList
	err := c.InTx(func(sc *db.Scope) (err error) {
		out.Items, err = coursework.SectionAssignments(c.R.Context(), sc, c.R.PathValue("id"))
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if out.Items == nil {
		out.Items = []coursework.Assignment{}
	}
	kit.WriteJSON(c, http.StatusOK, out)
}

// CreateAssignment adds a draft assignment; the path's section is added to
// the sections it is posted to.
func (s *Handlers) CreateAssignment(c *kit.Call) {
	var in coursework.AssignmentInput
	if !s.decode(c, &in) {
		return
	}
	in.SectionIDs = append([]string{c.R.PathValue("id")}, in.SectionIDs...)
	var a *coursework.Assignment
	err := c.InTx(func(sc *db.Scope) (err error) {
		if a, err = coursework.CreateAssignment(c.R.Context(), sc, in); err != nil {
			return err
		}
		if err = grading.SetNeverDrop(c.R.Context(), sc, a.ID, in.NeverDrop, c.ID); err != nil {
			return err
		}
		a, err = coursework.GetAssignment(c.R.Context(), sc, a.ID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.W.Header().Set("Location", "/api/v1/assignments/"+a.ID)
	kit.WriteJSON(c, http.StatusCreated, a)
}

// Assignment is one assignment the caller may see.
func (s *Handlers) Assignment(c *kit.Call) {
	var a *coursework.Assignment
	err := c.InTx(func(sc *db.Scope) (err error) {
		a, err = coursework.GetAssignment(c.R.Context(), sc, c.R.PathValue("id"))
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, a)
}

type publishRequest struct {
	Published bool `json:"published"`
}

// Publish publishes or unpublishes an assignment.
func (s *Handlers) Publish(c *kit.Call) {
	var req publishRequest
	if !s.decode(c, &req) {
		return
	}
	var a *coursework.Assignment
	err := c.InTx(func(sc *db.Scope) (err error) {
		if err := coursework.SetPublished(c.R.Context(), sc, c.R.PathValue("id"), req.Published); err != nil {
			return err
		}
		a, err = coursework.GetAssignment(c.R.Context(), sc, c.R.PathValue("id"))
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, a)
}

type workList struct {
	Items []coursework.StudentWork `json:"items"`
}

// Work lists where each student of the assignment's sections stands: the
// grading view's list.
func (s *Handlers) Work(c *kit.Call) {
	var out workList
	err := c.InTx(func(sc *db.Scope) error {
		a, err := coursework.GetAssignment(c.R.Context(), sc, c.R.PathValue("id"))
		if err != nil {
			return err
		}
		out.Items, err = coursework.Roster(c.R.Context(), sc, a, s.Now())
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if out.Items == nil {
		out.Items = []coursework.StudentWork{}
	}
	kit.WriteJSON(c, http.StatusOK, out)
}

type myWorkResponse struct {
	Work     coursework.StudentWork  `json:"work"`
	Attempts []coursework.Submission `json:"attempts"`
}

// MyWork is the calling student's state, attempts and posted grade.
func (s *Handlers) MyWork(c *kit.Call) {
	var out myWorkResponse
	err := c.InTx(func(sc *db.Scope) error {
		a, err := coursework.GetAssignment(c.R.Context(), sc, c.R.PathValue("id"))
		if err != nil {
			return err
		}
		if out.Work, err = coursework.MyWork(c.R.Context(), sc, a, c.User.ID, s.Now()); err != nil {
			return err
		}
		out.Attempts, err = coursework.Attempts(c.R.Context(), sc, a.ID, c.User.ID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if out.Attempts == nil {
		out.Attempts = []coursework.Submission{}
	}
	kit.WriteJSON(c, http.StatusOK, out)
}

// Submit hands in text or a link as the calling student's next attempt
// (files go through SubmitFile's streamed upload).
func (s *Handlers) Submit(c *kit.Call) {
	var in coursework.SubmissionInput
	if !s.decode(c, &in) {
		return
	}
	if in.Kind == "file" {
		s.Problem(c, http.StatusUnprocessableEntity, "Files are uploaded", "Submit text or a link here; hand in a file with POST /api/v1/assignments/{id}/upload.")
		return
	}
	var sub *coursework.Submission
	err := c.InTx(func(sc *db.Scope) (err error) {
		sub, err = coursework.Submit(c.R.Context(), sc, c.R.PathValue("id"), in, s.Now())
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusCreated, sub)
}

// SaveGrade sets a student's grade; rating every rubric criterion fills an
// empty score. Every change goes to the grade's trail with the reason.
func (s *Handlers) SaveGrade(c *kit.Call) {
	var in coursework.GradeInput
	if !s.decode(c, &in) {
		return
	}
	var g *coursework.Grade
	err := c.InTx(func(sc *db.Scope) error {
		ctx := c.R.Context()
		a, err := coursework.GetAssignment(ctx, sc, c.R.PathValue("id"))
		if err != nil {
			return err
		}
		if a.RubricID != nil {
			r, err := rubrics.Get(ctx, sc, *a.RubricID)
			if err != nil {
				return err
			}
			if err := in.FillFromRubric(r); err != nil {
				return err
			}
		}
		g, err = coursework.SaveGrade(ctx, sc, a.ID, c.R.PathValue("student"), in, s.Now())
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, g)
}

type postedResponse struct {
	Posted int `json:"posted" doc:"Grades made visible by this call"`
}

// PostGrades posts every unposted grade of the assignment.
func (s *Handlers) PostGrades(c *kit.Call) {
	var out postedResponse
	err := c.InTx(func(sc *db.Scope) (err error) {
		out.Posted, err = coursework.PostGrades(c.R.Context(), sc, c.R.PathValue("id"), s.Now())
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, out)
}

// decode reads a JSON body (64 KB at most) into v, or answers 400.
func (s *Handlers) decode(c *kit.Call, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(c.W, c.R.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.Problem(c, http.StatusBadRequest, "Invalid JSON", "The body must be a JSON object with the fields the OpenAPI document lists.")
		return false
	}
	return true
}
