package web

import (
	"bellwork.dev/bellwork/apps/lms/internal/authz"
	"bellwork.dev/bellwork/apps/lms/internal/web/account"
	"bellwork.dev/bellwork/apps/lms/internal/web/admin"
	"bellwork.dev/bellwork/apps/lms/internal/web/api"
	"bellwork.dev/bellwork/apps/lms/internal/web/assess"
	"bellwork.dev/bellwork/apps/lms/internal/web/guardian"
	"bellwork.dev/bellwork/apps/lms/internal/web/home"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/apps/lms/internal/web/learn"
	"bellwork.dev/bellwork/apps/lms/internal/web/ofrep"
	"bellwork.dev/bellwork/apps/lms/internal/web/plan"
	"bellwork.dev/bellwork/apps/lms/internal/web/report"
	"bellwork.dev/bellwork/apps/lms/internal/web/teach"
)

// probeRoutes are the probe listener's whole table (ProbeHandler): the
// kubelet's and Prometheus's endpoints. They name every district, so they
// are not on the tenant listener, which anyone on the internet reaches.
func (s *Server) probeRoutes() []kit.Route {
	return []kit.Route{
		kit.Probe("GET /healthz", s.healthz),
		kit.Probe("GET /readyz", s.readyz),
		kit.Probe("GET /metrics", s.metricsPage),
	}
}

