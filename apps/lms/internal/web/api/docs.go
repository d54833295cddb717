package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/web/admin"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// The JSON API's routes name these documents (web/routes.go). The
// OpenAPI document is generated from the request and response types they
// name (each beside its endpoint), so a field added to a type appears in
// the document without anyone remembering to.
var (
	DocMe           = &kit.APIDoc{Summary: "The signed-in user, their roles and the CSRF token", Response: meResponse{}}
	DocUsers        = &kit.APIDoc{Summary: "List and search users", Response: usersResponse{}, Query: []kit.Param{{Name: "q", Type: "string", Description: "Matches name or e-mail"}, {Name: "role", Type: "string", Description: "district_admin, school_admin, teacher, student or guardian"}, {Name: "status", Type: "string", Description: "active or deactivated"}, {Name: "sort", Type: "string", Description: "name, email, newest or last-login"}, {Name: "limit", Type: "integer", Description: "1 to 200 (default 50)"}, {Name: "offset", Type: "integer", Description: "Rows to skip"}}}
	DocCreateUser   = &kit.APIDoc{Summary: "Add a user with one role", Description: "Returns the user and a one-time invitation URL. Send the X-CSRF-Token header (from /api/v1/me).", Body: newUserRequest{}, Status: http.StatusCreated, Response: createdUserResponse{}}
	DocUser         = &kit.APIDoc{Summary: "One user and their roles", Response: userDetailResponse{}}
	DocSchools      = &kit.APIDoc{Summary: "Schools, as the directory publishes them", Response: schoolList{}}
	DocTerms        = &kit.APIDoc{Summary: "Academic terms", Response: termList{}}
	DocSections     = &kit.APIDoc{Summary: "Sections the caller teaches, takes, has children in, or administers", Response: sectionList{}}
	DocRoster       = &kit.APIDoc{Summary: "People in a section", Response: rosterList{}}
	DocImport       = &kit.APIDoc{Summary: "An import's status and progress", Response: admin.ImportProgress{}}
	DocCreateImport = &kit.APIDoc{Summary: "Check a roster upload and store it as a preview", Description: "Multipart upload of the same formats as the admin page (OneRoster 1.1 .zip or CSV files, or a users CSV); nothing changes until apply. Answers the preview: counts per kind, the reconciliation table, per-file row accounting, problems and warnings. Send the X-CSRF-Token header (from /api/v1/me).",
		Body: importUploadForm{}, BodyType: "multipart/form-data", Status: http.StatusCreated, Response: importPreview{}}
	DocApplyImport   = &kit.APIDoc{Summary: "Apply a previewed import", Description: "Queues the import; poll GET /api/v1/imports/{id} for progress. 409 when it is not previewed, has problems or changes nothing.", Status: http.StatusAccepted, Response: importPreview{}}
	DocDiscardImport = &kit.APIDoc{Summary: "Discard a previewed import and its files", Description: "409 when it is not previewed.", Response: importPreview{}}
)
