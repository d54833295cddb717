package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
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

	DocFinalGrade              = &kit.APIDoc{Summary: "One student's grades with the history of their final-grade override", Description: "Teachers of the section only; 404 when the caller may not see that student.", Response: finalGradeResponse{}}
	DocSetFinalGradeOverride   = &kit.APIDoc{Summary: "Override a student's final grade", Description: "The same rules as the final-grade page: a percentage or a letter of the section's scheme, and a reason, which the history keeps with who and when. posted false keeps the override hidden from the student and guardians. Teachers of the section only (404 for a student the caller may not see); invalid input answers 422 with each field's message. Send the X-CSRF-Token header.", Body: finalGradeOverrideRequest{}, Response: finalGradeResponse{}}
	DocClearFinalGradeOverride = &kit.APIDoc{Summary: "Clear a student's final-grade override", Description: "The calculated grade shows again; the history keeps the removal and its reason. 404 when no override is set. Send the X-CSRF-Token header.", Query: []kit.Param{{Name: "reason", Type: "string", Description: "Why it is cleared (at most 500 characters; default \"override cleared\")"}}, Response: finalGradeResponse{}}

	DocSectionAssignments = &kit.APIDoc{Summary: "A section's assignments the caller may see (published ones for students and guardians)", Response: assignmentList{}}
	DocCreateAssignment   = &kit.APIDoc{Summary: "Add a draft assignment to a section", Description: "Times are wall-clock values in the school's time zone (2026-12-01T23:59, or a date for 23:59 that day). Send the X-CSRF-Token header.", Body: coursework.AssignmentInput{}, Status: http.StatusCreated, Response: coursework.Assignment{}}
	DocAssignment         = &kit.APIDoc{Summary: "One assignment", Description: "For a student or guardian, before the assignment opens (unlockAt), lockedForUser is true, lockExplanation says when it opens, and the instructions, rubric and attachments are withheld; submissions are refused until then and after lockAt.", Response: coursework.Assignment{}}
	DocPublish            = &kit.APIDoc{Summary: "Publish or unpublish an assignment", Body: publishRequest{}, Response: coursework.Assignment{}}
	DocWork               = &kit.APIDoc{Summary: "Where each student stands on an assignment: attempts, effective due date, state, grade", Response: workList{}}
	DocMyWork             = &kit.APIDoc{Summary: "The calling student's state, attempts and posted grade", Response: myWorkResponse{}}
	DocSubmit             = &kit.APIDoc{Summary: "Hand in text or a link as the next attempt", Body: coursework.SubmissionInput{}, Status: http.StatusCreated, Response: coursework.Submission{}}
	DocSaveGrade          = &kit.APIDoc{Summary: "Set a student's grade; rating every rubric criterion fills an empty score", Description: "status: late, missing, excused or none (empty: as the dates say). Every change is kept in the grade's trail with the reason.", Body: coursework.GradeInput{}, Response: coursework.Grade{}}
	DocSectionGrades      = &kit.APIDoc{Summary: "Course grades of the section's students the caller may see", Description: "Per student: current and final percentages (two decimals, half up) and letters, each assignment group and grading period, every item after late and missing policies, what drop rules removed and why, and mastery of each outcome the section measures (the score by the outcome's calculation method and whether it meets the mastery points; students and guardians: from posted grades only). Teachers see every student, a student themselves, a guardian their linked children; students and guardians see posted grades only.", Response: gradeReports{}}
	DocStudentGrades      = &kit.APIDoc{Summary: "One student's grades in a section", Description: "As for the section's grades, mastery included; 404 when the caller may not see that student.", Response: grading.Report{}}
	DocPostGrades         = &kit.APIDoc{Summary: "Post every unposted grade of an assignment", Response: postedResponse{}}

	DocUpdateAssignment = &kit.APIDoc{Summary: "Change an assignment", Description: "The whole input, as for creating it (sectionIds lists every section it is posted to). Send the X-CSRF-Token header.", Body: coursework.AssignmentInput{}, Response: coursework.Assignment{}}
	DocDueDates         = &kit.APIDoc{Summary: "An assignment's due date and its per-section and per-student overrides", Response: dueDates{}}
	DocSetDueOverride   = &kit.APIDoc{Summary: "Give one section or one student its own due date, or remove it", Description: "A student's override wins over their section's. Answers the assignment's due dates.", Body: overrideRequest{}, Response: dueDates{}}
	DocAttachments      = &kit.APIDoc{Summary: "An assignment's files (download each with GET /files/{id})", Response: fileList{}}
	DocAttach           = &kit.APIDoc{Summary: "Upload a file and attach it to an assignment", Description: "Multipart, one part named file. The type is read from the content; a file whose content is not an accepted type, or that is too large, answers 422 with the reason. Send the X-CSRF-Token header.", Body: fileUploadForm{}, BodyType: "multipart/form-data", Status: http.StatusCreated, Response: coursework.File{}}
	DocSubmitFile       = &kit.APIDoc{Summary: "Upload a file and hand it in as the next attempt", Description: "As for attachments: multipart, one part named file, checked by content and size. 422 when the assignment is closed or takes no files.", Body: fileUploadForm{}, BodyType: "multipart/form-data", Status: http.StatusCreated, Response: coursework.Submission{}}
	DocAttempts         = &kit.APIDoc{Summary: "One student's attempts at an assignment, newest first", Response: attemptList{}}
	DocAnnouncements    = &kit.APIDoc{Summary: "A section's announcements, newest first (50 at most)", Response: announcementList{}}
	DocAnnounce         = &kit.APIDoc{Summary: "Post an announcement to a section", Description: "Answers the section's announcements. Send the X-CSRF-Token header.", Body: announcementRequest{}, Status: http.StatusCreated, Response: announcementList{}}
	DocGroups           = &kit.APIDoc{Summary: "A section's assignment groups, in order", Response: groupList{}}
	DocCreateGroup      = &kit.APIDoc{Summary: "Add an assignment group to a section", Description: "weight: a percentage from 0 to 100, or empty. Send the X-CSRF-Token header.", Body: coursework.GroupInput{}, Status: http.StatusCreated, Response: coursework.Group{}}
	DocRubrics          = &kit.APIDoc{Summary: "Rubrics the teacher may use: their own and their school's", Response: rubricList{}}
	DocCreateRubric     = &kit.APIDoc{Summary: "Build a rubric", Description: "Each criterion's levels are lines of \"points title\", best first (\"5 Clear and arguable\"). Send the X-CSRF-Token header.", Body: rubrics.Input{}, Status: http.StatusCreated, Response: rubrics.Rubric{}}
	DocRubric           = &kit.APIDoc{Summary: "One rubric (a student or guardian reads the rubrics of assignments they see)", Response: rubrics.Rubric{}}
	DocUpdateRubric     = &kit.APIDoc{Summary: "Change a rubric you own", Description: "Others' rubrics answer 404. Once a grade was rated with the rubric its criteria and levels cannot change (422 says so); its title can. Send the X-CSRF-Token header.", Body: rubrics.Input{}, Response: rubrics.Rubric{}}
	DocDeleteRubric     = &kit.APIDoc{Summary: "Delete a rubric you own that no assignment uses", Description: "422 when any assignment (in any section, deleted ones included) uses it; 403 for a colleague's rubric. Send the X-CSRF-Token header.", Response: deletedResponse{}}

	DocUpdateAnnouncement = &kit.APIDoc{Summary: "Change an announcement of a section you teach", Description: "Any of the section's teachers may; the author and posting time stay, editedAt records the change. Send the X-CSRF-Token header.", Body: announcementRequest{}, Response: coursework.Announcement{}}
	DocDeleteAnnouncement = &kit.APIDoc{Summary: "Delete an announcement of a section you teach", Description: "Send the X-CSRF-Token header.", Response: deletedResponse{}}
	DocUpdateGroup        = &kit.APIDoc{Summary: "Rename an assignment group or change its weight", Description: "weight: a percentage from 0 to 100, or empty. Drop rules are in the section's grading settings. Send the X-CSRF-Token header.", Body: coursework.GroupInput{}, Response: coursework.Group{}}
	DocDeleteGroup        = &kit.APIDoc{Summary: "Delete an assignment group, moving its assignments to another group", Description: "A group with assignments needs moveTo, another group of the same section: its assignments and their never-drop marks move there first (422 without it). Send the X-CSRF-Token header.",
		Query: []kit.Param{{Name: "moveTo", Type: "string", Description: "The group of the same section that receives the assignments"}}, Response: deletedResponse{}}
	DocDeleteAssignment = &kit.APIDoc{Summary: "Delete an assignment", Description: "Only a teacher of every section it is posted to. Without submissions or grades it is removed (result deleted); with any it is archived: it leaves every page, the gradebook, grades and this API, while its submissions, grades and grade history are kept. Send the X-CSRF-Token header.", Response: deletedResponse{}}
)
