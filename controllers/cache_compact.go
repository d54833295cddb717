package controllers

import (
	"slices"
	"strings"
	"sync"
	"unique"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// compactCached is the manager cache's transform, applied to every object
// as it enters the cache. It drops managedFields (nothing reads them; an
// Update of a cached object leaves them out, which the API server takes as
// unchanged) and makes the strings that repeat across cached objects share
// one copy: a decoded object has its own copy of every label key and
// value, annotation key, namespace, owner reference and condition type and
// reason, and at 10,000 tenants there are some 200,000 cached objects.
// What is held does not change, only how often it is held: strings are
// immutable, and the cache hands out copies of its objects.
//
// Object-specific strings (resource versions, UIDs other than a Tenant's,
// annotation values, condition messages) are left as decoded: sharing a
// string that never repeats would only add the interning table's entry.
func compactCached(strip toolscache.TransformFunc) toolscache.TransformFunc {
	return func(in any) (any, error) {
		out, err := strip(in)
		if err != nil {
			return out, err
		}
		obj, ok := out.(metav1.Object)
		if !ok {
			return out, nil
		}
		compactMeta(obj)
		switch o := out.(type) {
		case *platformv1.Tenant:
			// Child objects name it in their owner references.
			o.UID = internUID(o.UID)
			o.Status.Conditions = compactConditions(o.Status.Conditions)
			if cap(o.Status.Onboarding) > len(o.Status.Onboarding) {
				steps := make([]platformv1.OnboardingStep, len(o.Status.Onboarding))
				copy(steps, o.Status.Onboarding)
				o.Status.Onboarding = steps
			}
			for i := range o.Status.Onboarding {
				o.Status.Onboarding[i].Name = intern(o.Status.Onboarding[i].Name)
			}
			if d := o.Status.Database; d != nil {
				// The same provider, shared endpoint and Secret names
				// (owner: db-owner, …) on every tenant of a cluster.
				d.Provider, d.Endpoint = intern(d.Provider), intern(d.Endpoint)
				if len(d.CredentialsSecrets) > 0 {
					d.CredentialsSecrets = sharedLabels.of(d.CredentialsSecrets)
				}
			}
		case *platformv1.School:
			o.Status.Conditions = compactConditions(o.Status.Conditions)
		case *networkingv1.NetworkPolicy:
			// A tenant's three policies select the same few pods and
			// namespaces as every other tenant's.
			shareSelector(&o.Spec.PodSelector)
			for i := range o.Spec.Ingress {
				for j := range o.Spec.Ingress[i].From {
					shareSelector(o.Spec.Ingress[i].From[j].PodSelector)
					shareSelector(o.Spec.Ingress[i].From[j].NamespaceSelector)
				}
			}
			for i := range o.Spec.Egress {
				for j := range o.Spec.Egress[i].To {
					shareSelector(o.Spec.Egress[i].To[j].PodSelector)
					shareSelector(o.Spec.Egress[i].To[j].NamespaceSelector)
				}
			}
		case *corev1.Secret:
			o.Type = corev1.SecretType(intern(string(o.Type)))
			if len(o.Data) > 0 {
				data := make(map[string][]byte, len(o.Data))
				for k, v := range o.Data {
					data[intern(k)] = v
				}
				o.Data = data
			}
		}
		return out, nil
	}
}

// defaultTransform is CacheOptions' DefaultTransform.
func defaultTransform() toolscache.TransformFunc {
	return compactCached(cache.TransformStripManagedFields())
}

func compactMeta(obj metav1.Object) {
	obj.SetNamespace(intern(obj.GetNamespace()))
	// Names repeat across tenants (db-app, default-deny) and a Tenant's
	// name is the value of its children's tenant label.
	obj.SetName(intern(obj.GetName()))
	if l := obj.GetLabels(); len(l) > 0 {
		obj.SetLabels(sharedLabels.of(l))
	}
	if a := obj.GetAnnotations(); len(a) > 0 {
		compact := make(map[string]string, len(a))
		for k, v := range a {
			compact[intern(k)] = v
		}
		obj.SetAnnotations(compact)
	}
	if refs := obj.GetOwnerReferences(); len(refs) > 0 {
		for i := range refs {
			r := &refs[i]
			r.APIVersion, r.Kind, r.Name, r.UID = intern(r.APIVersion), intern(r.Kind), intern(r.Name), internUID(r.UID)
		}
		obj.SetOwnerReferences(refs)
	}
	if f := obj.GetFinalizers(); len(f) > 0 {
		for i := range f {
			f[i] = intern(f[i])
		}
		obj.SetFinalizers(f)
	}
}

func shareSelector(s *metav1.LabelSelector) {
	if s != nil && len(s.MatchLabels) > 0 {
		s.MatchLabels = sharedLabels.of(s.MatchLabels)
	}
}

// sharedLabels holds one map per distinct set of labels (and of other
// string maps that repeat, such as a Tenant's status.database.
// credentialsSecrets): a tenant's dozen child objects carry the same two
// labels, and a map costs some 300 bytes however few entries it has.
var sharedLabels = &labelSets{sets: map[string]map[string]string{}}

// labelSets hands out one shared map per distinct content. Cached objects
// are never changed in place (the cache hands out deep copies), so they
// can share one. The table is bounded: past maxLabelSets distinct sets it
// starts over, which costs sharing, not correctness.
type labelSets struct {
	mu   sync.Mutex
	sets map[string]map[string]string
}

const maxLabelSets = 200_000

func (t *labelSets) of(l map[string]string) map[string]string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(l[k])
		b.WriteByte(0)
	}
	id := b.String()
	t.mu.Lock()
	defer t.mu.Unlock()
	if m, ok := t.sets[id]; ok {
		return m
	}
	if len(t.sets) >= maxLabelSets {
		clear(t.sets)
	}
	m := make(map[string]string, len(l))
	for k, v := range l {
		m[intern(k)] = intern(v)
	}
	t.sets[id] = m
	return m
}

// compactConditions shares the conditions' types, statuses and reasons,
// and trims the slack the decoder's appends left in the slice.
func compactConditions(in []metav1.Condition) []metav1.Condition {
	if len(in) == 0 {
		return in
	}
	out := in
	if cap(in) > len(in) {
		out = make([]metav1.Condition, len(in))
		copy(out, in)
	}
	for i := range out {
		c := &out[i]
		c.Type, c.Reason = intern(c.Type), intern(c.Reason)
		c.Status = metav1.ConditionStatus(intern(string(c.Status)))
	}
	return out
}

func intern(s string) string {
	if s == "" {
		return s
	}
	return unique.Make(s).Value()
}

func internUID[T ~string](s T) T { return T(intern(string(s))) }
