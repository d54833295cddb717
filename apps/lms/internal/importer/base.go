package importer

import (
	"context"
	"fmt"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/settings"
)

// planBase is what both roster planners (OneRoster and the users CSV)
// start from, set up once: the actor checked, the district's schools, the
// school a school admin is limited to, and the people of that school whose
// accounts reach beyond it.
type planBase struct {
	p       *Plan
	c       *changes
	schools []school
	// scope is the school a school admin may import; nil for district admins.
	scope *school
	// shared are the users a school admin sees but may not change (see
	// loadShared); sharedLeft those whose changes this plan leaves alone.
	shared, sharedLeft map[string]bool
	// held are the memberships the users an import names already hold,
	// by user id (see loadHeld).
	held map[string]map[membershipKey]bool
	// nameOrder is the district's (settings.NameOrder): display names are
	// built in it.
	nameOrder string
}

// displayName builds a person's display name in the district's order,
// falling back to the e-mail address.
func (b *planBase) displayName(given, family, email string) string {
	return settings.DisplayName(b.nameOrder, given, family, email)
}

func newPlanBase(ctx context.Context, s *db.Scope, fileOrder ...string) (planBase, error) {
	b := planBase{p: newPlan(fileOrder...), c: &changes{}, sharedLeft: map[string]bool{}}
	if err := checkActor(s); err != nil {
		return b, err
	}
	var err error
	if b.schools, err = loadSchools(ctx, s); err != nil {
		return b, err
	}
	if b.shared, err = loadShared(ctx, s); err != nil {
		return b, err
	}
	if b.nameOrder, err = settings.NameOrder(ctx, s); err != nil {
		return b, err
	}
	if s.Actor.Role == db.SchoolAdmin {
		for i := range b.schools {
			if b.schools[i].ID == s.Actor.SchoolID {
				b.scope = &b.schools[i]
			}
		}
		if b.scope == nil {
			return b, fmt.Errorf("school %s of the acting admin: %w", s.Actor.SchoolID, db.ErrForbidden)
		}
	}
	return b, nil
}

// planFunc works out a plan and the changes that carry it out.
type planFunc func(ctx context.Context, s *db.Scope) (*Plan, *changes, error)

// applyPlan is Apply for every format: it takes the district's import
// lock, re-plans inside s's transaction (the database may have moved since
// the preview) and writes everything, or nothing when the plan has
// problems (the plan is returned with an error wrapping ErrProblems).
// progress is called every ~50 rows with (done, total); it must not use s.
func applyPlan(ctx context.Context, s *db.Scope, what string, plan planFunc, progress func(done, total int)) (*Plan, error) {
	if err := checkActor(s); err != nil {
		return nil, err
	}
	if err := lockImports(ctx, s); err != nil {
		return nil, err
	}
	p, c, err := plan(ctx, s)
	if err != nil {
		return nil, err
	}
	if p.Blocked() {
		return p, fmt.Errorf("apply %s: %w", what, ErrProblems)
	}
	if err := apply(ctx, s, p, c, progress); err != nil {
		return p, fmt.Errorf("apply %s: %w", what, err)
	}
	return p, nil
}
