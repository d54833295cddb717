package web

import "bellwork.dev/bellwork/apps/lms/internal/authz"

// route is one entry of the route table.
type route struct {
	Method  string
	Pattern string
	// Action is the one permission the route needs (authz.Public: none).
	Action authz.Action
	// Tenant routes resolve the district from the Host header first.
	Tenant bool
	page   func(c *call)
	// api documents JSON API routes for the OpenAPI document; their errors
	// are problem+json.
	api *apiDoc
}

// probeRoutes are the probe listener's whole table (ProbeHandler): the
// kubelet's and Prometheus's endpoints. They name every district, so they
// are not on the tenant listener, which anyone on the internet reaches.
func (s *Server) probeRoutes() []route {
	return []route{
		{"GET", "/healthz", authz.Public, false, s.healthz, nil},
		{"GET", "/readyz", authz.Public, false, s.readyz, nil},
		{"GET", "/metrics", authz.Public, false, s.metricsPage, nil},
	}
}

// routes is the tenant listener's whole table: every page and endpoint
// districts use.
func (s *Server) routes() []route {
	t := true
	rs := []route{
		// Assets: no tenant.
		{"GET", "/assets/{file}", authz.Public, false, s.asset, nil},

		// Signing in.
		{"GET", "/signin", authz.Public, t, s.signinForm, nil},
		{"POST", "/signin", authz.Public, t, s.signin, nil},
		{"GET", "/invitations/{token}", authz.Public, t, s.invitationForm, nil},
		{"POST", "/invitations/{token}", authz.Public, t, s.acceptInvitation, nil},
		{"GET", "/password/forgot", authz.Public, t, s.forgotForm, nil},
		{"POST", "/password/forgot", authz.Public, t, s.forgot, nil},
		{"GET", "/password/reset/{token}", authz.Public, t, s.resetForm, nil},
		{"POST", "/password/reset/{token}", authz.Public, t, s.reset, nil},
		{"GET", "/oidc/start", authz.Public, t, s.oidcStart, nil},
		{"GET", "/oidc/callback", authz.Public, t, s.oidcCallback, nil},

		// Signed in, any role.
		{"GET", "/{$}", authz.Signed, t, s.home, nil},
		{"POST", "/signout", authz.Signed, t, s.signout, nil},
		{"POST", "/signout/everywhere", authz.Signed, t, s.signoutEverywhere, nil},
		{"POST", "/role", authz.Signed, t, s.switchRole, nil},
		{"GET", "/profile", authz.Signed, t, s.profileForm, nil},
		{"POST", "/profile", authz.Signed, t, s.saveProfile, nil},

		// Plan, Teach, Learn, Assess, Report.
		{"GET", "/plan", authz.ViewTeaching, t, s.plan, nil},
		{"GET", "/teach", authz.ViewTeaching, t, s.teach, nil},
		{"GET", "/teach/sections/{id}", authz.ViewTeaching, t, s.section, nil},
		{"GET", "/learn", authz.ViewLearning, t, s.learn, nil},
		{"GET", "/assess", authz.ViewGradebook, t, s.assess, nil},
		{"GET", "/assess/sections/{id}", authz.ViewGradebook, t, s.gradebook, nil},
		{"GET", "/report", authz.ViewReports, t, s.report, nil},

		// Admin.
		{"GET", "/admin/users", authz.ViewUsers, t, s.adminUsers, nil},
		{"GET", "/admin/users/new", authz.ManageUsers, t, s.adminUserNew, nil},
		{"POST", "/admin/users", authz.ManageUsers, t, s.adminUserCreate, nil},
		{"GET", "/admin/users/{id}", authz.ViewUsers, t, s.adminUser, nil},
		{"POST", "/admin/users/{id}/profile", authz.ManageUsers, t, s.adminUserProfile, nil},
		{"POST", "/admin/users/{id}/status", authz.ManageUsers, t, s.adminUserStatus, nil},
		{"POST", "/admin/users/{id}/reset", authz.ManageUsers, t, s.adminUserReset, nil},
		{"POST", "/admin/users/{id}/roles", authz.ManageUsers, t, s.adminUserAddRole, nil},
		{"POST", "/admin/users/{id}/roles/{mid}/delete", authz.ManageUsers, t, s.adminUserRemoveRole, nil},
		{"GET", "/admin/schools", authz.ViewSchools, t, s.adminSchools, nil},
		{"GET", "/admin/schools/{id}", authz.ViewSchools, t, s.adminSchool, nil},
		{"GET", "/admin/terms", authz.ManageTerms, t, s.adminTerms, nil},
		{"POST", "/admin/terms", authz.ManageTerms, t, s.adminTermCreate, nil},
		{"GET", "/admin/terms/{id}", authz.ManageTerms, t, s.adminTerm, nil},
		{"POST", "/admin/terms/{id}", authz.ManageTerms, t, s.adminTermUpdate, nil},
		{"POST", "/admin/terms/{id}/delete", authz.ManageTerms, t, s.adminTermDelete, nil},
		{"GET", "/admin/imports", authz.ImportRoster, t, s.adminImports, nil},
		{"POST", "/admin/imports", authz.ImportRoster, t, s.adminImportUpload, nil},
		{"GET", "/admin/imports/{id}", authz.ImportRoster, t, s.adminImport, nil},
		{"POST", "/admin/imports/{id}/apply", authz.ImportRoster, t, s.adminImportApply, nil},
		{"POST", "/admin/imports/{id}/discard", authz.ImportRoster, t, s.adminImportDiscard, nil},
		{"GET", "/admin/imports/{id}/progress", authz.ImportRoster, t, s.adminImportProgress, nil},
		{"GET", "/admin/imports/{id}/problems.csv", authz.ImportRoster, t, s.adminImportProblems, nil},
		{"GET", "/admin/audit", authz.ViewAudit, t, s.adminAudit, nil},

		// JSON API.
		{"GET", "/api/v1/openapi.json", authz.Public, false, s.openAPI, nil},
		{"GET", "/api/v1/me", authz.Signed, t, s.apiMe, docMe},
		{"GET", "/api/v1/users", authz.ViewUsers, t, s.apiUsers, docUsers},
		{"POST", "/api/v1/users", authz.ManageUsers, t, s.apiCreateUser, docCreateUser},
		{"GET", "/api/v1/users/{id}", authz.ViewUsers, t, s.apiUser, docUser},
		{"GET", "/api/v1/schools", authz.ViewSchools, t, s.apiSchools, docSchools},
		{"GET", "/api/v1/terms", authz.ManageTerms, t, s.apiTerms, docTerms},
		{"GET", "/api/v1/sections", authz.ViewSections, t, s.apiSections, docSections},
		{"GET", "/api/v1/sections/{id}/roster", authz.ViewSections, t, s.apiRoster, docRoster},
		{"GET", "/api/v1/imports/{id}", authz.ImportRoster, t, s.apiImport, docImport},
	}
	if s.Config.DevMailbox {
		rs = append(rs, route{"GET", "/dev/mailbox", authz.Public, t, s.mailbox, nil})
	}
	return rs
}
