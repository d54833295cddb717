package teach

import (
	"net/http"
	"strconv"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// gradingView is the SpeedGrader-style page: one student's work and grade
// form beside the list of students, with the previous and next student.
type gradingView struct {
	Assignment *coursework.Assignment
	Rubric     *rubrics.Rubric
	Work       []coursework.StudentWork
	Current    coursework.StudentWork
	Index      int
	Prev, Next string
	Attempts   []coursework.Submission
	History    []coursework.GradeChange
	Overrides  []coursework.Override
	Form       gradeForm
	Errors     validate.Errors
}

// gradeForm is what the form shows: the grade as saved, or as sent.
type gradeForm struct {
	Score, Status, Comment, Reason string
	Levels                         map[string]int
	Post                           bool
}

// Level reports whether criterion i's level l is chosen.
func (f gradeForm) Level(i, l int) bool {
	v, ok := f.Levels[strconv.Itoa(i)]
	return ok && v == l
}

// GradeFirst opens the grading view at the first student.
func (s *Handlers) GradeFirst(c *kit.Call) {
	d, err := s.loadGrading(c, "")
	if err != nil {
		s.Fail(c, err)
		return
	}
	if len(d.Work) == 0 {
		s.Render(c, "grading", "Grade "+d.Assignment.Title, d)
		return
	}
	kit.Redirect(c, "/teach/assignments/"+d.Assignment.ID+"/grade/"+d.Work[0].StudentID, c.R.URL.Query().Get("done"))
}

// Grade shows one student in the grading view.
func (s *Handlers) Grade(c *kit.Call) {
	d, err := s.loadGrading(c, c.R.PathValue("student"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "grading", "Grade "+d.Assignment.Title+": "+d.Current.Name, d)
}

func (s *Handlers) loadGrading(c *kit.Call, student string) (*gradingView, error) {
	d := &gradingView{Overrides: coursework.Overrides, Index: -1}
	err := c.InTx(func(sc *db.Scope) (err error) {
		ctx := c.R.Context()
		if d.Assignment, err = coursework.GetAssignment(ctx, sc, c.R.PathValue("id")); err != nil {
			return err
		}
		if d.Assignment.RubricID != nil {
			if d.Rubric, err = rubrics.Get(ctx, sc, *d.Assignment.RubricID); err != nil {
				return err
			}
		}
		if d.Work, err = coursework.Roster(ctx, sc, d.Assignment, s.Now()); err != nil {
			return err
		}
		if student == "" {
			return nil
		}
		for i, w := range d.Work {
			if w.StudentID == student {
				d.Index, d.Current = i, w
			}
		}
		if d.Index < 0 {
			return domain.ErrNotFound
		}
		if d.Index > 0 {
			d.Prev = d.Work[d.Index-1].StudentID
		}
		if d.Index+1 < len(d.Work) {
			d.Next = d.Work[d.Index+1].StudentID
		}
		if d.Attempts, err = coursework.Attempts(ctx, sc, d.Assignment.ID, student); err != nil {
			return err
		}
		d.History, err = coursework.GradeHistory(ctx, sc, d.Assignment.ID, student)
		return err
	})
	if err != nil {
		return nil, err
	}
	if g := d.Current.Grade; g != nil {
		d.Form = gradeForm{Score: g.Entered, Comment: g.Comment, Levels: g.RubricLevels, Post: g.Posted}
		if g.Entered == "" && g.Score != nil {
			d.Form.Score = strconv.FormatFloat(*g.Score, 'f', -1, 64)
		}
		if g.Status != nil {
			d.Form.Status = string(*g.Status)
		}
	}
	return d, nil
}

// SaveGrade saves one student's grade and moves to the next student (or
// stays, with "stay").
func (s *Handlers) SaveGrade(c *kit.Call) {
	assignment, student := c.R.PathValue("id"), c.R.PathValue("student")
	_ = c.R.ParseForm()
	f := c.R.PostForm
	in := coursework.GradeInput{Score: f.Get("score"), Status: f.Get("status"), Comment: f.Get("comment"), Reason: f.Get("reason"),
		Post: f.Get("post") == "on", RubricLevels: map[string]int{}}
	var next string
	err := c.InTx(func(sc *db.Scope) error {
		ctx := c.R.Context()
		a, err := coursework.GetAssignment(ctx, sc, assignment)
		if err != nil {
			return err
		}
		if a.RubricID != nil {
			r, err := rubrics.Get(ctx, sc, *a.RubricID)
			if err != nil {
				return err
			}
			for i := range r.Criteria {
				if v := f.Get("rubric_" + strconv.Itoa(i)); v != "" {
					l, err := strconv.Atoi(v)
					if err != nil {
						return validate.Errors{{Field: "rubric", Message: "Choose a level for each criterion."}}
					}
					in.RubricLevels[strconv.Itoa(i)] = l
				}
			}
			if err := in.FillFromRubric(r); err != nil {
				return err
			}
		}
		if _, err := coursework.SaveGrade(ctx, sc, assignment, student, in, s.Now()); err != nil {
			return err
		}
		work, err := coursework.Roster(ctx, sc, a, s.Now())
		if err != nil {
			return err
		}
		for i, w := range work {
			if w.StudentID == student && i+1 < len(work) {
				next = work[i+1].StudentID
			}
		}
		return nil
	})
	if err != nil {
		ve, invalid := validate.As(err)
		if !invalid {
			s.Fail(c, err)
			return
		}
		d, lerr := s.loadGrading(c, student)
		if lerr != nil {
			s.Fail(c, lerr)
			return
		}
		d.Errors = ve
		d.Form = gradeForm{Score: in.Score, Status: in.Status, Comment: in.Comment, Reason: in.Reason, Levels: in.RubricLevels, Post: in.Post}
		s.RenderStatus(c, http.StatusUnprocessableEntity, "grading", "Grade "+d.Assignment.Title, d)
		return
	}
	if next == "" || f.Get("stay") != "" {
		next = student
	}
	kit.Redirect(c, "/teach/assignments/"+assignment+"/grade/"+next, "grade-saved")
}
