package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// apiDoc describes a JSON API route for the OpenAPI document.
type apiDoc struct {
	Summary     string
	Description string
	Query       []param
	Body        string // schema name of the request body
	Status      int    // success status
	Response    string // schema name of the success response
}

type param struct{ Name, Type, Description string }

var (
	docMe         = &apiDoc{Summary: "The signed-in user, their roles and the CSRF token", Response: "Me"}
	docUsers      = &apiDoc{Summary: "List and search users", Response: "UserList", Query: []param{{"q", "string", "Matches name or e-mail"}, {"role", "string", "district_admin, school_admin, teacher, student or guardian"}, {"status", "string", "active or deactivated"}, {"sort", "string", "name, email, newest or last-login"}, {"limit", "integer", "1 to 200 (default 50)"}, {"offset", "integer", "Rows to skip"}}}
	docCreateUser = &apiDoc{Summary: "Add a user with one role", Description: "Returns the user and a one-time invitation URL. Send the X-CSRF-Token header (from /api/v1/me).", Body: "NewUser", Status: http.StatusCreated, Response: "CreatedUser"}
	docUser       = &apiDoc{Summary: "One user and their roles", Response: "UserDetail"}
	docSchools    = &apiDoc{Summary: "Schools, as the directory publishes them", Response: "SchoolList"}
	docTerms      = &apiDoc{Summary: "Academic terms", Response: "TermList"}
	docSections   = &apiDoc{Summary: "Sections the caller teaches, takes, has children in, or administers", Response: "SectionList"}
	docRoster     = &apiDoc{Summary: "People in a section", Response: "Roster"}
	docImport     = &apiDoc{Summary: "An import's status and progress", Response: "Import"}
)

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// openAPI serves the OpenAPI 3.1 document generated from the route table,
// so it cannot miss or invent an endpoint.
func (s *Server) openAPI(c *call) {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes() {
		if rt.api == nil {
			continue
		}
		op := map[string]any{"summary": rt.api.Summary, "operationId": operationID(rt), "security": []any{map[string]any{"session": []any{}}}}
		if rt.api.Description != "" {
			op["description"] = rt.api.Description
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string", "format": "uuid"}})
		}
		for _, q := range rt.api.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": q.Type}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.api.Body != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(rt.api.Body)}}}
		}
		status := rt.api.Status
		if status == 0 {
			status = http.StatusOK
		}
		problem := map[string]any{"description": "Error", "content": map[string]any{"application/problem+json": map[string]any{"schema": ref("Problem")}}}
		op["responses"] = map[string]any{
			strconv.Itoa(status): map[string]any{"description": http.StatusText(status), "content": map[string]any{"application/json": map[string]any{"schema": ref(rt.api.Response)}}},
			"401":                problem, "403": problem, "404": problem, "default": problem,
		}
		if paths[rt.Pattern] == nil {
			paths[rt.Pattern] = map[string]any{}
		}
		paths[rt.Pattern][strings.ToLower(rt.Method)] = op
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "Bellwork LMS API", "version": "1", "description": "The LMS's resources for the signed-in user's district and role. Authenticate with the session cookie; unsafe methods need the X-CSRF-Token header."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie}},
			"schemas":         schemas,
		},
	}
	writeJSON(c, http.StatusOK, doc)
}

func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, part := range strings.Split(strings.TrimPrefix(rt.Pattern, "/api/v1/"), "/") {
		part = strings.Trim(part, "{}")
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func obj(required []string, props map[string]any) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if required != nil {
		o["required"] = required
	}
	return o
}

func str() map[string]any               { return map[string]any{"type": "string"} }
func strf(format string) map[string]any { return map[string]any{"type": "string", "format": format} }
func integer() map[string]any           { return map[string]any{"type": "integer"} }
func arr(items map[string]any) map[string]any {
	return map[string]any{"type": "array", "items": items}
}

