package web

import "bellwork.dev/bellwork/apps/lms/internal/authz"

// probeRoutes are the probe listener's whole table (ProbeHandler): the
// kubelet's and Prometheus's endpoints. They name every district, so they
// are not on the tenant listener, which anyone on the internet reaches.
func (s *Server) probeRoutes() []route {
	return []route{
		probe("GET /healthz", s.healthz),
		probe("GET /readyz", s.readyz),
		probe("GET /metrics", s.metricsPage),
	}
}

// routes is the tenant listener's whole table: every page and endpoint
// districts use. Each entry is built by a helper that says what kind of
// route it is (routekit.go); page routes name every template they render,
// so a missing template stops the server at start instead of failing a
// request.
func (s *Server) routes() []route {
	rs := []route{
		// Assets: no tenant.
		static("GET /assets/{file}", s.asset),

		// Signing in.
		page("GET /signin", authz.Public, s.signinForm, "signin"),
		page("POST /signin", authz.Public, s.signin, "signin"),
		page("GET /invitations/{token}", authz.Public, s.invitationForm, "invitation"),
		page("POST /invitations/{token}", authz.Public, s.acceptInvitation, "invitation"),
		page("GET /password/forgot", authz.Public, s.forgotForm, "forgot"),
		page("POST /password/forgot", authz.Public, s.forgot, "forgot"),
		page("GET /password/reset/{token}", authz.Public, s.resetForm, "reset"),
		page("POST /password/reset/{token}", authz.Public, s.reset, "reset"),
		action("GET /oidc/start", authz.Public, s.oidcStart),
		action("GET /oidc/callback", authz.Public, s.oidcCallback),

		// Signed in, any role.
		page("GET /{$}", authz.Signed, s.home, "home_none", "home_teacher", "home_student", "home_guardian", "home_admin"),
		action("POST /signout", authz.Signed, s.signout),
		action("POST /signout/everywhere", authz.Signed, s.signoutEverywhere),
		action("POST /role", authz.Signed, s.switchRole),
		page("GET /profile", authz.Signed, s.profileForm, "profile"),
		page("POST /profile", authz.Signed, s.saveProfile, "profile"),

		// Plan, Teach, Learn, Assess, Report.
		page("GET /plan", authz.ViewTeaching, s.plan, "plan"),
		page("GET /teach", authz.ViewTeaching, s.teach, "teach"),
		page("GET /teach/sections/{id}", authz.ViewTeaching, s.section, "section"),
		page("GET /learn", authz.ViewLearning, s.learn, "learn"),
		page("GET /assess", authz.ViewGradebook, s.assess, "assess"),
		page("GET /assess/sections/{id}", authz.ViewGradebook, s.gradebook, "gradebook"),
		page("GET /report", authz.ViewReports, s.report, "report"),

		// Admin. Forms that fail validation show their page again, so
		// their POST routes name it too.
		page("GET /admin/users", authz.ViewUsers, s.adminUsers, "admin_users"),
		page("GET /admin/users/new", authz.ManageUsers, s.adminUserNew, "admin_user_new"),
		page("POST /admin/users", authz.ManageUsers, s.adminUserCreate, "admin_user_new"),
		page("GET /admin/users/{id}", authz.ViewUsers, s.adminUser, "admin_user"),
		page("POST /admin/users/{id}/profile", authz.ManageUsers, s.adminUserProfile, "admin_user"),
		page("POST /admin/users/{id}/status", authz.ManageUsers, s.adminUserStatus, "admin_user"),
		page("POST /admin/users/{id}/reset", authz.ManageUsers, s.adminUserReset, "admin_user"),
		page("POST /admin/users/{id}/roles", authz.ManageUsers, s.adminUserAddRole, "admin_user"),
		page("POST /admin/users/{id}/roles/{mid}/delete", authz.ManageUsers, s.adminUserRemoveRole, "admin_user"),
		page("GET /admin/schools", authz.ViewSchools, s.adminSchools, "admin_schools"),
		page("GET /admin/schools/{id}", authz.ViewSchools, s.adminSchool, "admin_school"),
		page("GET /admin/terms", authz.ManageTerms, s.adminTerms, "admin_terms"),
		page("POST /admin/terms", authz.ManageTerms, s.adminTermCreate, "admin_terms"),
		page("GET /admin/terms/{id}", authz.ManageTerms, s.adminTerm, "admin_term"),
		page("POST /admin/terms/{id}", authz.ManageTerms, s.adminTermUpdate, "admin_term"),
		page("POST /admin/terms/{id}/delete", authz.ManageTerms, s.adminTermDelete, "admin_terms"),
		page("GET /admin/imports", authz.ImportRoster, s.adminImports, "admin_imports"),
		page("POST /admin/imports", authz.ImportRoster, s.adminImportUpload, "admin_imports"),
		page("GET /admin/imports/{id}", authz.ImportRoster, s.adminImport, "admin_import"),
		action("POST /admin/imports/{id}/apply", authz.ImportRoster, s.adminImportApply),
		action("POST /admin/imports/{id}/discard", authz.ImportRoster, s.adminImportDiscard),
		action("GET /admin/imports/{id}/progress", authz.ImportRoster, s.adminImportProgress),
		action("GET /admin/imports/{id}/problems.csv", authz.ImportRoster, s.adminImportProblems),
		page("GET /admin/audit", authz.ViewAudit, s.adminAudit, "admin_audit"),

		// JSON API: each names its request and response types, from
		// which the OpenAPI document is generated (openapi.go).
		static("GET /api/v1/openapi.json", s.openAPI),
		api("GET /api/v1/me", authz.Signed, s.apiMe, docMe),
		api("GET /api/v1/users", authz.ViewUsers, s.apiUsers, docUsers),
		api("POST /api/v1/users", authz.ManageUsers, s.apiCreateUser, docCreateUser),
		api("GET /api/v1/users/{id}", authz.ViewUsers, s.apiUser, docUser),
		api("GET /api/v1/schools", authz.ViewSchools, s.apiSchools, docSchools),
		api("GET /api/v1/terms", authz.ManageTerms, s.apiTerms, docTerms),
		api("GET /api/v1/sections", authz.ViewSections, s.apiSections, docSections),
		api("GET /api/v1/sections/{id}/roster", authz.ViewSections, s.apiRoster, docRoster),
		api("GET /api/v1/imports/{id}", authz.ImportRoster, s.apiImport, docImport),
	}
	if s.Config.DevMailbox {
		rs = append(rs, page("GET /dev/mailbox", authz.Public, s.mailbox, "mailbox"))
	}
	return rs
}
