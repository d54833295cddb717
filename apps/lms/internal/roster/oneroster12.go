package roster

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file reads OneRoster 1.2 bulk bundles and delta bundles of either
// version. A 1.2 bundle differs from 1.1 in the people files: users.csv
// no longer carries role and orgSourcedIds; roles.csv gives each user's
// roles at orgs (one of them primary), userProfiles.csv their accounts in
// other systems. The other files keep their 1.1 columns (1.2 adds optional
// ones, such as subjectCodes), so they are read by the 1.1 readers.

// The OneRoster versions a bundle can be.
const (
	Version11 = "1.1"
	Version12 = "1.2"
)

// Role is a row of roles.csv (1.2): a user's role at an org.
type Role struct {
	SourcedID, Status, UserSourcedID, RoleType, Role, OrgSourcedID, UserProfileSourcedID string
	BeginDate, EndDate                                                                   *Date
	Line                                                                                 int
}

// UserProfile is a row of userProfiles.csv (1.2): a user's account in some
// other system. Bellwork keeps no such accounts; the rows are checked.
type UserProfile struct {
	SourcedID, Status, UserSourcedID, ProfileType, VendorID, ApplicationID, Description, CredentialType, Username string
	Line                                                                                                          int
}

// PersonDetails holds the 1.2 user fields that 1.1 has no column for, by
// user sourcedId. The legal names stay here when preferred names are given:
// User.GivenName and FamilyName then hold the preferred ones, which are what
// people see.
type PersonDetails struct {
	LegalGivenName, LegalFamilyName, PreferredMiddleName string
	Pronouns, PrimaryOrgSourcedID, UserMasterIdentifier  string
}

// 1.2 vocabularies that differ from 1.1.
var (
	roleTypes = vocabulary{"primary", "secondary"}
	// userRoles12 are the roles of 1.2's roles.csv.
	userRoles12 = vocabulary{"aide", "counselor", "districtAdministrator", "guardian", "parent", "principal", "proctor",
		"relative", "siteAdministrator", "student", "systemAdministrator", "teacher"}
)

// role11 maps a 1.2 role to the 1.1 role Bellwork plans by: the
// administrator roles become administrator; counselor has no 1.1 (or
// Bellwork) counterpart and stays as it is, which the planner skips.
func role11(role string) string {
	switch role {
	case "districtAdministrator", "siteAdministrator", "systemAdministrator", "principal":
		return "administrator"
	}
	return role
}

// bundleFiles12 are the files of a 1.2 bundle in reading order.
var bundleFiles12 = []bundleFile{
	bundleFiles[0], bundleFiles[1], bundleFiles[2], bundleFiles[3], // orgs, academicSessions, courses, classes
	{"users.csv", true, []string{"sourcedId", "enabledUser", "username", "givenName", "familyName"}, (*bundleParser).readUsers12},
	{"userProfiles.csv", false, []string{"sourcedId", "userSourcedId", "profileType", "vendorId", "credentialType"}, (*bundleParser).readUserProfiles},
	{"roles.csv", true, []string{"userSourcedId", "roleType", "role", "orgSourcedId"}, (*bundleParser).readRoles},
	bundleFiles[5], // enrollments
	{"demographics.csv", false, []string{"sourcedId"}, (*bundleParser).readDemographics},
}

// BundleKind is what a bundle's manifest says it is.
type BundleKind struct {
	Version string // Version11 or Version12
	Delta   bool
}

