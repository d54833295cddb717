package web

import (
	"reflect"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// The document names each component schema after its Go type's bare name
// (componentName), so two types of one name in different packages would
// silently share one schema, and one of them would be documented wrongly
// (outcomes.Input once replaced rubrics.Input). Every named type the API's
// bodies and responses reach must have a name of its own.
func TestOpenAPIComponentNamesAreUnique(t *testing.T) {
	d := newDistrict(t, "apinames")
	seen := map[string]reflect.Type{}
	var walk func(reflect.Type, string)
	walk = func(ty reflect.Type, where string) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Array || ty.Kind() == reflect.Map {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || ty.PkgPath() == "time" {
			return
		}
		if name := componentName(ty); name != "" {
			if prev, ok := seen[name]; ok {
				if prev != ty {
					t.Errorf("%s: schema %q is both %s and %s: give one of them a name of its own", where, name, prev, ty)
				}
				return
			}
			seen[name] = ty
		}
		for i := range ty.NumField() {
			if f := ty.Field(i); f.IsExported() {
				walk(f.Type, where)
			}
		}
	}
	walk(reflect.TypeOf(kit.ProblemDetails{}), "problem")
	for _, rt := range d.srv.routes() {
		if rt.API == nil {
			continue
		}
		if rt.API.Body != nil {
			walk(reflect.TypeOf(rt.API.Body), rt.Key())
		}
		if rt.API.Response != nil {
			walk(reflect.TypeOf(rt.API.Response), rt.Key())
		}
	}
}
