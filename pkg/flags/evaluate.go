package flags

import (
	"encoding/json"
	"strings"
)

// Reason says why an evaluation gave its variant, in OpenFeature's terms.
type Reason string

// Reasons.
const (
	// Static: the flag has no overrides or rules, only its default.
	Static Reason = "STATIC"
	// Default: overrides and rules exist but none applied.
	Default Reason = "DEFAULT"
	// TargetingMatch: an override or a rule serving one variant applied.
	TargetingMatch Reason = "TARGETING_MATCH"
	// Split: a rollout rule placed the user by bucket.
	Split Reason = "SPLIT"
	// Error: the flag could not be evaluated; see ErrorCode.
	Error Reason = "ERROR"
)

// ErrorCode says what went wrong, in OpenFeature's terms.
type ErrorCode string

// Error codes.
const (
	FlagNotFound        ErrorCode = "FLAG_NOT_FOUND"
	TypeMismatch        ErrorCode = "TYPE_MISMATCH"
	TargetingKeyMissing ErrorCode = "TARGETING_KEY_MISSING"
	General             ErrorCode = "GENERAL"
)

// Evaluation is the outcome of evaluating one flag for one context.
type Evaluation struct {
	Flag    string
	Variant string
	Value   json.RawMessage
	Reason  Reason
	// ErrorCode is set when Reason is Error.
	ErrorCode ErrorCode
	// Rule is the index of the rule that decided, or -1.
	Rule int
}

// Set is the flags a tenant's directory entry carries, by name.
type Set map[string]Flag

// Evaluate evaluates flag name for c. An unknown flag evaluates to Error
// with FlagNotFound and no value; the caller supplies its own default.
func (s Set) Evaluate(name string, c Context) Evaluation {
	f, ok := s[name]
	if !ok {
		return Evaluation{Flag: name, Reason: Error, ErrorCode: FlagNotFound, Rule: -1}
	}
	return f.Evaluate(name, c)
}

// Evaluate evaluates the flag, named name, for c.
func (f *Flag) Evaluate(name string, c Context) Evaluation {
	e := Evaluation{Flag: name, Rule: -1}
	serve := func(variant string, reason Reason) Evaluation {
		v, ok := f.Variants[variant]
		if !ok {
			// Validation refuses such a flag; one that slipped through
			// serves nothing rather than a wrong value.
			e.Reason, e.ErrorCode = Error, General
			return e
		}
		e.Variant, e.Value, e.Reason = variant, v, reason
		return e
	}
	if c.School != "" {
		if v, ok := f.Overrides.Schools[c.Tenant+"/"+c.School]; ok {
			return serve(v, TargetingMatch)
		}
		if v, ok := f.Overrides.Schools[c.School]; ok {
			return serve(v, TargetingMatch)
		}
	}
	if v, ok := f.Overrides.Tenants[c.Tenant]; ok {
		return serve(v, TargetingMatch)
	}
	for i := range f.Rules {
		r := &f.Rules[i]
		if !r.matches(c) {
			continue
		}
		e.Rule = i
		if r.Rollout == nil {
			return serve(r.Variant, TargetingMatch)
		}
		key := r.Rollout.bucketKey(c)
		if key == "" {
			// Nothing to bucket by (an anonymous user, say): the rule
			// cannot place them, so the next rule or the default decides.
			e.Rule = -1
			continue
		}
		return serve(r.Rollout.pick(Bucket(name, key)), Split)
	}
	if len(f.Rules) == 0 && len(f.Overrides.Tenants) == 0 && len(f.Overrides.Schools) == 0 {
		return serve(f.DefaultVariant, Static)
	}
	return serve(f.DefaultVariant, Default)
}

// Bool evaluates a boolean flag; def when the flag is missing or not a boolean.
func (s Set) Bool(name string, c Context, def bool) (bool, Evaluation) {
	e := s.Evaluate(name, c)
	// The common case without a JSON decoder: flags are evaluated on every request.
	switch string(e.Value) {
	case "true":
		return true, e
	case "false":
		return false, e
	}
	var v bool
	if !decode(&e, &v) {
		return def, e
	}
	return v, e
}

// String evaluates a string flag; def when the flag is missing or not a string.
func (s Set) String(name string, c Context, def string) (string, Evaluation) {
	e := s.Evaluate(name, c)
	var v string
	if !decode(&e, &v) {
		return def, e
	}
	return v, e
}

// Number evaluates a numeric flag; def when the flag is missing or not a number.
func (s Set) Number(name string, c Context, def float64) (float64, Evaluation) {
	e := s.Evaluate(name, c)
	var v float64
	if !decode(&e, &v) {
		return def, e
	}
	return v, e
}

// Object evaluates a JSON-object flag into out (a pointer); false, leaving
// out alone, when the flag is missing or not such an object.
func (s Set) Object(name string, c Context, out any) (bool, Evaluation) {
	e := s.Evaluate(name, c)
	if e.Reason == Error {
		return false, e
	}
	if !strings.HasPrefix(strings.TrimSpace(string(e.Value)), "{") || json.Unmarshal(e.Value, out) != nil {
		e.Reason, e.ErrorCode = Error, TypeMismatch
		return false, e
	}
	return true, e
}

// decode reads e's value into v, marking e a type mismatch when it does not fit.
func decode(e *Evaluation, v any) bool {
	if e.Reason == Error {
		return false
	}
	if string(e.Value) == "null" || json.Unmarshal(e.Value, v) != nil {
		e.Reason, e.ErrorCode = Error, TypeMismatch
		return false
	}
	return true
}
