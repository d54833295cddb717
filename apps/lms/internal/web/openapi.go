package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/apps/lms/internal/web/static"
)

// openAPI serves the document built at start; clients revalidate it with
// its ETag.
func (s *Server) openAPI(c *kit.Call) { s.openapiBody.Serve(c.W, c.R, static.Revalidate) }

// openAPIBody encodes the document once, indented for people reading it
// (WriteJSON writes compact JSON).
func openAPIBody(doc *openapi3.T) (*static.Body, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return static.NewBody(buf.Bytes(), "application/json")
}

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// openAPIDocument builds the OpenAPI 3.1 document from the route table, so
// it can neither miss nor invent an endpoint, and from the Go types each
// route names, so it cannot drift from what the handlers send.
func openAPIDocument(rs []kit.Route) (*openapi3.T, error) {
	schemas := openapi3.Schemas{}
	problem, err := schemaFor(kit.ProblemDetails{}, schemas)
	if err != nil {
		return nil, err
	}
	doc := &openapi3.T{
		OpenAPI: "3.1.0",
		Info: &openapi3.Info{Title: "Bellwork LMS API", Version: "1",
			Description: "The LMS's resources for the signed-in user's district and role. Authenticate with the session cookie; unsafe methods need the X-CSRF-Token header."},
		Servers: openapi3.Servers{{URL: "/"}},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas: schemas,
			SecuritySchemes: openapi3.SecuritySchemes{
				"session": {Value: openapi3.NewSecurityScheme().WithType("apiKey").WithIn("cookie").WithName(kit.SessionCookie)},
			},
		},
	}
	for _, rt := range rs {
		if rt.API == nil {
			continue
		}
		op, err := operation(rt, schemas, problem)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rt.Key(), err)
		}
		item := doc.Paths.Value(rt.Pattern)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(rt.Pattern, item)
		}
		item.SetOperation(rt.Method, op)
	}
	return doc, nil
}

func operation(rt kit.Route, schemas openapi3.Schemas, problem *openapi3.SchemaRef) (*openapi3.Operation, error) {
	op := openapi3.NewOperation()
	op.Summary, op.Description, op.OperationID = rt.API.Summary, rt.API.Description, operationID(rt)
	op.Security = &openapi3.SecurityRequirements{{"session": {}}}
	for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
		schema := openapi3.NewUUIDSchema()
		if m[1] == "index" { // a position in a list (a rubric's criteria), from 0
			schema = openapi3.NewIntegerSchema().WithMin(0)
		}
		p := openapi3.NewPathParameter(m[1]).WithSchema(schema)
		op.AddParameter(p)
	}
	for _, q := range rt.API.Query {
		s := openapi3.NewStringSchema()
		if q.Type == "integer" {
			s = openapi3.NewIntegerSchema()
		}
		op.AddParameter(openapi3.NewQueryParameter(q.Name).WithDescription(q.Description).WithSchema(s))
	}
	if rt.API.Body != nil {
		body, err := schemaFor(rt.API.Body, schemas)
		if err != nil {
			return nil, err
		}
		rb := openapi3.NewRequestBody().WithRequired(true).WithJSONSchemaRef(body)
		if rt.API.BodyType != "" {
			rb = openapi3.NewRequestBody().WithRequired(true).WithContent(openapi3.NewContentWithSchemaRef(body, []string{rt.API.BodyType}))
		}
		op.RequestBody = &openapi3.RequestBodyRef{Value: rb}
	}
	res, err := schemaFor(rt.API.Response, schemas)
	if err != nil {
		return nil, err
	}
	status := rt.API.Status
	if status == 0 {
		status = http.StatusOK
	}
	failed := &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("Error").
		WithContent(openapi3.NewContentWithSchemaRef(problem, []string{"application/problem+json"}))}
	op.Responses = openapi3.NewResponses(
		openapi3.WithStatus(status, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription(http.StatusText(status)).WithJSONSchemaRef(res)}),
		openapi3.WithStatus(http.StatusUnauthorized, failed),
		openapi3.WithStatus(http.StatusForbidden, failed),
		openapi3.WithStatus(http.StatusNotFound, failed),
		openapi3.WithName("default", failed.Value),
	)
	return op, nil
}

func operationID(rt kit.Route) string {
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

// schemaFor generates the schema of v's type into schemas (one component
// per named struct) and returns a reference to it.
func schemaFor(v any, schemas openapi3.Schemas) (*openapi3.SchemaRef, error) {
	g := openapi3gen.NewGenerator(
		openapi3gen.CreateComponentSchemas(openapi3gen.ExportComponentSchemasOptions{ExportComponentSchemas: true, ExportTopLevelSchema: true}),
		openapi3gen.CreateTypeNameGenerator(componentName),
		openapi3gen.SchemaCustomizer(customizeSchema),
		openapi3gen.ThrowErrorOnCycle(),
	)
	return g.NewSchemaRefForValue(v, schemas)
}

// componentName is the schema's name in the document: the Go type's name,
// exported (the API's wire types are unexported in package web).
func componentName(t reflect.Type) string {
	n := t.Name()
	if n == "" {
		return ""
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

var (
	roleType     = reflect.TypeFor[db.Role]()
	formFileType = reflect.TypeFor[kit.FormFile]()
)

// uuidFields are the JSON names that always hold one of Bellwork's own ids
// (a UUID), whatever struct they are in; the storage types carry no
// OpenAPI tags, so the convention is written down here once.
var uuidFields = map[string]bool{"id": true, "userId": true, "schoolId": true, "courseId": true, "createdBy": true}

// customizeSchema adds what reflection alone cannot see: which fields are
// always present (no omitempty), the role enum, which ids are UUIDs, and
// the format, enum and doc struct tags on the API's own types. OpenAPI 3.1
// has no "nullable": a pointer that encodes as null says so in its type.
func customizeSchema(name string, t reflect.Type, tag reflect.StructTag, s *openapi3.Schema) error {
	if t.Kind() == reflect.String && uuidFields[name] {
		s.Format = "uuid"
	}
	if f := tag.Get("format"); f != "" {
		s.Format = f
	}
	if d := tag.Get("doc"); d != "" {
		s.Description = d
	}
	if e := tag.Get("enum"); e != "" {
		s.Enum = nil
		for v := range strings.SplitSeq(e, ",") {
			s.Enum = append(s.Enum, v)
		}
	}
	if t == formFileType {
		s.Format = "binary"
	}
	if t == roleType {
		s.Enum = nil
		for _, r := range db.UserRoles {
			s.Enum = append(s.Enum, string(r))
		}
	}
	if t.Kind() == reflect.Struct {
		s.Required = requiredFields(t)
	}
	if s.Nullable {
		s.Nullable = false
		if !omitEmpty(tag) && s.Type != nil && t.Kind() != reflect.Struct {
			*s.Type = append(*s.Type, openapi3.TypeNull)
		}
	}
	return nil
}

// requiredFields are the JSON names encoding/json always writes.
func requiredFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "" || omitEmpty(f.Tag) {
			continue
		}
		out = append(out, name)
	}
	return out
}

func omitEmpty(tag reflect.StructTag) bool {
	_, opts, _ := strings.Cut(tag.Get("json"), ",")
	for o := range strings.SplitSeq(opts, ",") {
		if o == "omitempty" || o == "omitzero" {
			return true
		}
	}
	return false
}
