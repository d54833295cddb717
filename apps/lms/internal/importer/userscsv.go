package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// The simple users CSV creates users or updates them by e-mail address,
// gives each the role of its row, and links guardians to the students in
// guardian_of. It is not a bulk file: users it does not list are left alone.

const usersCSVFile = "users.csv"

// PlanUsersCSV works out what importing rows would change, writing nothing.
func PlanUsersCSV(ctx context.Context, s *db.Scope, rows []roster.UserRow) (*Plan, error) {
	p, _, err := planUsersCSV(ctx, s, rows)
	return p, err
}

// ApplyUsersCSV re-plans and writes rows (see applyPlan).
func ApplyUsersCSV(ctx context.Context, s *db.Scope, rows []roster.UserRow, progress func(done, total int)) (*Plan, error) {
	return applyPlan(ctx, s, "users csv", func(ctx context.Context, s *db.Scope) (*Plan, *changes, error) {
		return planUsersCSV(ctx, s, rows)
	}, progress)
}

// csvUser is a row of the users CSV as the plan sees it.
type csvUser struct {
	row         *roster.UserRow
	memberships []wantMembership
	students    []csvStudent
	problem     bool
	id, email   string
	display     string
}

// csvStudent is a student a guardian row names: in the file, or already in Bellwork.
type csvStudent struct {
	inFile *csvUser
	id     string
	name   string
}

type csvPlanner struct {
	planBase
	byCode map[string]*school
	byID   map[string]*school
	byMail map[string]*userRow
	users  []*csvUser
	inFile map[string]*csvUser
}

func planUsersCSV(ctx context.Context, s *db.Scope, rows []roster.UserRow) (*Plan, *changes, error) {
	base, err := newPlanBase(ctx, s, usersCSVFile)
	if err != nil {
		return nil, nil, fmt.Errorf("plan users csv: %w", err)
	}
	cp := &csvPlanner{planBase: base, byCode: map[string]*school{}, byID: map[string]*school{},
		byMail: map[string]*userRow{}, inFile: map[string]*csvUser{}}
	for i := range cp.schools {
		sc := &cp.schools[i]
		cp.byCode[sc.Code], cp.byID[sc.ID] = sc, sc
	}
	var emails []string
	for _, r := range rows {
		emails = append(emails, r.Email)
		emails = append(emails, r.GuardianOf...)
	}
	existing, err := loadUsers(ctx, s, emails, false)
	if err != nil {
		return nil, nil, fmt.Errorf("plan users csv: %w", err)
	}
	ids := make([]string, len(existing))
	for i := range existing {
		ids[i] = existing[i].ID
		cp.byMail[existing[i].Email] = &existing[i]
	}
	if err := cp.loadHeld(ctx, s, ids); err != nil {
		return nil, nil, fmt.Errorf("plan users csv: %w", err)
	}

	cp.resolveRoles(rows)
	cp.resolveStudents()
	cp.checkScope()
	cp.planUsers()
	cp.planMemberships()
	if err := cp.planGuardianLinks(ctx, s); err != nil {
		return nil, nil, fmt.Errorf("plan users csv: %w", err)
	}
	sharedNote(cp.p, len(cp.sharedLeft))
	cp.p.finish()
	return cp.p, cp.c, nil
}

// resolveRoles gives each row its role at school_code; a district admin
// has no school, a guardian without school_code gets their students'.
func (cp *csvPlanner) resolveRoles(rows []roster.UserRow) {
	for i := range rows {
		r := &rows[i]
		cu := &csvUser{row: r}
		cp.users = append(cp.users, cu)
		cp.inFile[r.Email] = cu
		if r.Role == "district_admin" {
			cu.memberships = []wantMembership{{nil, "district_admin"}}
			continue
		}
		if r.SchoolCode == "" {
			continue
		}
		sc := cp.byCode[r.SchoolCode]
		switch {
		case sc == nil:
			cp.p.problem(usersCSVFile, r.Line, "school_code", "school_code %q matches no school in this district; use one of %s",
				r.SchoolCode, cp.schoolCodes())
			cu.problem = true
		case sc.Archived:
			cp.p.problem(usersCSVFile, r.Line, "school_code", "school_code %q is %s, which is archived; use the code of a current school",
				r.SchoolCode, sc.Name)
			cu.problem = true
		default:
			cu.memberships = []wantMembership{{sc, r.Role}}
		}
	}
}