// SniffOneRoster reads only manifest.csv: the OneRoster version
// (oneroster.version, 1.1 when absent or unreadable) and whether any file
// is in delta mode. It never fails; ParseOneRosterBundle reports problems.
func SniffOneRoster(files Files) BundleKind {
	k := BundleKind{Version: Version11}
	src, ok := files[manifestFile]
	if !ok {
		if _, roles := files["roles.csv"]; roles {
			k.Version = Version12
		}
		return k
	}
	var ignored problemList
	t := readTable(manifestFile, src, tableSpec{required: []string{"propertyName", "value"}}, defaultLimits, &ignored)
	if t == nil {
		return k
	}
	for _, row := range t.rows {
		name, value := t.value(row, "propertyName"), t.value(row, "value")
		switch {
		case name == "oneroster.version" && strings.HasPrefix(value, "1.2"):
			k.Version = Version12
		case strings.HasPrefix(name, "file.") && strings.EqualFold(value, "delta"):
			k.Delta = true
		}
	}
	return k
}

// ParseOneRosterBundle parses a bundle of either version, bulk or delta,
// as its manifest says (see SniffOneRoster). A 1.1 bulk bundle is read by
// ParseOneRoster; the others as ParseOneRoster12 and ParseDelta describe.
func ParseOneRosterBundle(files map[string][]byte) (*Bundle, []Problem) {
	return ParseBundle(BytesFiles(files))
}

// ParseBundle is ParseOneRosterBundle for files streamed from where they
// are kept.
func ParseBundle(files Files) (*Bundle, []Problem) {
	k := SniffOneRoster(files)
	if k.Version == Version11 && !k.Delta {
		b, problems := parseOneRoster(files, defaultLimits)
		if b != nil {
			b.Version = Version11
		}
		return b, problems
	}
	return parseVersioned(files, k, defaultLimits)
}

// ParseOneRoster12 parses a OneRoster 1.2 bundle (bulk or delta, as its
// manifest says). Each user's role and orgs come from roles.csv: the role
// is that of their primary role row (else their first), mapped to the 1.1
// vocabulary (the administrator roles become administrator), and the orgs
// are those of every active role row with that role. Other roles are
// listed in Bundle.Notes. A user with no role row is a problem.
func ParseOneRoster12(files map[string][]byte) (*Bundle, []Problem) {
	return ParseBundle12(BytesFiles(files))
}

// ParseBundle12 is ParseOneRoster12 for files streamed from where they
// are kept.
func ParseBundle12(files Files) (*Bundle, []Problem) {
	k := SniffOneRoster(files)
	k.Version = Version12
	return parseVersioned(files, k, defaultLimits)
}

func parseVersioned(files Files, k BundleKind, lim limits) (*Bundle, []Problem) {
	p := &bundleParser{lim: lim, ids: map[string]map[string]int{}, complete: map[string]bool{}}
	p.bundle.Version, p.bundle.Delta = k.Version, k.Delta
	p.bundle.Rows = map[string]*FileRows{}
	list := bundleFiles
	if k.Version == Version12 {
		list = bundleFiles12
	}
	modes := p.readVersionedManifest(files, list)
	for _, f := range list {
		p.readVersionedFile(f, files, modes)
	}
	if k.Version == Version12 {
		p.applyRoles(modes)
	}
	if !k.Delta {
		p.checkReferences()
		p.coursesFromClasses()
	}
	order := []string{manifestFile}
	for _, f := range list {
		order = append(order, f.name)
	}
	return &p.bundle, p.problems.result(order)
}

