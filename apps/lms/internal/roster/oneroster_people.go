package roster

// This file reads the files that describe people: users, their enrollments
// in classes, and demographics.

func (p *bundleParser) readUsers(t *table) {
	for _, row := range t.rows {
		c := p.startRow(t, row)
		if c == nil {
			continue
		}
		u := User{
			SourcedID:       c.required("sourcedId"),
			Status:          c.status(),
			Enabled:         c.boolean("enabledUser", true),
			OrgSourcedIDs:   c.list("orgSourcedIds"),
			Role:            c.choice("role", userRoles),
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
		p.refer(c, "orgSourcedIds", "orgs.csv", u.OrgSourcedIDs...)
		p.refer(c, "agentSourcedIds", "users.csv", u.AgentSourcedIDs...)
		if p.keep(c) {
			p.bundle.Users = append(p.bundle.Users, u)
		}
	}
}

func (p *bundleParser) readEnrollments(t *table) {
	for _, row := range t.rows {
		c := p.startRow(t, row)
		if c == nil {
			continue
		}
		e := Enrollment{
			SourcedID:       c.required("sourcedId"),
			Status:          c.status(),
			ClassSourcedID:  c.required("classSourcedId"),
			SchoolSourcedID: c.required("schoolSourcedId"),
			UserSourcedID:   c.required("userSourcedId"),
			Role:            c.choice("role", enrollmentRoles),
			Primary:         c.boolean("primary", false),
			BeginDate:       c.optionalDate("beginDate"),
			EndDate:         c.optionalDate("endDate"),
			Line:            row.line,
		}
		if e.BeginDate != nil && e.EndDate != nil {
			c.endNotBeforeStart("beginDate", *e.BeginDate, "endDate", *e.EndDate)
		}
		p.refer(c, "classSourcedId", "classes.csv", e.ClassSourcedID)
		p.refer(c, "schoolSourcedId", "orgs.csv", e.SchoolSourcedID)
		p.refer(c, "userSourcedId", "users.csv", e.UserSourcedID)
		if p.keep(c) {
			p.bundle.Enrollments = append(p.bundle.Enrollments, e)
		}
	}
}

func (p *bundleParser) readDemographics(t *table) {
	for _, row := range t.rows {
		c := p.startRow(t, row)
		if c == nil {
			continue
		}
		d := Demographic{
			SourcedID: c.required("sourcedId"),
			Status:    c.status(),
			BirthDate: c.optionalDate("birthDate"),
			Sex:       c.text("sex"),
			Line:      row.line,
		}
		if p.keep(c) {
			p.bundle.Demographics = append(p.bundle.Demographics, d)
		}
	}
}
