package kit

// APIDoc describes a JSON API route for the OpenAPI document. Body and
// Response are zero values of the Go types the handler decodes and
// writes; their schemas are generated from those types, never hand-kept.
type APIDoc struct {
	Summary     string
	Description string
	Query       []Param
	Body        any // request body type, or nil
	// BodyType is the request body's media type; "" means application/json.
	BodyType string
	Status   int // success status (default 200)
	Response any // success body type
}

// Param is one query parameter of an API route, as the document lists it.
type Param struct{ Name, Type, Description string }

// FormFile is a file part of a multipart request body, documented as a
// binary string.
type FormFile string