// readVersionedManifest reads manifest.csv for parseVersioned: the version
// must be 1.0, 1.1 or 1.2, and a bundle may not mix bulk and delta files
// (a delta is applied against what is already in Bellwork, a bulk file
// replaces it).
func (p *bundleParser) readVersionedManifest(files Files, list []bundleFile) map[string]manifestMode {
	modes := map[string]manifestMode{}
	src, ok := files[manifestFile]
	if !ok {
		return modes
	}
	t := readTable(manifestFile, src, tableSpec{required: []string{"propertyName", "value"}}, p.lim, &p.problems)
	if t == nil {
		return modes
	}
	p.bundle.Manifest = map[string]string{}
	bulkLine := 0
	for _, row := range t.rows {
		if row.misshapen {
			continue
		}
		c := &rowCheck{t: t, row: row, problems: &p.problems}
		name, value := c.required("propertyName"), t.value(row, "value")
		if name == "" {
			continue
		}
		if _, seen := p.bundle.Manifest[name]; seen {
			c.problem("propertyName", "%s is given twice; list each property once", quote(name))
			continue
		}
		p.bundle.Manifest[name] = value
		if name == "oneroster.version" && !strings.HasPrefix(value, "1.0") && !strings.HasPrefix(value, "1.1") && !strings.HasPrefix(value, "1.2") {
			c.problem("value", "oneroster.version is %s; this import reads OneRoster 1.1 and 1.2", quote(value))
			continue
		}
		base, isFile := strings.CutPrefix(name, "file.")
		if !isFile {
			continue
		}
		known := false
		for _, f := range list {
			known = known || f.name == base+".csv"
		}
		if !known {
			continue
		}
		mode, ok := processingModes.lookup(value)
		if !ok {
			c.problem("value", "%s is %s; use bulk, delta, or absent when the bundle leaves the file out", name, quote(value))
			continue
		}
		modes[base+".csv"] = manifestMode{mode: mode, line: row.line}
		if mode == "bulk" {
			if _, present := files[base+".csv"]; present && bulkLine == 0 {
				bulkLine = row.line
			}
		}
	}
	if p.bundle.Delta && bulkLine > 0 {
		p.problems.add(manifestFile, bulkLine, "value",
			"this bundle mixes bulk and delta files; export either a full (bulk) bundle or a delta bundle, mark files without changes absent")
	}
	return modes
}

// readVersionedFile reads one file of a 1.2 or delta bundle. In a delta
// bundle no file is required: a file left out has no changes.
func (p *bundleParser) readVersionedFile(f bundleFile, files Files, modes map[string]manifestMode) {
	src, present := files[f.name]
	listed, isListed := modes[f.name]
	switch {
	case isListed && listed.mode == "absent":
		return
	case !present && isListed && listed.mode == "bulk" && f.name == "courses.csv":
		p.coursesListedMissing = true
		return
	case !present && isListed && listed.mode != "absent":
		p.problems.add(f.name, 0, "", "%s is missing, but manifest.csv lists it as %s; add the file, or mark it absent in the manifest", f.name, listed.mode)
		p.bundle.markUnread(f.name)
		return
	case !present && f.required && !p.bundle.Delta:
		p.problems.add(f.name, 0, "", "%s is missing; a OneRoster %s bulk bundle must include it", f.name, p.bundle.Version)
		p.bundle.markUnread(f.name)
		return
	case !present:
		return
	}
	p.readPresent(f, src)
}

// readUsers12 reads a 1.2 users.csv. Role and orgs are filled in from
// roles.csv by applyRoles.
func (p *bundleParser) readUsers12(t *table) {
	for _, row := range t.rows {
		c := p.startRow(t, row)
		if c == nil {
			continue
		}
		u := User{
			SourcedID:       c.required("sourcedId"),
			Status:          c.status(),
			Enabled:         c.boolean("enabledUser", true),
			Username:        c.required("username"),
			UserIDs:         c.list("userIds"),
			GivenName:       c.required("givenName"),
			FamilyName:      c.required("familyName"),
			MiddleName:      c.text("middleName"),
			Identifier:      c.text("identifier"),
			Email:           c.email("email"),
			SMS:             c.text("sms"),
			Phone:           c.text("phone"),
			AgentSourcedIDs: c.list("agentSourcedIds"),
			Grades:          c.list("grades"),
			Ext:             c.vendorColumns(),
			Line:            row.line,
		}
		d := PersonDetails{
			PreferredMiddleName:  c.text("preferredMiddleName"),
			Pronouns:             c.text("pronouns"),
			PrimaryOrgSourcedID:  c.text("primaryOrgSourcedId"),
			UserMasterIdentifier: c.text("userMasterIdentifier"),
		}
		if given := c.text("preferredGivenName"); given != "" {
			d.LegalGivenName, u.GivenName = u.GivenName, given
		}
		if family := c.text("preferredFamilyName"); family != "" {
			d.LegalFamilyName, u.FamilyName = u.FamilyName, family
		}
		p.refer(c, "agentSourcedIds", "users.csv", u.AgentSourcedIDs...)
		p.refer(c, "primaryOrgSourcedId", "orgs.csv", d.PrimaryOrgSourcedID)
		if !p.keep(c) {
			continue
		}
		p.bundle.Users = append(p.bundle.Users, u)
		if d != (PersonDetails{}) {
			if p.bundle.People == nil {
				p.bundle.People = map[string]PersonDetails{}
			}
			p.bundle.People[u.SourcedID] = d
		}
	}
}