// routes is the tenant listener's whole table: every page and endpoint
// districts use. Each entry is built by a helper of the kit
// (kit/routekit.go) around a handler of one area package (account, admin,
// teach, …); page routes name every template they render, so a missing
// template stops the server at start instead of failing a request.
func (s *Server) routes() []kit.Route {
	acc, homes, adm := account.New(s.Kit), home.New(s.Kit), admin.New(s.Kit)
	planning, teaching, learning := plan.New(s.Kit), teach.New(s.Kit), learn.New(s.Kit)
	assessing, reports, jsonAPI := assess.New(s.Kit), report.New(s.Kit), api.New(s.Kit)
	flagService := ofrep.New(s.Kit)
	portal := guardian.New(s.Kit)
	rs := []kit.Route{
		// Assets: no tenant.
		kit.Static("GET /assets/{file}", s.asset),

		// Signing in.
		kit.Page("GET /signin", authz.Public, acc.SigninForm, "signin"),
		kit.Page("POST /signin", authz.Public, acc.Signin, "signin"),
		kit.Page("GET /invitations/{token}", authz.Public, acc.InvitationForm, "invitation"),
		kit.Page("POST /invitations/{token}", authz.Public, acc.AcceptInvitation, "invitation"),
		kit.Page("GET /password/forgot", authz.Public, acc.ForgotForm, "forgot"),
		kit.Page("POST /password/forgot", authz.Public, acc.Forgot, "forgot"),
		kit.Page("GET /password/reset/{token}", authz.Public, acc.ResetForm, "reset"),
		kit.Page("POST /password/reset/{token}", authz.Public, acc.Reset, "reset"),
		kit.Action("GET /oidc/start", authz.Public, acc.OIDCStart),
		kit.Action("GET /oidc/callback", authz.Public, acc.OIDCCallback),

		// Signed in, any role.
		kit.Page("GET /{$}", authz.Signed, homes.Home, "home_none", "home_teacher", "home_student", "home_guardian", "home_admin"),
		kit.Action("POST /signout", authz.Signed, acc.Signout),
		kit.Action("POST /signout/everywhere", authz.Signed, acc.SignoutEverywhere),
		kit.Action("POST /role", authz.Signed, acc.SwitchRole),
		kit.Page("GET /profile", authz.Signed, acc.ProfileForm, "profile"),
		kit.Page("POST /profile", authz.Signed, acc.SaveProfile, "profile"),

		// Plan, Teach, Learn, Assess, Report.
		kit.Page("GET /plan", authz.ViewTeaching, planning.Plan, "plan"),
		kit.Page("GET /teach", authz.ViewTeaching, teaching.Teach, "teach"),
		kit.Page("GET /teach/sections/{id}", authz.ViewTeaching, teaching.Section, "section"),
		kit.Action("GET /teach/sections/{id}/roster.csv", authz.ViewTeaching, teaching.RosterCSV),
		kit.Page("POST /teach/sections/{id}/announcements", authz.ManageCoursework, teaching.Announce, "section"),
		kit.Page("POST /teach/sections/{id}/groups", authz.ManageCoursework, teaching.AddGroup, "section"),
		kit.Page("GET /teach/announcements/{id}/edit", authz.ManageCoursework, teaching.EditAnnouncement, "announcement_form"),
		kit.Page("POST /teach/announcements/{id}", authz.ManageCoursework, teaching.UpdateAnnouncement, "announcement_form"),
		kit.Page("GET /teach/announcements/{id}/delete", authz.ManageCoursework, teaching.ConfirmDeleteAnnouncement, "confirm_delete"),
		kit.Action("POST /teach/announcements/{id}/delete", authz.ManageCoursework, teaching.DeleteAnnouncement),
		kit.Page("GET /teach/groups/{id}/edit", authz.ManageCoursework, teaching.EditGroup, "group_form"),
		kit.Page("POST /teach/groups/{id}", authz.ManageCoursework, teaching.UpdateGroup, "group_form"),
		kit.Page("GET /teach/groups/{id}/delete", authz.ManageCoursework, teaching.ConfirmDeleteGroup, "confirm_delete"),
		kit.Page("POST /teach/groups/{id}/delete", authz.ManageCoursework, teaching.DeleteGroup, "confirm_delete"),
		kit.Page("GET /teach/sections/{id}/assignments/new", authz.ManageCoursework, teaching.NewAssignment, "assignment_form"),
		kit.Page("POST /teach/sections/{id}/assignments", authz.ManageCoursework, teaching.CreateAssignment, "assignment_form"),
		kit.Page("GET /teach/assignments/{id}", authz.ManageCoursework, teaching.Assignment, "assignment_teacher"),
		kit.Page("GET /teach/assignments/{id}/edit", authz.ManageCoursework, teaching.EditAssignment, "assignment_form"),
		kit.Page("POST /teach/assignments/{id}", authz.ManageCoursework, teaching.UpdateAssignment, "assignment_form"),
		kit.Action("POST /teach/assignments/{id}/publish", authz.ManageCoursework, teaching.Publish),
		kit.Page("GET /teach/assignments/{id}/delete", authz.ManageCoursework, teaching.ConfirmDeleteAssignment, "confirm_delete"),
		kit.Action("POST /teach/assignments/{id}/delete", authz.ManageCoursework, teaching.DeleteAssignment),
		kit.Page("POST /teach/assignments/{id}/overrides", authz.ManageCoursework, teaching.SetOverride, "assignment_teacher"),
		kit.Upload("POST /teach/assignments/{id}/attachments", authz.ManageCoursework, teaching.Attach, "assignment_teacher"),
		kit.Page("GET /teach/assignments/{id}/grade", authz.GradeWork, teaching.GradeFirst, "grading"),
		kit.Page("GET /teach/assignments/{id}/grade/{student}", authz.GradeWork, teaching.Grade, "grading"),
		kit.Page("POST /teach/assignments/{id}/grade/{student}", authz.GradeWork, teaching.SaveGrade, "grading"),
		kit.Action("POST /teach/assignments/{id}/post", authz.GradeWork, teaching.PostGrades),
		kit.Page("GET /teach/rubrics", authz.ManageCoursework, teaching.Rubrics, "rubrics"),
		kit.Page("GET /teach/rubrics/new", authz.ManageCoursework, teaching.NewRubric, "rubric_form"),
		kit.Page("POST /teach/rubrics", authz.ManageCoursework, teaching.CreateRubric, "rubric_form"),
		kit.Page("GET /teach/rubrics/{id}", authz.ManageCoursework, teaching.Rubric, "rubric_form"),
		kit.Page("POST /teach/rubrics/{id}", authz.ManageCoursework, teaching.UpdateRubric, "rubric_form"),
		kit.Page("GET /teach/rubrics/{id}/delete", authz.ManageCoursework, teaching.ConfirmDeleteRubric, "confirm_delete"),
		kit.Page("POST /teach/rubrics/{id}/delete", authz.ManageCoursework, teaching.DeleteRubric, "confirm_delete"),
		kit.Page("GET /learn", authz.ViewLearning, learning.Learn, "learn"),
		kit.Page("GET /learn/sections/{id}", authz.ViewLearning, learning.Section, "learn_section"),
		kit.Page("GET /learn/assignments/{id}", authz.SubmitWork, learning.Assignment, "assignment_student"),
		kit.Page("POST /learn/assignments/{id}/submissions", authz.SubmitWork, learning.Submit, "assignment_student"),
		kit.Upload("POST /learn/assignments/{id}/upload", authz.SubmitWork, learning.SubmitFile, "assignment_student"),
		kit.Action("GET /files/{id}", authz.ViewFiles, s.file),

		// Guardian portal (the home page is GET / acting as a guardian).
		kit.Page("GET /guardian/children/{child}/assignments/{id}", authz.ViewChildren, portal.Assignment, "assignment_guardian"),
		kit.Page("GET /guardian/link", authz.LinkChild, portal.LinkForm, "guardian_link"),
		kit.Page("GET /guardian/alerts", authz.ManageAlerts, portal.AlertsForm, "guardian_alerts"),
		kit.Page("POST /guardian/alerts", authz.ManageAlerts, portal.SaveAlerts, "guardian_alerts"),
		// The digest's one-click unsubscribe: the signed link is the authority.
		kit.SignedLink("GET /unsubscribe/{token}", portal.UnsubscribeForm, "unsubscribe"),
		kit.SignedLink("POST /unsubscribe/{token}", portal.Unsubscribe, "unsubscribe"),
		kit.Page("POST /guardian/link", authz.LinkChild, portal.Link, "guardian_link"),
		kit.Page("GET /learn/pairing", authz.ShareWithGuardian, portal.PairingForm, "pairing_code"),
		kit.Page("POST /learn/pairing", authz.ShareWithGuardian, portal.CreatePairingCode, "pairing_code"),
		kit.Page("POST /admin/users/{student}/pairing", authz.IssuePairingCode, portal.CreatePairingCode, "pairing_code"),
		kit.Page("GET /assess", authz.ViewGradebook, assessing.Assess, "assess"),
		kit.Page("GET /assess/sections/{id}", authz.ViewGradebook, assessing.Gradebook, "gradebook"),
		kit.Action("GET /assess/sections/{id}/gradebook.csv", authz.ViewGradebook, assessing.GradebookCSV),
		kit.Page("GET /assess/sections/{id}/outcomes", authz.ViewGradebook, assessing.Outcomes, "gradebook_outcomes"),
		kit.Page("GET /assess/sections/{id}/students/{student}", authz.ViewGradebook, assessing.FinalGrade, "final_grade"),
		kit.Page("POST /assess/sections/{id}/students/{student}/override", authz.GradeWork, assessing.OverrideFinalGrade, "final_grade"),
		kit.Page("POST /assess/sections/{id}/students/{student}/override/clear", authz.GradeWork, assessing.ClearFinalGrade, "final_grade"),
		kit.Page("GET /teach/sections/{id}/outcomes", authz.ManageCoursework, teaching.SectionOutcomes, "outcomes"),
		kit.Page("POST /teach/sections/{id}/outcomes", authz.ManageCoursework, teaching.CreateOutcome, "outcomes"),
		kit.Page("GET /teach/outcomes/{id}", authz.ManageCoursework, teaching.Outcome, "outcomes"),
		kit.Page("POST /teach/outcomes/{id}", authz.ManageCoursework, teaching.UpdateOutcome, "outcomes"),
		kit.Page("POST /teach/outcomes/{id}/archive", authz.ManageCoursework, teaching.ArchiveOutcome, "outcomes"),
		kit.Page("POST /teach/outcomes/{id}/restore", authz.ManageCoursework, teaching.RestoreOutcome, "outcomes"),
		kit.Page("GET /teach/sections/{id}/grading", authz.ManageCoursework, teaching.GradingSettings, "grading_settings"),
		kit.Page("POST /teach/sections/{id}/grading", authz.ManageCoursework, teaching.SaveGradingSettings, "grading_settings"),
		kit.Page("GET /report", authz.ViewReports, reports.Report, "report"),

		// Admin. Forms that fail validation show their page again, so
		// their POST routes name it too.
		kit.Page("GET /admin/users", authz.ViewUsers, adm.Users, "admin_users"),
		kit.Page("GET /admin/users/new", authz.ManageUsers, adm.UserNew, "admin_user_new"),
		kit.Page("POST /admin/users", authz.ManageUsers, adm.UserCreate, "admin_user_new"),
		kit.Page("GET /admin/users/{id}", authz.ViewUsers, adm.User, "admin_user"),
		kit.Page("POST /admin/users/{id}/profile", authz.ManageUsers, adm.UserProfile, "admin_user"),
		kit.Page("POST /admin/users/{id}/status", authz.ManageUsers, adm.UserStatus, "admin_user"),
		kit.Page("POST /admin/users/{id}/reset", authz.ManageUsers, adm.UserReset, "admin_user"),
		kit.Page("POST /admin/users/{id}/roles", authz.ManageUsers, adm.UserAddRole, "admin_user"),
		kit.Page("POST /admin/users/{id}/roles/{mid}/delete", authz.ManageUsers, adm.UserRemoveRole, "admin_user"),
		kit.Page("GET /admin/schools", authz.ViewSchools, adm.Schools, "admin_schools"),
		kit.Page("GET /admin/schools/{id}", authz.ViewSchools, adm.School, "admin_school"),
		kit.Page("GET /admin/terms", authz.ManageTerms, adm.Terms, "admin_terms"),
		kit.Page("POST /admin/terms", authz.ManageTerms, adm.TermCreate, "admin_terms"),
		kit.Page("GET /admin/terms/{id}", authz.ManageTerms, adm.Term, "admin_term"),
		kit.Page("POST /admin/terms/{id}", authz.ManageTerms, adm.TermUpdate, "admin_term"),
		kit.Page("POST /admin/terms/{id}/delete", authz.ManageTerms, adm.TermDelete, "admin_terms"),
		kit.Page("GET /admin/imports", authz.ImportRoster, adm.Imports, "admin_imports"),
		kit.Page("POST /admin/imports", authz.ImportRoster, adm.ImportUpload, "admin_imports").Uploads(),
		kit.Page("POST /admin/imports/name-order", authz.ImportRoster, adm.ImportNameOrder, "admin_imports"),
		kit.Page("GET /admin/imports/{id}", authz.ImportRoster, adm.Import, "admin_import"),
		kit.Action("POST /admin/imports/{id}/apply", authz.ImportRoster, adm.ImportApply),
		kit.Action("POST /admin/imports/{id}/discard", authz.ImportRoster, adm.ImportDiscard),
		kit.Action("GET /admin/imports/{id}/progress", authz.ImportRoster, adm.Progress),
		kit.Action("GET /admin/imports/{id}/problems.csv", authz.ImportRoster, adm.ImportProblems),
		kit.Page("POST /admin/imports/sync", authz.SyncRoster, adm.SyncSave, "admin_imports"),
		kit.Page("POST /admin/imports/sync/run", authz.SyncRoster, adm.SyncNow, "admin_imports"),
		kit.Page("GET /admin/audit", authz.ViewAudit, adm.Audit, "admin_audit"),
		kit.Page("GET /admin/flags", authz.ViewFlags, adm.Flags, "admin_flags"),
		kit.Page("GET /admin/outcomes", authz.ManageOutcomes, adm.Outcomes, "admin_outcomes"),
		kit.Page("POST /admin/outcomes", authz.ManageOutcomes, adm.OutcomeCreate, "admin_outcomes"),
		kit.Page("GET /admin/outcomes/{id}", authz.ManageOutcomes, adm.Outcome, "admin_outcome"),
		kit.Page("POST /admin/outcomes/{id}", authz.ManageOutcomes, adm.OutcomeUpdate, "admin_outcome"),
		kit.Page("POST /admin/outcomes/{id}/archive", authz.ManageOutcomes, adm.OutcomeArchive, "admin_outcome"),
		kit.Page("POST /admin/outcomes/{id}/restore", authz.ManageOutcomes, adm.OutcomeRestore, "admin_outcome"),
		kit.Page("GET /admin/health", authz.ViewHealth, adm.HealthChecks, "admin_health"),

		// JSON API: each names its request and response types, from
		// which the OpenAPI api.Document is generated (openapi.go).
		kit.Static("GET /api/v1/openapi.json", s.openAPI),
		kit.API("GET /api/v1/me", authz.Signed, jsonAPI.Me, api.DocMe),
		kit.API("GET /api/v1/users", authz.ViewUsers, jsonAPI.Users, api.DocUsers),
		kit.API("POST /api/v1/users", authz.ManageUsers, jsonAPI.CreateUser, api.DocCreateUser),
		kit.API("GET /api/v1/users/{id}", authz.ViewUsers, jsonAPI.User, api.DocUser),
		kit.API("GET /api/v1/schools", authz.ViewSchools, jsonAPI.Schools, api.DocSchools),
		kit.API("GET /api/v1/terms", authz.ManageTerms, jsonAPI.Terms, api.DocTerms),
		kit.API("GET /api/v1/sections", authz.ViewSections, jsonAPI.Sections, api.DocSections),
		kit.API("GET /api/v1/sections/{id}/roster", authz.ViewSections, jsonAPI.Roster, api.DocRoster),
		kit.API("GET /api/v1/imports/{id}", authz.ImportRoster, jsonAPI.Import, api.DocImport),
		kit.API("POST /api/v1/imports", authz.ImportRoster, jsonAPI.CreateImport, api.DocCreateImport).Uploads(),
		kit.API("POST /api/v1/imports/{id}/apply", authz.ImportRoster, jsonAPI.ApplyImport, api.DocApplyImport),
		kit.API("POST /api/v1/imports/{id}/discard", authz.ImportRoster, jsonAPI.DiscardImport, api.DocDiscardImport),
		kit.API("GET /api/v1/sections/{id}/assignments", authz.ViewSections, jsonAPI.SectionAssignments, api.DocSectionAssignments),
		kit.API("POST /api/v1/sections/{id}/assignments", authz.ManageCoursework, jsonAPI.CreateAssignment, api.DocCreateAssignment),
		kit.API("GET /api/v1/assignments/{id}", authz.ViewSections, jsonAPI.Assignment, api.DocAssignment),
		kit.API("POST /api/v1/assignments/{id}/publish", authz.ManageCoursework, jsonAPI.Publish, api.DocPublish),
		kit.API("GET /api/v1/assignments/{id}/work", authz.GradeWork, jsonAPI.Work, api.DocWork),
		kit.API("GET /api/v1/assignments/{id}/my-work", authz.SubmitWork, jsonAPI.MyWork, api.DocMyWork),
		kit.API("POST /api/v1/assignments/{id}/submissions", authz.SubmitWork, jsonAPI.Submit, api.DocSubmit),
		kit.API("PUT /api/v1/assignments/{id}/grades/{student}", authz.GradeWork, jsonAPI.SaveGrade, api.DocSaveGrade),
		kit.API("POST /api/v1/assignments/{id}/grades/post", authz.GradeWork, jsonAPI.PostGrades, api.DocPostGrades),
		kit.API("PUT /api/v1/assignments/{id}", authz.ManageCoursework, jsonAPI.UpdateAssignment, api.DocUpdateAssignment),
		kit.API("DELETE /api/v1/assignments/{id}", authz.ManageCoursework, jsonAPI.DeleteAssignment, api.DocDeleteAssignment),
		kit.API("GET /api/v1/assignments/{id}/overrides", authz.ManageCoursework, jsonAPI.DueDates, api.DocDueDates),
		kit.API("PUT /api/v1/assignments/{id}/overrides", authz.ManageCoursework, jsonAPI.SetDueOverride, api.DocSetDueOverride),
		kit.API("GET /api/v1/assignments/{id}/attachments", authz.ViewSections, jsonAPI.Attachments, api.DocAttachments),
		kit.API("POST /api/v1/assignments/{id}/attachments", authz.ManageCoursework, jsonAPI.Attach, api.DocAttach).Streams(),
		kit.API("POST /api/v1/assignments/{id}/upload", authz.SubmitWork, jsonAPI.SubmitFile, api.DocSubmitFile).Streams(),
		kit.API("GET /api/v1/assignments/{id}/submissions/{student}", authz.GradeWork, jsonAPI.Attempts, api.DocAttempts),
		kit.API("GET /api/v1/sections/{id}/announcements", authz.ViewSections, jsonAPI.Announcements, api.DocAnnouncements),
		kit.API("POST /api/v1/sections/{id}/announcements", authz.ManageCoursework, jsonAPI.Announce, api.DocAnnounce),
		kit.API("PUT /api/v1/announcements/{id}", authz.ManageCoursework, jsonAPI.UpdateAnnouncement, api.DocUpdateAnnouncement),
		kit.API("DELETE /api/v1/announcements/{id}", authz.ManageCoursework, jsonAPI.DeleteAnnouncement, api.DocDeleteAnnouncement),
		kit.API("GET /api/v1/sections/{id}/groups", authz.ViewSections, jsonAPI.Groups, api.DocGroups),
		kit.API("POST /api/v1/sections/{id}/groups", authz.ManageCoursework, jsonAPI.CreateGroup, api.DocCreateGroup),
		kit.API("PUT /api/v1/groups/{id}", authz.ManageCoursework, jsonAPI.UpdateGroup, api.DocUpdateGroup),
		kit.API("DELETE /api/v1/groups/{id}", authz.ManageCoursework, jsonAPI.DeleteGroup, api.DocDeleteGroup),
		kit.API("GET /api/v1/rubrics", authz.ManageCoursework, jsonAPI.Rubrics, api.DocRubrics),
		kit.API("POST /api/v1/rubrics", authz.ManageCoursework, jsonAPI.CreateRubric, api.DocCreateRubric),
		kit.API("GET /api/v1/rubrics/{id}", authz.ViewSections, jsonAPI.Rubric, api.DocRubric),
		kit.API("PUT /api/v1/rubrics/{id}", authz.ManageCoursework, jsonAPI.UpdateRubric, api.DocUpdateRubric),
		kit.API("DELETE /api/v1/rubrics/{id}", authz.ManageCoursework, jsonAPI.DeleteRubric, api.DocDeleteRubric),
		kit.API("GET /api/v1/sections/{id}/grades", authz.ViewSections, jsonAPI.SectionGrades, api.DocSectionGrades),
		kit.API("GET /api/v1/outcomes", authz.ViewSections, jsonAPI.Outcomes, api.DocOutcomes),
		kit.API("POST /api/v1/outcomes", authz.ManageOutcomes, jsonAPI.CreateOutcome, api.DocCreateOutcome),
		kit.API("POST /api/v1/sections/{id}/outcomes", authz.ManageCoursework, jsonAPI.CreateCourseOutcome, api.DocCreateCourseOutcome),
		kit.API("GET /api/v1/outcomes/{id}", authz.ViewSections, jsonAPI.Outcome, api.DocOutcome),
		kit.API("PUT /api/v1/outcomes/{id}", authz.EditOutcomes, jsonAPI.UpdateOutcome, api.DocUpdateOutcome),
		kit.API("POST /api/v1/outcomes/{id}/archive", authz.EditOutcomes, jsonAPI.ArchiveOutcome, api.DocArchiveOutcome),
		kit.API("POST /api/v1/outcomes/{id}/restore", authz.EditOutcomes, jsonAPI.RestoreOutcome, api.DocRestoreOutcome),
		kit.API("GET /api/v1/outcomes/{id}/history", authz.EditOutcomes, jsonAPI.OutcomeHistory, api.DocOutcomeHistory),
		kit.API("PUT /api/v1/assignments/{id}/outcomes/{outcome}", authz.ManageCoursework, jsonAPI.AttachAssignmentOutcome, api.DocAttachAssignmentOutcome),
		kit.API("DELETE /api/v1/assignments/{id}/outcomes/{outcome}", authz.ManageCoursework, jsonAPI.DetachAssignmentOutcome, api.DocDetachAssignmentOutcome),
		kit.API("PUT /api/v1/rubrics/{id}/criteria/{index}/outcome", authz.ManageCoursework, jsonAPI.LinkCriterionOutcome, api.DocLinkCriterionOutcome),
		kit.API("DELETE /api/v1/rubrics/{id}/criteria/{index}/outcome", authz.ManageCoursework, jsonAPI.UnlinkCriterionOutcome, api.DocUnlinkCriterionOutcome),
		kit.API("GET /api/v1/sections/{id}/grades/{student}", authz.ViewSections, jsonAPI.StudentGrades, api.DocStudentGrades),
		kit.API("GET /api/v1/sections/{id}/grades/{student}/override", authz.ViewGradebook, jsonAPI.FinalGrade, api.DocFinalGrade),
		kit.API("PUT /api/v1/sections/{id}/grades/{student}/override", authz.GradeWork, jsonAPI.SetFinalGradeOverride, api.DocSetFinalGradeOverride),
		kit.API("DELETE /api/v1/sections/{id}/grades/{student}/override", authz.GradeWork, jsonAPI.ClearFinalGradeOverride, api.DocClearFinalGradeOverride),

		// OpenFeature Remote Evaluation Protocol, for the district's
		// other services: a flag token, no session (kit.Service).
		kit.Service("POST /ofrep/v1/evaluate/flags/{key}", flagService.Evaluate),
		kit.Service("POST /ofrep/v1/evaluate/flags", flagService.EvaluateAll),
	}
	if s.Config.DevMailbox {
		rs = append(rs, kit.Page("GET /dev/mailbox", authz.Public, s.mailbox, "mailbox"))
	}
	return rs
}
