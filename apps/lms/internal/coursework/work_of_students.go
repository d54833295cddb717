package coursework

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// PublishedInSections lists the published assignments of any of the
// sections in one query, by due date.
func PublishedInSections(ctx context.Context, s *db.Scope, sectionIDs []string) ([]Assignment, error) {
	rows, err := s.Tx.Query(ctx, assignmentSelect+` WHERE a.section_ids && $1::uuid[] AND a.published
		ORDER BY a.due_at NULLS LAST, a.created_at, a.title, a.id`, sectionIDs)
	if err != nil {
		return nil, domain.Wrap("list assignments", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Assignment])
	for i := range out {
		out[i].withholdFrom(s.Actor.Role)
	}
	return out, domain.Wrap("list assignments", err)
}

// WorkKey names one student's work on one assignment.
type WorkKey struct{ AssignmentID, StudentID string }

// WorkOfStudents reads several students' work on several assignments in
// three queries whatever their number (due-date overrides, grades, and
// submission counts): the batched form of MyWork. enrolled maps each
// student to the sections they learn in; a student gets work only on the
// assignments of their sections. Grades are what the actor may see
// (students and guardians: posted ones only).
func WorkOfStudents(ctx context.Context, s *db.Scope, asgs []Assignment, enrolled map[string][]string, now time.Time) (map[WorkKey]StudentWork, error) {
	ids := make([]string, len(asgs))
	for i, a := range asgs {
		ids[i] = a.ID
	}
	students := make([]string, 0, len(enrolled))
	for st := range enrolled {
		students = append(students, st)
	}
	due := make(map[string]*Due, len(asgs))
	for _, a := range asgs {
		due[a.ID] = &Due{Default: a.DueAt, BySection: map[string]time.Time{}, ByStudent: map[string]time.Time{}}
	}
	rows, err := s.Tx.Query(ctx, `SELECT assignment_id::text, coalesce(section_id::text, ''), coalesce(student_id::text, ''), due_at
		FROM assignment_overrides WHERE assignment_id = ANY ($1::uuid[])`, ids)
	if err != nil {
		return nil, domain.Wrap("overrides", err)
	}
	for rows.Next() {
		var a, section, student string
		var at time.Time
		if err := rows.Scan(&a, &section, &student, &at); err != nil {
			rows.Close()
			return nil, domain.Wrap("overrides", err)
		}
		if d := due[a]; d != nil && student != "" {
			d.ByStudent[student] = at
		} else if d != nil {
			d.BySection[section] = at
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, domain.Wrap("overrides", err)
	}

	grows, err := s.Tx.Query(ctx, gradeSelect+` WHERE assignment_id = ANY ($1::uuid[]) AND student_id = ANY ($2::uuid[])`, ids, students)
	if err != nil {
		return nil, domain.Wrap("grades", err)
	}
	grades, err := pgx.CollectRows(grows, pgx.RowToAddrOfStructByName[Grade])
	if err != nil {
		return nil, domain.Wrap("grades", err)
	}
	byKey := make(map[WorkKey]*Grade, len(grades))
	for _, g := range grades {
		byKey[WorkKey{g.AssignmentID, g.StudentID}] = g
	}

	type handedIn struct {
		count int
		last  time.Time
	}
	subs := map[WorkKey]handedIn{}
	srows, err := s.Tx.Query(ctx, `SELECT assignment_id::text, student_id::text, count(*)::int, max(submitted_at) FROM submissions
		WHERE assignment_id = ANY ($1::uuid[]) AND student_id = ANY ($2::uuid[]) GROUP BY assignment_id, student_id`, ids, students)
	if err != nil {
		return nil, domain.Wrap("submissions", err)
	}
	for srows.Next() {
		var k WorkKey
		var h handedIn
		if err := srows.Scan(&k.AssignmentID, &k.StudentID, &h.count, &h.last); err != nil {
			srows.Close()
			return nil, domain.Wrap("submissions", err)
		}
		subs[k] = h
	}
	srows.Close()
	if err := srows.Err(); err != nil {
		return nil, domain.Wrap("submissions", err)
	}

	out := make(map[WorkKey]StudentWork, len(asgs)*len(students))
	for i := range asgs {
		a := &asgs[i]
		for _, st := range students {
			section := ""
			for _, sec := range enrolled[st] {
				if slices.Contains(a.SectionIDs, sec) {
					section = sec
					break
				}
			}
			if section == "" {
				continue
			}
			k := WorkKey{a.ID, st}
			w := StudentWork{StudentID: st, SectionID: section, Grade: byKey[k]}
			if h, ok := subs[k]; ok {
				w.Attempts, w.SubmittedAt = h.count, &h.last
			}
			w.Due = due[a.ID].For(section, st)
			w.State = Status(statusOf(w.Grade), w.Due, w.SubmittedAt, a.ExpectsSubmission(), now)
			out[k] = w
		}
	}
	return out, nil
}