// roleUsersKey keys, in bundleParser.ids, the users that roles.csv names
// in any row, even one with problems: a user whose only role row is wrong
// has that problem, not a second one saying they have no role.
const roleUsersKey = "roles.csv userSourcedId"

func (p *bundleParser) readRoles(t *table) {
	named := map[string]int{}
	p.ids[roleUsersKey] = named
	for _, row := range t.rows {
		named[t.value(row, "userSourcedId")] = row.line
		c := p.startRow(t, row)
		if c == nil {
			continue
		}
		r := Role{
			SourcedID:            c.text("sourcedId"),
			Status:               c.status(),
			UserSourcedID:        c.required("userSourcedId"),
			RoleType:             c.choice("roleType", roleTypes),
			Role:                 c.choice("role", userRoles12),
			OrgSourcedID:         c.required("orgSourcedId"),
			UserProfileSourcedID: c.text("userProfileSourcedId"),
			BeginDate:            c.optionalDate("beginDate"),
			EndDate:              c.optionalDate("endDate"),
			Line:                 row.line,
		}
		if r.BeginDate != nil && r.EndDate != nil {
			c.endNotBeforeStart("beginDate", *r.BeginDate, "endDate", *r.EndDate)
		}
		p.refer(c, "userSourcedId", "users.csv", r.UserSourcedID)
		p.refer(c, "orgSourcedId", "orgs.csv", r.OrgSourcedID)
		p.refer(c, "userProfileSourcedId", "userProfiles.csv", r.UserProfileSourcedID)
		if p.keep(c) {
			p.bundle.Roles = append(p.bundle.Roles, r)
		}
	}
}

func (p *bundleParser) readUserProfiles(t *table) {
	for _, row := range t.rows {
		c := p.startRow(t, row)
		if c == nil {
			continue
		}
		u := UserProfile{
			SourcedID:      c.required("sourcedId"),
			Status:         c.status(),
			UserSourcedID:  c.required("userSourcedId"),
			ProfileType:    c.required("profileType"),
			VendorID:       c.required("vendorId"),
			ApplicationID:  c.text("applicationId"),
			Description:    c.text("description"),
			CredentialType: c.required("credentialType"),
			Username:       c.text("username"),
			Line:           row.line,
		}
		p.refer(c, "userSourcedId", "users.csv", u.UserSourcedID)
		if p.keep(c) {
			p.bundle.UserProfiles = append(p.bundle.UserProfiles, u)
		}
	}
}

