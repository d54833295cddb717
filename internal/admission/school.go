package admission

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
)

// SchoolValidator refuses at admission, so `kubectl apply` fails with the
// reason, a School the directory would refuse: a code another School of the
// district already has, the wrong namespace, a time zone the time zone
// database does not know. It judges by the same rules as the School
// controller, which stays the backstop for what admission cannot see (two
// Schools created at the same instant, the webhook being down).
type SchoolValidator struct {
	// Reader lists the namespace's Schools from the API server, not a cache
	// that may not have the newest one yet.
	Reader client.Reader
	Now    func() time.Time
}

var _ admission.Validator[*platformv1.School] = (*SchoolValidator)(nil)

// ValidateCreate judges a new School beside its namespace's Schools.
func (v *SchoolValidator) ValidateCreate(ctx context.Context, s *platformv1.School) (admission.Warnings, error) {
	var siblings platformv1.SchoolList
	if err := v.Reader.List(ctx, &siblings, client.InNamespace(s.Namespace)); err != nil {
		// Fail open, like the webhook itself: the controller still judges it.
		return admission.Warnings{"could not check this School's code against the others; its status will say if it is refused"}, nil
	}
	candidate := s.DeepCopy()
	if candidate.Name == "" {
		candidate.Name = candidate.GenerateName + "(new)"
	}
	// The newcomer is younger than every School there: creation times have
	// one-second resolution, and a tie must not let it take a code.
	youngest := v.Now()
	all := []platformv1.School{}
	for _, o := range siblings.Items {
		if o.Name != candidate.Name {
			all = append(all, o)
			if !o.CreationTimestamp.Time.Before(youngest) {
				youngest = o.CreationTimestamp.Add(time.Second)
			}
		}
	}
	candidate.CreationTimestamp = metav1.NewTime(youngest)
	all = append(all, *candidate)
	_, verdicts := builders.SelectSchools(s.Namespace, all)
	return nil, refusal(verdicts[candidate.Name])
}

// ValidateUpdate refuses a change of time zone to one that does not exist;
// code, tenant and namespace cannot change. A School being deleted is left
// alone, so its finalizer can always be removed.
func (v *SchoolValidator) ValidateUpdate(_ context.Context, old, s *platformv1.School) (admission.Warnings, error) {
	if !s.DeletionTimestamp.IsZero() || old.Spec.TimeZone == s.Spec.TimeZone || builders.KnownTimeZone(string(s.Spec.TimeZone)) {
		return nil, nil
	}
	return nil, refusal(builders.SchoolVerdict{Reason: platformv1.ReasonUnknownTimeZone,
		Message: fmt.Sprintf("time zone %q is not in the IANA time zone database; use a name such as America/Chicago", s.Spec.TimeZone)})
}

// ValidateDelete allows every deletion.
func (v *SchoolValidator) ValidateDelete(context.Context, *platformv1.School) (admission.Warnings, error) {
	return nil, nil
}

func refusal(v builders.SchoolVerdict) error {
	switch v.Reason {
	case "", platformv1.ReasonDeleting:
		return nil
	}
	return errors.New(v.Message)
}
