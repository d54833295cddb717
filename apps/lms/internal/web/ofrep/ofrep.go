// Package ofrep serves the district's feature flags to its other services
// over the OpenFeature Remote Evaluation Protocol (OFREP,
// github.com/open-feature/protocol, service/openapi.yaml): POST
// /ofrep/v1/evaluate/flags/{key} evaluates one flag and POST
// /ofrep/v1/evaluate/flags all of them, for the evaluation context the
// caller sends, with the same evaluator and the same published flags as
// the LMS's own pages (features.Features). The caller authenticates with
// the district's flag token (kit.Service); the district is the one the
// request's host names, whatever the context says.
package ofrep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/features"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/pkg/flags"
)

// Handlers serve the OFREP endpoints.
type Handlers struct{ *kit.Kit }

// New gives the area what every handler needs.
func New(k *kit.Kit) *Handlers { return &Handlers{Kit: k} }

// invalidContext is the OpenFeature error code for a body or context this
// endpoint cannot read; the others come from the evaluator (flags.ErrorCode).
const invalidContext = "INVALID_CONTEXT"

// success is an evaluation the caller can use.
type success struct {
	Key      string          `json:"key"`
	Value    json.RawMessage `json:"value"`
	Reason   flags.Reason    `json:"reason"`
	Variant  string          `json:"variant"`
	Metadata map[string]any  `json:"metadata"`
}

// failure is an evaluation that gave no value; the caller uses its default.
type failure struct {
	Key          string `json:"key,omitempty"`
	ErrorCode    string `json:"errorCode"`
	ErrorDetails string `json:"errorDetails,omitempty"`
}

// maxBody caps a request: a context is a handful of attributes.
const maxBody = 64 << 10

// Evaluate serves POST /ofrep/v1/evaluate/flags/{key}: 200 with the value,
// 404 FLAG_NOT_FOUND for a flag the district's entry does not carry, 400
// INVALID_CONTEXT for a body or context it cannot read.
func (s *Handlers) Evaluate(c *kit.Call) {
	key := c.R.PathValue("key")
	fc, err := readContext(c)
	if err != nil {
		kit.WriteJSON(c, http.StatusBadRequest, failure{Key: key, ErrorCode: invalidContext, ErrorDetails: err.Error()})
		return
	}
	e := features.New(c.Tenant.Entry.Features, fc, s.Flags).Evaluate(key)
	switch {
	case e.ErrorCode == flags.FlagNotFound:
		kit.WriteJSON(c, http.StatusNotFound, failure{Key: key, ErrorCode: string(flags.FlagNotFound),
			ErrorDetails: fmt.Sprintf("flag %q is not published for this district", key)})
	case e.Reason == flags.Error:
		kit.WriteJSON(c, http.StatusBadRequest, failure{Key: key, ErrorCode: string(flags.General),
			ErrorDetails: fmt.Sprintf("flag %q could not be evaluated; use your default", key)})
	default:
		kit.WriteJSON(c, http.StatusOK, successOf(e))
	}
}

// EvaluateAll serves POST /ofrep/v1/evaluate/flags: every flag of the
// district for the context, with an ETag of the answer, so a caller polling
// with If-None-Match gets 304 until something it would see changes.
func (s *Handlers) EvaluateAll(c *kit.Call) {
	fc, err := readContext(c)
	if err != nil {
		kit.WriteJSON(c, http.StatusBadRequest, failure{ErrorCode: invalidContext, ErrorDetails: err.Error()})
		return
	}
	f := features.New(c.Tenant.Entry.Features, fc, s.Flags)
	out := struct {
		Flags []any `json:"flags"`
	}{Flags: []any{}}
	for _, key := range f.Keys() {
		e := f.Evaluate(key)
		if e.Reason == flags.Error {
			out.Flags = append(out.Flags, failure{Key: key, ErrorCode: string(flags.General),
				ErrorDetails: "the flag could not be evaluated; use your default"})
			continue
		}
		out.Flags = append(out.Flags, successOf(e))
	}
	body, err := json.Marshal(out)
	if err != nil {
		s.Fail(c, err)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := c.W.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	if matches(c.R.Header.Get("If-None-Match"), etag) {
		c.W.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	c.W.WriteHeader(http.StatusOK)
	_, _ = c.W.Write(body)
}

func successOf(e flags.Evaluation) success {
	return success{Key: e.Flag, Value: e.Value, Reason: e.Reason, Variant: e.Variant, Metadata: map[string]any{}}
}

func matches(ifNoneMatch, etag string) bool {
	for tag := range strings.SplitSeq(ifNoneMatch, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == etag || tag == "*" {
			return true
		}
	}
	return false
}

// readContext reads {"context": {...}} into an evaluation context of this
// district. targetingKey is the user id, school a school code, role one of
// the LMS's roles; any other string, number or boolean is a user
// attribute. The tenant is the host's: a context naming another is refused.
func readContext(c *kit.Call) (flags.Context, error) {
	fc := flags.Context{Tenant: c.Tenant.Name()}
	data, err := io.ReadAll(http.MaxBytesReader(c.W, c.R.Body, maxBody))
	if err != nil {
		return fc, errors.New("the request body is too large or could not be read")
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return fc, nil // the context is optional
	}
	var req struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &req); err != nil {
		return fc, errors.New(`the body must be a JSON object such as {"context": {"targetingKey": "…"}}`)
	}
	for k, v := range req.Context {
		var str string
		switch v := v.(type) {
		case string:
			str = v
		case bool:
			str = strconv.FormatBool(v)
		case float64:
			str = strconv.FormatFloat(v, 'f', -1, 64)
		case nil:
			continue
		default:
			return fc, fmt.Errorf("context.%s must be a string, number or boolean", k)
		}
		switch k {
		case "targetingKey":
			fc.UserID = str
		case "tenant":
			if str != fc.Tenant {
				return fc, fmt.Errorf("context.tenant %q is not this district (%s); each district's flags are served on its own address", str, fc.Tenant)
			}
		case "school":
			fc.School = str
		case "role":
			if !slices.Contains(flags.Roles, str) {
				return fc, fmt.Errorf("context.role %q is not one of %s", str, strings.Join(flags.Roles, ", "))
			}
			fc.Role = str
		default:
			if fc.Attributes == nil {
				fc.Attributes = map[string]string{}
			}
			fc.Attributes[k] = str
		}
	}
	return fc, nil
}
