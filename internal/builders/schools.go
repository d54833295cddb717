package builders

import (
	"fmt"
	"slices"
	"sort"
	"time"
	_ "time/tzdata" // school time zones validate the same in any container image

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// SchoolVerdict says why a School is not published; the zero value means it is.
type SchoolVerdict struct {
	Reason  string
	Message string
}

// Published says whether the verdict lets the school into the entry.
func (v SchoolVerdict) Published() bool { return v.Reason == "" }

// SelectSchools decides which Schools of a tenant's namespace go into its
// directory entry. A School must name the tenant whose namespace it is in,
// have a time zone the time zone database knows, and not be deleting; of
// Schools sharing a code the oldest (by creation, then name) wins. The
// result is sorted by code; verdicts are keyed by School name.
func SelectSchools(namespace string, schools []platformv1.School) ([]platformv1.School, map[string]SchoolVerdict) {
	sorted := slices.Clone(schools)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].CreationTimestamp, sorted[j].CreationTimestamp
		if !a.Equal(&b) {
			return a.Before(&b)
		}
		return sorted[i].Name < sorted[j].Name
	})
	verdicts := map[string]SchoolVerdict{}
	owner := map[string]string{}
	var published []platformv1.School
	for _, s := range sorted {
		want := platformv1.TenantNamespacePrefix + s.Spec.Tenant
		switch {
		case s.Namespace != want:
			verdicts[s.Name] = SchoolVerdict{platformv1.ReasonWrongNamespace,
				fmt.Sprintf("School %s names tenant %s, so it must be created in namespace %s, not %s", s.Name, s.Spec.Tenant, want, s.Namespace)}
		case s.Namespace != namespace:
			verdicts[s.Name] = SchoolVerdict{platformv1.ReasonWrongNamespace,
				fmt.Sprintf("School %s is not in namespace %s", s.Name, namespace)}
		case !s.DeletionTimestamp.IsZero():
			verdicts[s.Name] = SchoolVerdict{platformv1.ReasonDeleting, fmt.Sprintf("School %s is being deleted", s.Name)}
		case !KnownTimeZone(string(s.Spec.TimeZone)):
			verdicts[s.Name] = SchoolVerdict{platformv1.ReasonUnknownTimeZone,
				fmt.Sprintf("time zone %q is not in the IANA time zone database; use a name such as America/Chicago", s.Spec.TimeZone)}
		case owner[s.Spec.Code] != "":
			verdicts[s.Name] = SchoolVerdict{platformv1.ReasonDuplicateCode,
				fmt.Sprintf("code %s is already used by School %s of tenant %s; give this school a code of its own", s.Spec.Code, owner[s.Spec.Code], s.Spec.Tenant)}
		default:
			owner[s.Spec.Code] = s.Name
			verdicts[s.Name] = SchoolVerdict{}
			published = append(published, s)
		}
	}
	sort.Slice(published, func(i, j int) bool { return published[i].Spec.Code < published[j].Spec.Code })
	return published, verdicts
}

// KnownTimeZone says whether the time zone database knows name.
func KnownTimeZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}