var roleEnum = map[string]any{"type": "string", "enum": []string{"district_admin", "school_admin", "teacher", "student", "guardian"}}

var schemas = map[string]any{
	"Problem": obj([]string{"title", "status"}, map[string]any{"type": str(), "title": str(), "status": integer(), "detail": str(), "requestId": str()}),
	"User": obj([]string{"id", "email", "displayName", "status"}, map[string]any{"id": strf("uuid"), "email": strf("email"), "displayName": str(),
		"givenName": str(), "familyName": str(), "locale": str(), "timeZone": str(), "grade": str(), "status": map[string]any{"type": "string", "enum": []string{"active", "deactivated"}},
		"sourcedId": str(), "lastSignInAt": strf("date-time"), "createdAt": strf("date-time")}),
	"Membership": obj([]string{"id", "userId", "role"}, map[string]any{"id": strf("uuid"), "userId": strf("uuid"), "role": roleEnum, "schoolId": strf("uuid"), "schoolName": str()}),
	"Me":         obj([]string{"user", "role", "memberships", "csrfToken"}, map[string]any{"user": ref("User"), "role": roleEnum, "schoolId": strf("uuid"), "memberships": arr(ref("Membership")), "district": str(), "csrfToken": str()}),
	"UserList":   obj([]string{"items", "total"}, map[string]any{"items": arr(ref("User")), "total": integer()}),
	"UserDetail": obj([]string{"user", "memberships"}, map[string]any{"user": ref("User"), "memberships": arr(ref("Membership"))}),
	"NewUser": obj([]string{"email", "givenName", "role"}, map[string]any{"email": strf("email"), "givenName": str(), "familyName": str(), "role": roleEnum,
		"schoolId": map[string]any{"type": "string", "format": "uuid", "description": "Required for every role but district_admin"}}),
	"CreatedUser": obj([]string{"user", "invitationURL"}, map[string]any{"user": ref("User"), "invitationURL": strf("uri")}),
	"School": obj([]string{"id", "code", "name", "timeZone"}, map[string]any{"id": strf("uuid"), "code": str(), "name": str(), "timeZone": str(),
		"calendar": map[string]any{"type": "object"}, "gradeBands": arr(map[string]any{"type": "object"}), "branding": map[string]any{"type": "object"}, "seats": integer(), "archivedAt": strf("date-time")}),
	"SchoolList": obj([]string{"items"}, map[string]any{"items": arr(ref("School"))}),
	"Term":       obj([]string{"id", "schoolId", "name", "startsOn", "endsOn"}, map[string]any{"id": strf("uuid"), "schoolId": strf("uuid"), "schoolName": str(), "sourcedId": str(), "name": str(), "kind": str(), "startsOn": strf("date-time"), "endsOn": strf("date-time")}),
	"TermList":   obj([]string{"items"}, map[string]any{"items": arr(ref("Term"))}),
	"Section": obj([]string{"id", "title"}, map[string]any{"id": strf("uuid"), "schoolId": strf("uuid"), "schoolName": str(), "courseId": strf("uuid"), "courseTitle": str(),
		"title": str(), "code": str(), "period": str(), "terms": arr(str()), "teachers": arr(str()), "students": integer()}),
	"SectionList": obj([]string{"items"}, map[string]any{"items": arr(ref("Section"))}),
	"Roster": obj([]string{"items"}, map[string]any{"items": arr(obj([]string{"userId", "displayName", "role"}, map[string]any{"userId": strf("uuid"), "displayName": str(), "email": str(),
		"role": map[string]any{"type": "string", "enum": []string{"teacher", "student"}}, "grade": str(), "guardians": integer()}))}),
	"Import": obj([]string{"id", "kind", "status", "progress", "total"}, map[string]any{"id": strf("uuid"), "kind": str(), "status": str(), "progress": integer(), "total": integer(),
		"percent": integer(), "done": map[string]any{"type": "boolean"}, "problems": integer(), "error": str()}),
}
