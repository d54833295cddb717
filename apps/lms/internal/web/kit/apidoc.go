package kit

// APIDoc describes a JSON API route for the OpenAPI document. Body and
// Response are zero values of the Go types the handler decodes and
// writes; their schemas are generated from those types, never hand-kept.
type APIDoc struct {
	Summary     string
	Description string
	Query       []Param
	Body        any // request body type, or nil
	Status      int // success status (default 200)
	Response    any // success body type
}

type Param struct{ Name, Type, Description string }