// schoolCodes lists the live schools' codes for a problem message.
func (cp *csvPlanner) schoolCodes() string {
	var codes []string
	for code, sc := range cp.byCode {
		if !sc.Archived {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	if len(codes) > 10 {
		codes = append(codes[:10], "…")
	}
	if len(codes) == 0 {
		return "the codes of the district's schools (it has none yet)"
	}
	return strings.Join(codes, ", ")
}

// resolveStudents finds the students of each guardian row: students of the
// same file, or users already in Bellwork with a student role.
func (cp *csvPlanner) resolveStudents() {
	for _, cu := range cp.users {
		r := cu.row
		if r.Role != "guardian" {
			continue
		}
		var schools []*school
		for _, email := range r.GuardianOf {
			if st := cp.inFile[email]; st != nil {
				if st.row.Role != "student" {
					cp.p.problem(usersCSVFile, r.Line, "guardian_of", "guardian_of %s is a %s on line %d, not a student",
						email, roleLabel(st.row.Role), st.row.Line)
					cu.problem = true
					continue
				}
				cu.students = append(cu.students, csvStudent{inFile: st})
				for _, m := range st.memberships {
					schools = append(schools, m.school)
				}
				continue
			}
			ex := cp.byMail[email]
			var at []*school
			if ex != nil {
				for k := range cp.held[ex.ID] {
					if k.role == "student" && cp.byID[k.schoolID] != nil {
						at = append(at, cp.byID[k.schoolID])
					}
				}
			}
			if len(at) == 0 {
				cp.p.problem(usersCSVFile, r.Line, "guardian_of",
					"guardian_of %s is not a student in this file or in Bellwork; add them as a student first", email)
				cu.problem = true
				continue
			}
			slices.SortFunc(at, func(a, b *school) int { return strings.Compare(a.Name, b.Name) })
			cu.students = append(cu.students, csvStudent{id: ex.ID, name: ex.DisplayName})
			schools = append(schools, at...)
		}
		if r.SchoolCode != "" || cu.problem {
			continue
		}
		for _, sc := range schools {
			cu.memberships = addMembership(cu.memberships, wantMembership{sc, "guardian"})
		}
		if len(cu.memberships) == 0 {
			cp.p.problem(usersCSVFile, r.Line, "school_code",
				"school_code is empty and guardian_of names no student with a school; fill in the school_code of the guardian's school")
			cu.problem = true
		}
	}
}

// checkScope reports rows a school admin may not import.
func (cp *csvPlanner) checkScope() {
	if cp.scope == nil {
		return
	}
	for _, cu := range cp.users {
		if cu.problem {
			continue
		}
		for _, m := range cu.memberships {
			if m.school != nil && m.school.ID == cp.scope.ID {
				continue
			}
			owner, field := "the district", "role"
			if m.school != nil {
				owner, field = fmt.Sprintf("school %q", m.school.Name), "school_code"
			}
			cp.p.problem(usersCSVFile, cu.row.Line, field, "this row belongs to %s; a school admin of %q can only import %s's roster",
				owner, cp.scope.Name, cp.scope.Name)
			cu.problem = true
			break
		}
	}
}

// planUsers creates users or updates their names and grade. An empty grade
// leaves the grade as it is; status is never changed by this file.
func (cp *csvPlanner) planUsers() {
	deactivated := 0
	for _, cu := range cp.users {
		if cu.problem {
			continue
		}
		r := cu.row
		ex := cp.byMail[r.Email]
		want := userRow{ID: newID(), Email: r.Email, Status: statusActive}
		if ex != nil {
			want = *ex
		}
		want.GivenName, want.FamilyName = r.GivenName, r.FamilyName
		want.DisplayName = cp.displayName(r.GivenName, r.FamilyName, r.Email)
		if r.Grade != "" {
			want.Grade = optional(normalizeGrade(r.Grade))
		}
		cu.id, cu.email, cu.display = want.ID, want.Email, want.DisplayName
		if ex == nil {
			cp.c.createUser(want, rowRef{usersCSVFile, r.Line, ""})
			cp.p.change(EntityUser, ActionCreate, person(want.DisplayName, want.Email), describeMemberships(cu.memberships))
			continue
		}
		if ex.Status != statusActive {
			deactivated++
		}
		cp.planUserUpdate(ex, &want, "")
	}
	if deactivated > 0 {
		cp.p.note("%s deactivated; an import does not reactivate anyone, so reactivate them on their pages if they should sign in.",
			plural(deactivated, "user in the file is", "users in the file are"))
	}
}

func (cp *csvPlanner) planMemberships() {
	for _, cu := range cp.users {
		if !cu.problem {
			cp.planUserMemberships(cu.id, cu.email, cu.display, cu.memberships)
		}
	}
}

// planGuardianLinks links each guardian row to the students in its
// guardian_of, but not to a student whose own row has a problem.
func (cp *csvPlanner) planGuardianLinks(ctx context.Context, s *db.Scope) error {
	var wants []wantLink
	for _, cu := range cp.users {
		if cu.problem {
			continue
		}
		for _, st := range cu.students {
			id, name := st.id, st.name
			if st.inFile != nil {
				if st.inFile.problem {
					continue
				}
				id, name = st.inFile.id, st.inFile.display
			}
			wants = append(wants, wantLink{linkRow{GuardianID: cu.id, StudentID: id}, person(cu.display, cu.email), name})
		}
	}
	return cp.planLinks(ctx, s, wants)
}
