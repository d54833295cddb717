package importer

import (
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// orgMap resolves OneRoster orgs to the district's schools. The importer
// never creates or edits a school: they come from the operator's directory.
type orgMap struct {
	orgs     map[string]*roster.Org
	byID     map[string]*school
	schoolOf map[string]*school // school orgs matched to a live school
	archived map[string]*school // school orgs whose code names an archived school
	// covered holds the ids of the schools the bundle speaks for; bulk
	// deactivation and deletion stay inside them.
	covered map[string]bool
	// referenced and missing collect orgs other rows need but that cannot
	// be resolved, to be reported once each.
	referenced map[string]bool
	missing    orgRefs
	// departments are the non-school orgs rows were placed through, with
	// the school they went to and whether the org was taken as the school.
	departments map[string]departmentUse
	// heldBack says an org is in orgs.csv after all, on a row left out
	// for its own problems (roster.Bundle.HeldBack); nil: none is.
	heldBack func(id string) bool
}

type departmentUse struct {
	school *school
	asSelf bool
}

// orgRefs keeps the first row that referenced each unknown org.
type orgRefs struct {
	order []string
	first map[string]rowRef
}

// mapOrgs matches each school org to a live school: by code equal to the
// org's identifier, else to its sourcedId, else by name (ignoring case);
// failing that, a bundle with one school org and a district with one live
// school are taken to mean the same school.
func mapOrgs(orgs []roster.Org, schools []school) *orgMap {
	m := &orgMap{orgs: map[string]*roster.Org{}, byID: map[string]*school{}, schoolOf: map[string]*school{}, archived: map[string]*school{},
		covered: map[string]bool{}, referenced: map[string]bool{}, departments: map[string]departmentUse{}}
	byCode := map[string]*school{}
	byName := map[string][]*school{}
	var live []*school
	for i := range schools {
		sc := &schools[i]
		m.byID[sc.ID] = sc
		byCode[sc.Code] = sc
		if !sc.Archived {
			live = append(live, sc)
			name := strings.ToLower(strings.TrimSpace(sc.Name))
			byName[name] = append(byName[name], sc)
		}
	}
	var schoolOrgs []*roster.Org
	for i := range orgs {
		m.orgs[orgs[i].SourcedID] = &orgs[i]
	}
	for i := range orgs {
		o := &orgs[i]
		if o.Type != "school" && !m.standsForSchool(o) {
			continue
		}
		schoolOrgs = append(schoolOrgs, o)
		for _, code := range []string{o.Identifier, o.SourcedID} {
			sc := byCode[code]
			if code == "" || sc == nil {
				continue
			}
			if sc.Archived {
				if m.archived[o.SourcedID] == nil {
					m.archived[o.SourcedID] = sc
				}
				continue
			}
			m.schoolOf[o.SourcedID] = sc
			break
		}
		if m.schoolOf[o.SourcedID] == nil {
			if named := byName[strings.ToLower(strings.TrimSpace(o.Name))]; len(named) == 1 {
				m.schoolOf[o.SourcedID] = named[0]
			}
		}
	}
	if len(schoolOrgs) == 1 && len(live) == 1 && m.schoolOf[schoolOrgs[0].SourcedID] == nil && m.archived[schoolOrgs[0].SourcedID] == nil {
		m.schoolOf[schoolOrgs[0].SourcedID] = live[0]
	}
	for _, sc := range m.schoolOf {
		m.covered[sc.ID] = true
	}
	return m
}

// resolve returns the school an org stands for: the matched school for a
// school org (or an org under one, such as a department), nil for the
// district and orgs above schools. ok is false when the org, or the school
// above it, matches no school; that is reported once by problems.
func (m *orgMap) resolve(orgID string, from rowRef) (sc *school, ok bool) {
	id := orgID
	var via []string // departments passed on the way up
	for range 16 {   // parent chains are short; a cycle stops here
		o := m.orgs[id]
		if o == nil {
			m.missing.add(orgID, from)
			return nil, false
		}
		if o.Type == "school" || m.standsForSchool(o) {
			sc := m.schoolOf[o.SourcedID]
			if sc == nil {
				m.referenced[o.SourcedID] = true
				return nil, false
			}
			if o.Type != "school" {
				m.departments[o.SourcedID] = departmentUse{school: sc, asSelf: true}
			}
			for _, d := range via {
				m.departments[d] = departmentUse{school: sc}
			}
			return sc, true
		}
		switch o.Type {
		case "district", "local", "state", "national":
			return nil, true
		}
		via = append(via, o.SourcedID)
		if o.ParentSourcedID == "" {
			return nil, true
		}
		id = o.ParentSourcedID
	}
	return nil, true
}

func (m *orgMap) schoolByID(id string) *school { return m.byID[id] }

// standsForSchool reports whether a department (or an org of a type the
// parser read as one) has no school or district above it, so that it is
// taken as a school itself: real exports put classes under such orgs.
func (m *orgMap) standsForSchool(o *roster.Org) bool {
	if o.Type != "department" {
		return false
	}
	id := o.ParentSourcedID
	for range 16 {
		parent := m.orgs[id]
		if id == "" || parent == nil {
			return true
		}
		if parent.Type != "department" {
			return false
		}
		id = parent.ParentSourcedID
	}
	return false
}

func (r *orgRefs) add(id string, from rowRef) {
	if r.first == nil {
		r.first = map[string]rowRef{}
	}
	if _, seen := r.first[id]; !seen {
		r.first[id] = from
		r.order = append(r.order, id)
	}
}

// problems reports the school orgs that rows need but that match no school,
// and warns about departments rows were placed through.
func (m *orgMap) problems(p *Plan, orgs []roster.Org) {
	for _, o := range orgs {
		if use, ok := m.departments[o.SourcedID]; ok {
			if use.asSelf {
				p.warn("orgs.csv", o.Line, "type", "org %q is a %s with no school above it; it was taken as the school %q", o.Name, o.Type, use.school.Name)
			} else {
				p.warn("orgs.csv", o.Line, "type", "org %q is a %s; its rows were imported under the school %q", o.Name, o.Type, use.school.Name)
			}
		}
	}
	for _, o := range orgs {
		if !m.referenced[o.SourcedID] {
			continue
		}
		if sc := m.archived[o.SourcedID]; sc != nil {
			p.problem("orgs.csv", o.Line, "identifier",
				"school %q (sourcedId %s) matches school code %s, which is archived; ask your platform team to restore the School, or remove its rows from the bundle",
				o.Name, o.SourcedID, sc.Code)
			continue
		}
		code := o.Identifier
		if code == "" {
			code = o.SourcedID
		}
		p.problem("orgs.csv", o.Line, "identifier",
			"school %q (sourcedId %s) matches no school in this district; ask your platform team to add a School with code %s, or set this org's identifier to the school's code",
			o.Name, o.SourcedID, code)
	}
	for _, id := range m.missing.order {
		if m.heldBack != nil && m.heldBack(id) {
			continue // the org's own row is reported
		}
		ref := m.missing.first[id]
		p.problem(ref.file, ref.line, ref.field, "org %q is not in orgs.csv; add it, or correct the reference", id)
	}
}
