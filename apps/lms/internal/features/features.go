// Package features is how LMS code asks about feature flags: one small API
// (Features: Enabled, Variant, String, Number, Object, Evaluate) over the
// flags the operator resolved into the district's directory entry
// (directory.Entry.Features), evaluated in-process with pkg/flags for the
// request's evaluation context (tenant, school, role, user). Nothing here
// makes a network call or caches a flag: a Features value reads the entry
// the request started with, so a flag flipped in the directory applies from
// the next request on, without a restart. Every evaluation is counted
// (Metrics).
package features

import (
	"maps"
	"slices"

	"bellwork.dev/bellwork/pkg/flags"
)

// Features evaluates flags for one evaluation context. The zero value
// knows no flags: every call gives its default.
type Features struct {
	set     flags.Set
	ctx     flags.Context
	metrics *Metrics
}

// New evaluates set for ctx, counting evaluations in m (nil counts nothing).
func New(set flags.Set, ctx flags.Context, m *Metrics) Features {
	return Features{set: set, ctx: ctx, metrics: m}
}

// Context is who this evaluates for.
func (f Features) Context() flags.Context { return f.ctx }

// Evaluate evaluates flag key, with the reason and any error code in
// OpenFeature's terms. An unknown flag gives Reason Error, FLAG_NOT_FOUND.
func (f Features) Evaluate(key string) flags.Evaluation {
	e := f.set.Evaluate(key, f.ctx)
	f.metrics.count(f.set, e)
	return e
}

// Enabled reports whether a boolean flag is on; false when the flag is
// missing, cannot be evaluated or is not a boolean (the safe default for
// a feature being rolled out).
func (f Features) Enabled(key string) bool {
	v, e := f.set.Bool(key, f.ctx, false)
	f.metrics.count(f.set, e)
	return v
}

// Variant is the name of the variant key gives ("" when it cannot be evaluated).
func (f Features) Variant(key string) string {
	return f.Evaluate(key).Variant
}

// String evaluates a string flag; def when it is missing or not a string.
func (f Features) String(key, def string) string {
	v, e := f.set.String(key, f.ctx, def)
	f.metrics.count(f.set, e)
	return v
}

// Number evaluates a numeric flag; def when it is missing or not a number.
func (f Features) Number(key string, def float64) float64 {
	v, e := f.set.Number(key, f.ctx, def)
	f.metrics.count(f.set, e)
	return v
}

// Object decodes a JSON-object flag into out (a pointer) and reports
// whether it did; out is left alone when the flag is missing or not an object.
func (f Features) Object(key string, out any) bool {
	ok, e := f.set.Object(key, f.ctx, out)
	f.metrics.count(f.set, e)
	return ok
}

// Keys lists the flags the district's entry carries, sorted.
func (f Features) Keys() []string { return slices.Sorted(maps.Keys(f.set)) }
