package web

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"bellwork.dev/bellwork/apps/lms/internal/authz"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// loadedOpenAPI is the document as a client gets it: generated, written as
// JSON, read back by kin-openapi's loader.
func loadedOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	s, err := startWith((*Server).routes)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(s.openapi)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("loading the document: %v", err)
	}
	return doc
}

// The generated document is valid OpenAPI 3.1.
func TestOpenAPIDocumentValidates(t *testing.T) {
	doc := loadedOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document does not validate: %v", err)
	}
}

// Every request and response type a route names is in the document with
// each of its JSON fields, recursively, and the fields encoding/json always
// writes are required.
func TestEveryAPITypeAppearsWithItsFields(t *testing.T) {
	doc := loadedOpenAPI(t)
	seen := map[reflect.Type]bool{}
	var check func(where string, t0 reflect.Type)
	check = func(where string, typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == reflect.TypeFor[time.Time]() || seen[typ] {
			return
		}
		seen[typ] = true
		name := componentName(typ)
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Errorf("%s: type %s has no schema %q", where, typ, name)
			return
		}
		for f := range typ.Fields() {
			jsonName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || jsonName == "-" || jsonName == "" {
				continue
			}
			if ref.Value.Properties[jsonName] == nil {
				t.Errorf("%s: schema %s lacks field %s (%s.%s)", where, name, jsonName, typ, f.Name)
			}
			if !omitEmpty(f.Tag) && !slices.Contains(ref.Value.Required, jsonName) {
				t.Errorf("%s: schema %s does not require %s, which is always sent", where, name, jsonName)
			}
			check(where, f.Type)
		}
	}
	for _, rt := range (&Server{Kit: &kit.Kit{}}).routes() {
		if rt.API == nil {
			continue
		}
		op := doc.Paths.Find(rt.Pattern).GetOperation(rt.Method)
		status := rt.API.Status
		if status == 0 {
			status = 200
		}
		res := op.Responses.Status(status)
		if res == nil || res.Value.Content.Get("application/json") == nil {
			t.Errorf("%s: no %d JSON response", rt.Key(), status)
			continue
		}
		want := "#/components/schemas/" + componentName(reflect.TypeOf(rt.API.Response))
		if got := res.Value.Content.Get("application/json").Schema.Ref; got != want {
			t.Errorf("%s: response schema %q, want %q", rt.Key(), got, want)
		}
		check(rt.Key(), reflect.TypeOf(rt.API.Response))
		if rt.API.Body != nil {
			check(rt.Key()+" body", reflect.TypeOf(rt.API.Body))
		}
	}
	if !seen[reflect.TypeFor[kit.ProblemDetails]()] {
		check("problem", reflect.TypeFor[kit.ProblemDetails]())
	}
}

// What the API really sends matches the document: every GET endpoint,
// called as each role that may, answers a body that validates against the
// schema the document gives for that status (problem+json for errors).
func TestAPIResponsesMatchTheDocument(t *testing.T) {
	doc := loadedOpenAPI(t)
	d := newDistrict(t, "apidoc")
	ids := strings.NewReplacer("{id}", d.section)
	paths := map[string]string{
		"/api/v1/users/{id}":           "/api/v1/users/" + d.users[db.Teacher].ID,
		"/api/v1/imports/{id}":         "/api/v1/imports/00000000-0000-4000-8000-000000000000",
		"/api/v1/sections/{id}/roster": ids.Replace("/api/v1/sections/{id}/roster"),
	}
	checked := 0
	for _, rt := range d.srv.routes() {
		if rt.API == nil || rt.Method != "GET" {
			continue
		}
		path := rt.Pattern
		if p, ok := paths[path]; ok {
			path = p
		}
		op := doc.Paths.Find(rt.Pattern).GetOperation(rt.Method)
		for _, role := range db.UserRoles {
			if !authz.Allowed(role, rt.Action) {
				continue
			}
			c, _ := d.session(role)
			res, body := c.get(path)
			ref := op.Responses.Status(res.StatusCode)
			if ref == nil {
				ref = op.Responses.Default()
			}
			ctype, _, _ := strings.Cut(res.Header.Get("Content-Type"), ";")
			media := ref.Value.Content.Get(ctype)
			if media == nil {
				t.Errorf("%s as %s: status %d with %s is not in the document", rt.Key(), role, res.StatusCode, ctype)
				continue
			}
			var v any
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Errorf("%s as %s: %v", rt.Key(), role, err)
				continue
			}
			if err := media.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
				t.Errorf("%s as %s: status %d body does not match the document: %v\n%s", rt.Key(), role, res.StatusCode, err, snippet(body))
			}
			checked++
		}
	}
	if checked < 15 {
		t.Fatalf("only %d responses checked", checked)
	}
}
