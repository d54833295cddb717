package importer

import "github.com/jackc/pgx/v5/pgtype"

// changes are the rows Apply writes, worked out while planning.
type changes struct {
	termCreates, termUpdates             []termRow
	courseCreates, courseUpdates         []courseRow
	sectionCreates, sectionUpdates       []sectionRow
	userCreates, userUpdates             []userRow
	membershipCreates                    []membershipRow
	linkCreates                          []linkRow
	enrollmentDeletes                    []string
	enrollmentUpdates, enrollmentCreates []enrollmentRow
	// enrollmentRekeys are updated enrollments whose sourced_id changes;
	// theirs are cleared first so that two rows may swap ids.
	enrollmentRekeys []string

	// userCreateRows are the upload rows of userCreates, for problems.
	userCreateRows []rowRef
}

type rowRef struct {
	file  string
	line  int
	field string
}

const (
	// rowsPerStatement is how many rows one INSERT … SELECT FROM unnest
	// writes; progress is reported at most this far apart.
	rowsPerStatement = 50
	// statementsPerBatch is how many statements share a round trip.
	statementsPerBatch = 20
)

// write queues every change in an order that satisfies the foreign keys:
// terms and courses before the sections that use them, users before their
// memberships, links and enrollments, and deleted enrollments before the
// rows that take over their unique values.
func (c *changes) write(w *writer) {
	for rows := range chunks(c.termCreates) {
		w.queue("create terms", len(rows), -1, `INSERT INTO terms (id, school_id, sourced_id, name, kind, starts_on, ends_on)
			SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::date[], $7::date[])`,
			col(rows, func(r termRow) string { return r.ID }), col(rows, func(r termRow) string { return r.SchoolID }),
			col(rows, func(r termRow) *string { return r.SourcedID }), col(rows, func(r termRow) string { return r.Name }),
			col(rows, func(r termRow) string { return r.Kind }),
			col(rows, func(r termRow) pgtype.Date { return pgDate(&r.StartsOn) }),
			col(rows, func(r termRow) pgtype.Date { return pgDate(&r.EndsOn) }))
	}
	for rows := range chunks(c.termUpdates) {
		w.queue("update terms", len(rows), len(rows), `UPDATE terms t SET name = v.name, kind = v.kind, starts_on = v.starts_on, ends_on = v.ends_on
			FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::date[]) AS v (id, name, kind, starts_on, ends_on)
			WHERE t.id = v.id`,
			col(rows, func(r termRow) string { return r.ID }), col(rows, func(r termRow) string { return r.Name }),
			col(rows, func(r termRow) string { return r.Kind }),
			col(rows, func(r termRow) pgtype.Date { return pgDate(&r.StartsOn) }),
			col(rows, func(r termRow) pgtype.Date { return pgDate(&r.EndsOn) }))
	}
	courseArgs := func(rows []courseRow) []any {
		return []any{col(rows, func(r courseRow) string { return r.ID }), col(rows, func(r courseRow) *string { return r.SchoolID }),
			col(rows, func(r courseRow) *string { return r.SourcedID }), col(rows, func(r courseRow) string { return r.Title }),
			col(rows, func(r courseRow) string { return r.Code }), col(rows, func(r courseRow) string { return joinList(r.Grades) })}
	}
	for rows := range chunks(c.courseCreates) {
		w.queue("create courses", len(rows), -1, `INSERT INTO courses (id, school_id, sourced_id, title, code, grades)
			SELECT id, school_id, sourced_id, title, code, string_to_array(grades, ',')
			FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[]) AS v (id, school_id, sourced_id, title, code, grades)`,
			courseArgs(rows)...)
	}
	for rows := range chunks(c.courseUpdates) {
		w.queue("update courses", len(rows), len(rows), `UPDATE courses c SET school_id = v.school_id, title = v.title, code = v.code,
				grades = string_to_array(v.grades, ',')
			FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[]) AS v (id, school_id, sourced_id, title, code, grades)
			WHERE c.id = v.id`, courseArgs(rows)...)
	}
	sectionArgs := func(rows []sectionRow) []any {
		return []any{col(rows, func(r sectionRow) string { return r.ID }), col(rows, func(r sectionRow) string { return r.SchoolID }),
			col(rows, func(r sectionRow) string { return r.CourseID }), col(rows, func(r sectionRow) *string { return r.SourcedID }),
			col(rows, func(r sectionRow) string { return r.Title }), col(rows, func(r sectionRow) string { return r.Code }),
			col(rows, func(r sectionRow) string { return r.Period }), col(rows, func(r sectionRow) string { return joinList(r.TermIDs) })}
	}
	for rows := range chunks(c.sectionCreates) {
		w.queue("create sections", len(rows), -1, `INSERT INTO sections (id, school_id, course_id, sourced_id, title, code, period, term_ids)
			SELECT id, school_id, course_id, sourced_id, title, code, period, string_to_array(term_ids, ',')::uuid[]
			FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
				AS v (id, school_id, course_id, sourced_id, title, code, period, term_ids)`, sectionArgs(rows)...)
	}
	for rows := range chunks(c.sectionUpdates) {
		w.queue("update sections", len(rows), len(rows), `UPDATE sections s SET school_id = v.school_id, course_id = v.course_id,
				title = v.title, code = v.code, period = v.period, term_ids = string_to_array(v.term_ids, ',')::uuid[]
			FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
				AS v (id, school_id, course_id, sourced_id, title, code, period, term_ids)
			WHERE s.id = v.id`, sectionArgs(rows)...)
	}
	for rows := range chunks(c.userCreates) {
		w.queue("create users", len(rows), -1, insertUsers, userColumns(rows)...)
	}
	for rows := range chunks(c.userUpdates) {
		w.queue("update users", len(rows), len(rows), `UPDATE users u SET email = v.email, display_name = v.display_name,
				given_name = v.given_name, family_name = v.family_name, grade = v.grade, status = v.status,
				sourced_id = v.sourced_id, username = v.username, ext = coalesce(v.ext::jsonb, u.ext), updated_at = now()
			FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
				AS v (id, email, display_name, given_name, family_name, grade, status, sourced_id, username, ext)
			WHERE u.id = v.id`, userColumns(rows)...)
	}
	// A membership or link that already exists out of the actor's sight
	// (the student's other school) is no change, so conflicts are skipped.
	for rows := range chunks(c.membershipCreates) {
		w.queue("create memberships", len(rows), -1, `INSERT INTO memberships (user_id, school_id, role)
			SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[]) ON CONFLICT DO NOTHING`,
			col(rows, func(r membershipRow) string { return r.UserID }), col(rows, func(r membershipRow) *string { return r.SchoolID }),
			col(rows, func(r membershipRow) string { return r.Role }))
	}
	for rows := range chunks(c.linkCreates) {
		w.queue("create guardian links", len(rows), -1, `INSERT INTO guardian_links (guardian_id, student_id)
			SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`,
			col(rows, func(r linkRow) string { return r.GuardianID }), col(rows, func(r linkRow) string { return r.StudentID }))
	}
	for ids := range chunks(c.enrollmentDeletes) {
		w.queue("delete enrollments", len(ids), len(ids), `DELETE FROM enrollments WHERE id = ANY ($1::uuid[])`, ids)
	}
	for ids := range chunks(c.enrollmentRekeys) {
		w.queue("clear enrollment ids", 0, -1, `UPDATE enrollments SET sourced_id = NULL WHERE id = ANY ($1::uuid[])`, ids)
	}
	enrollmentArgs := func(rows []enrollmentRow) []any {
		return []any{col(rows, func(r enrollmentRow) string { return r.ID }), col(rows, func(r enrollmentRow) string { return r.SectionID }),
			col(rows, func(r enrollmentRow) string { return r.SchoolID }), col(rows, func(r enrollmentRow) string { return r.UserID }),
			col(rows, func(r enrollmentRow) string { return string(r.Role) }), col(rows, func(r enrollmentRow) bool { return r.IsPrimary }),
			col(rows, func(r enrollmentRow) *string { return r.SourcedID }),
			col(rows, func(r enrollmentRow) pgtype.Date { return pgDate(r.BeginsOn) }),
			col(rows, func(r enrollmentRow) pgtype.Date { return pgDate(r.EndsOn) })}
	}
	for rows := range chunks(c.enrollmentUpdates) {
		w.queue("update enrollments", len(rows), len(rows), `UPDATE enrollments e SET section_id = v.section_id, school_id = v.school_id,
				user_id = v.user_id, role = v.role, is_primary = v.is_primary, sourced_id = v.sourced_id,
				begins_on = v.begins_on, ends_on = v.ends_on
			FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::boolean[], $7::text[], $8::date[], $9::date[])
				AS v (id, section_id, school_id, user_id, role, is_primary, sourced_id, begins_on, ends_on)
			WHERE e.id = v.id`, enrollmentArgs(rows)...)
	}
	for rows := range chunks(c.enrollmentCreates) {
		w.queue("create enrollments", len(rows), -1, `INSERT INTO enrollments (id, section_id, school_id, user_id, role, is_primary, sourced_id, begins_on, ends_on)
			SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::boolean[], $7::text[], $8::date[], $9::date[])`,
			enrollmentArgs(rows)...)
	}
}

const insertUsers = `INSERT INTO users (id, email, display_name, given_name, family_name, grade, status, sourced_id, username, ext)
	SELECT id, email, display_name, given_name, family_name, grade, status, sourced_id, username, ext::jsonb
	FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
		AS v (id, email, display_name, given_name, family_name, grade, status, sourced_id, username, ext)`

func userColumns(rows []userRow) []any {
	return []any{col(rows, func(r userRow) string { return r.ID }), col(rows, func(r userRow) string { return r.Email }),
		col(rows, func(r userRow) string { return r.DisplayName }), col(rows, func(r userRow) string { return r.GivenName }),
		col(rows, func(r userRow) string { return r.FamilyName }), col(rows, func(r userRow) *string { return r.Grade }),
		col(rows, func(r userRow) string { return r.Status }), col(rows, func(r userRow) *string { return r.SourcedID }),
		col(rows, func(r userRow) *string { return r.Username }), col(rows, func(r userRow) *string { return r.Ext })}
}