// applyRoles gives each 1.2 user their role and orgs from roles.csv, and
// accounts for every role row: it gives its user their role, or is listed
// as skipped with the reason.
func (p *bundleParser) applyRoles(modes map[string]manifestMode) {
	byUser := map[string][]*Role{}
	for i := range p.bundle.Roles {
		r := &p.bundle.Roles[i]
		if r.Status != "tobedeleted" {
			byUser[r.UserSourcedID] = append(byUser[r.UserSourcedID], r)
		}
	}
	defer p.accountRoles()
	if _, read := p.ids[roleUsersKey]; !read && !p.bundle.Delta && len(p.bundle.Users) > 0 {
		if modes["roles.csv"].mode == "absent" {
			p.problems.add("users.csv", 0, "", "users.csv lists users, but there is no roles.csv to give their roles; OneRoster 1.2 bundles need both")
		}
		for _, u := range p.bundle.Users {
			p.rejectLine("users.csv", u.Line, u.SourcedID, "no roles.csv gives the user a role")
		}
		p.bundle.Users = nil
		return
	}
	kept := p.bundle.Users[:0]
	for _, u := range p.bundle.Users {
		roles := byUser[u.SourcedID]
		if len(roles) == 0 {
			switch {
			case u.Status == "tobedeleted":
				// Deactivating needs no role.
			case p.bundle.Delta:
				// The user's roles are unchanged; the planner keeps the ones in Bellwork.
			case p.ids[roleUsersKey][u.SourcedID] > 0 || !p.complete["roles.csv"]:
				p.rejectLine("users.csv", u.Line, u.SourcedID, "the user's role rows in roles.csv have problems")
				continue // the role rows' problems are reported
			default:
				p.problems.add("users.csv", u.Line, "sourcedId", "user %s has no role in roles.csv; add a row giving their role at a school", quote(u.SourcedID))
				p.rejectLine("users.csv", u.Line, u.SourcedID, "no row of roles.csv gives the user a role")
				continue
			}
			kept = append(kept, u)
			continue
		}
		main := roles[0]
		for _, r := range roles {
			if r.RoleType == "primary" {
				main = r
				break
			}
		}
		u.Role = role11(main.Role)
		for _, r := range roles {
			if role11(r.Role) == u.Role && !slices.Contains(u.OrgSourcedIDs, r.OrgSourcedID) {
				u.OrgSourcedIDs = append(u.OrgSourcedIDs, r.OrgSourcedID)
			}
		}
		kept = append(kept, u)
	}
	p.bundle.Users = kept
	if n := len(p.bundle.UserProfiles); n > 0 {
		p.bundle.Notes = append(p.bundle.Notes, plural12(n, "user profile is", "user profiles are")+" checked but not stored: Bellwork keeps no accounts in other systems.")
	}
}

// accountRoles lists the rows of roles.csv and userProfiles.csv that give
// no user their role as skipped, each with its reason.
func (p *bundleParser) accountRoles() {
	role := map[string]string{}
	for _, u := range p.bundle.Users {
		role[u.SourcedID] = u.Role
	}
	others := 0
	for _, r := range p.bundle.Roles {
		userRole, listed := role[r.UserSourcedID]
		switch {
		case r.Status == "tobedeleted":
			p.rejectLine("roles.csv", r.Line, "", "marked tobedeleted: it gives the user no role")
		case !listed && p.bundle.Delta:
			p.rejectLine("roles.csv", r.Line, "", fmt.Sprintf("user %s is not in this delta's users.csv; a role row is applied together with its user's row, so list the user too", quote(r.UserSourcedID)))
		case !listed:
			p.rejectLine("roles.csv", r.Line, "", fmt.Sprintf("user %s is not imported", quote(r.UserSourcedID)))
		case role11(r.Role) != userRole:
			others++
			p.rejectLine("roles.csv", r.Line, "", fmt.Sprintf("role %s is not the user's primary role (%s); Bellwork gives each imported user one role", r.Role, userRole))
		}
	}
	if others > 0 {
		p.bundle.Notes = append(p.bundle.Notes, plural12(others, "role row names", "role rows name")+
			" a role other than the user's primary one; Bellwork gives each imported user one role, the primary one, so these were not imported.")
	}
	for _, u := range p.bundle.UserProfiles {
		p.rejectLine("userProfiles.csv", u.Line, "", "user profiles are checked but not stored: Bellwork keeps no accounts in other systems")
	}
}

func plural12(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
