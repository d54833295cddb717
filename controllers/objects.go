package controllers

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// objects writes child objects: create what is missing, update what
// differs, delete what should not exist, and nothing else, so that a pass
// over an unchanged tenant makes no API writes.
type objects struct {
	client.Client
	// reader reads what the cache cannot see (an object it filters out or
	// has not caught up with).
	reader client.Reader
	// changed, when set, hears each write ("Created Namespace tenant-x").
	changed func(string)
}

func (o objects) note(verb string, obj client.Object) {
	name := obj.GetName()
	if ns := obj.GetNamespace(); ns != "" {
		name = ns + "/" + name
	}
	if o.changed != nil {
		o.changed(fmt.Sprintf("%s %s %s", verb, o.kind(obj), name))
	}
}

// Outcome of ensure.
type outcome int

const (
	unchanged outcome = iota
	created
	updated
)

// ensure makes want exist. sync copies the fields the operator owns from
// want into have (leaving fields defaulted by the API server alone); labels
// and owner references of want are added to have. have is written back only
// when sync or the metadata changed something.
func ensure[T client.Object](ctx context.Context, o objects, want T, sync func(have, want T)) (T, outcome, error) {
	have := want.DeepCopyObject().(T)
	key := client.ObjectKeyFromObject(want)
	err := o.Get(ctx, key, have)
	if apierrors.IsNotFound(err) {
		err = o.Create(ctx, want)
		if err == nil {
			log.FromContext(ctx).Info("Created "+o.kind(want), "name", key.String())
			o.note("Created", want)
			return want, created, nil
		}
		if !apierrors.IsAlreadyExists(err) {
			return want, unchanged, fmt.Errorf("create %s %s: %w", o.kind(want), key, err)
		}
		// The cache has not seen it, or filters it out: read it directly.
		err = o.reader.Get(ctx, key, have)
	}
	if err != nil {
		return have, unchanged, fmt.Errorf("read %s %s: %w", o.kind(want), key, err)
	}
	before := have.DeepCopyObject()
	sync(have, want)
	mergeMetadata(have, want)
	if equality.Semantic.DeepEqual(before, have) {
		return have, unchanged, nil
	}
	if err := o.Update(ctx, have); err != nil {
		return have, unchanged, fmt.Errorf("update %s %s: %w", o.kind(want), key, err)
	}
	log.FromContext(ctx).Info("Updated "+o.kind(want), "name", key.String())
	o.note("Updated", want)
	return have, updated, nil
}

// mergeMetadata adds want's labels, annotations and owner references to have.
func mergeMetadata(have, want client.Object) {
	if l := want.GetLabels(); len(l) > 0 {
		merged := have.GetLabels()
		if merged == nil {
			merged = map[string]string{}
		}
		for k, v := range l {
			merged[k] = v
		}
		have.SetLabels(merged)
	}
	if a := want.GetAnnotations(); len(a) > 0 {
		merged := have.GetAnnotations()
		if merged == nil {
			merged = map[string]string{}
		}
		for k, v := range a {
			merged[k] = v
		}
		have.SetAnnotations(merged)
	}
	refs := have.GetOwnerReferences()
	for _, w := range want.GetOwnerReferences() {
		found := false
		for _, h := range refs {
			if h.UID == w.UID {
				found = true
				break
			}
		}
		if !found {
			refs = append(refs, w)
		}
	}
	if len(refs) > 0 {
		have.SetOwnerReferences(refs)
	}
}

// remove deletes obj (only its name and namespace are used) if it exists.
func remove(ctx context.Context, o objects, obj client.Object) (bool, error) {
	key := client.ObjectKeyFromObject(obj)
	if err := o.Get(ctx, key, obj); err != nil {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("read %s %s: %w", o.kind(obj), key, err)
	}
	if !obj.GetDeletionTimestamp().IsZero() {
		return false, nil
	}
	if err := o.Delete(ctx, obj, client.Preconditions{UID: ptrUID(obj)}); err != nil && !apierrors.IsNotFound(err) {
		return false, fmt.Errorf("delete %s %s: %w", o.kind(obj), key, err)
	}
	log.FromContext(ctx).Info("Deleted "+o.kind(obj), "name", key.String())
	o.note("Deleted", obj)
	return true, nil
}

func ptrUID(obj metav1.Object) *types.UID {
	uid := obj.GetUID()
	return &uid
}

func (o objects) kind(obj client.Object) string {
	gvk, err := o.GroupVersionKindFor(obj)
	if err != nil {
		return fmt.Sprintf("%T", obj)
	}
	return gvk.Kind
}
