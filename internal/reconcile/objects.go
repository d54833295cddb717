package reconcile

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// Notes hears each change a Writer makes; a Pass is one.
type Notes interface {
	NoteChange(what string)
}

// Writer writes the child objects of one pass: create what is missing,
// update what differs, delete what should not exist, and nothing else, so a
// pass over an unchanged object makes no API writes. Each write is logged
// and noted (see the package documentation). A Writer serves one pass: it
// remembers what it read and wrote, so writing the same object twice in a
// pass starts from the version it wrote, not from a cache that has not
// caught up. Its methods may be called from several goroutines of one
// pass at once (independent objects written concurrently).
type Writer struct {
	client client.Client
	reader client.Reader
	notes  Notes

	mu   sync.Mutex // guards seen and calls to notes
	seen map[string]client.Object
}

func (w *Writer) remembered(id string) (client.Object, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	o, ok := w.seen[id]
	return o, ok
}

func (w *Writer) remember(id string, obj client.Object) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen[id] = obj.DeepCopyObject().(client.Object)
}

// NewWriter writes through c (whose reads may come from a cache) and reads
// through reader what c cannot show: an object the cache filters out or has
// not seen yet. notes, when not nil, hears each write.
func NewWriter(c client.Client, reader client.Reader, notes Notes) *Writer {
	return &Writer{client: c, reader: reader, notes: notes, seen: map[string]client.Object{}}
}

// Outcome says what Ensure did.
type Outcome int

const (
	Unchanged Outcome = iota
	Created
	Updated
)

// Get reads an object through the Writer's client (usually the manager's
// cache) the first time, and as the pass first read or last wrote it after
// that: a pass decides from one version of each object, and a write based
// on a version that has since changed is a conflict, not an overwrite.
func (w *Writer) Get(ctx context.Context, key client.ObjectKey, obj client.Object) error {
	id := w.id(obj, key)
	if have, ok := w.remembered(id); ok {
		copyInto(obj, have)
		return nil
	}
	if err := w.client.Get(ctx, key, obj); err != nil {
		return err
	}
	w.remember(id, obj)
	return nil
}

// Lookup is Get for decisions that must not take an object the cache does
// not show (it filters the object out, or has not seen it yet) for a
// missing one: before it reports NotFound, it asks the API server.
func (w *Writer) Lookup(ctx context.Context, key client.ObjectKey, obj client.Object) error {
	err := w.Get(ctx, key, obj)
	if !apierrors.IsNotFound(err) {
		return err
	}
	if err := w.reader.Get(ctx, key, obj); err != nil {
		return err
	}
	w.remember(w.id(obj, key), obj)
	return nil
}

// Ensure makes want exist. sync copies the fields the controller owns from
// want into have, leaving what the API server or others set alone; want's
// labels, annotations and owner references are added to have's. have is
// written back only when that changed something, with have's
// resourceVersion: an object changed since it was read is a conflict for
// the next pass to resolve, never overwritten from a stale read.
func Ensure[T client.Object](ctx context.Context, w *Writer, want T, sync func(have, want T)) (T, Outcome, error) {
	key, kind := client.ObjectKeyFromObject(want), w.kind(want)
	have := newOf(want)
	err := w.Get(ctx, key, have)
	if apierrors.IsNotFound(err) {
		err = w.client.Create(ctx, want)
		if err == nil {
			w.wrote(ctx, "Created", kind, want)
			return want, Created, nil
		}
		if !apierrors.IsAlreadyExists(err) {
			return want, Unchanged, fmt.Errorf("create %s %s: %w", kind, key, err)
		}
		// The cache has not seen it, or filters it out: read it directly.
		if err = w.reader.Get(ctx, key, have); err == nil {
			w.remember(w.id(have, key), have)
		}
	}
	if err != nil {
		return have, Unchanged, fmt.Errorf("read %s %s: %w", kind, key, err)
	}
	before := have.DeepCopyObject()
	if sync != nil {
		sync(have, want)
	}
	mergeMetadata(have, want)
	if equality.Semantic.DeepEqual(before, have) {
		return have, Unchanged, nil
	}
	if err := w.client.Update(ctx, have); err != nil {
		return have, Unchanged, fmt.Errorf("update %s %s: %w", kind, key, err)
	}
	w.wrote(ctx, "Updated", kind, have)
	return have, Updated, nil
}

// EnsureOrRemove ensures want, or, when the builder returned nil (the
// object should not exist), deletes the object at key if ours says it is
// the caller's: an object of that name someone else made is left alone.
func EnsureOrRemove[T client.Object](ctx context.Context, w *Writer, want T, key types.NamespacedName, ours func(have client.Object) bool, sync func(have, want T)) error {
	if !isNil(want) {
		_, _, err := Ensure(ctx, w, want, sync)
		return err
	}
	have := newOf(want)
	if err := w.Get(ctx, key, have); err != nil {
		return client.IgnoreNotFound(err)
	}
	if !ours(have) {
		return nil
	}
	_, err := Remove(ctx, w, have)
	return err
}

// Remove deletes obj (only its name and namespace are used) if it exists
// and is not already being deleted; removed says whether it did.
func Remove(ctx context.Context, w *Writer, obj client.Object) (removed bool, err error) {
	key, kind := client.ObjectKeyFromObject(obj), w.kind(obj)
	if err := w.Get(ctx, key, obj); err != nil {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("read %s %s: %w", kind, key, err)
	}
	if !obj.GetDeletionTimestamp().IsZero() {
		return false, nil
	}
	uid := obj.GetUID()
	if err := w.client.Delete(ctx, obj, client.Preconditions{UID: &uid}); err != nil {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("delete %s %s: %w", kind, key, err)
	}
	w.mu.Lock()
	delete(w.seen, w.id(obj, key))
	w.mu.Unlock()
	w.wrote(ctx, "Deleted", kind, obj)
	return true, nil
}

// wrote logs and notes a write, and remembers the object as written.
func (w *Writer) wrote(ctx context.Context, verb, kind string, obj client.Object) {
	key := client.ObjectKeyFromObject(obj)
	if verb != "Deleted" {
		w.remember(w.id(obj, key), obj)
	}
	log.FromContext(ctx).Info(verb+" "+kind, kind, klog.KObj(obj))
	if w.notes != nil {
		w.mu.Lock()
		w.notes.NoteChange(fmt.Sprintf("%s %s %s", verb, kind, key))
		w.mu.Unlock()
	}
}

func (w *Writer) id(obj client.Object, key client.ObjectKey) string {
	return fmt.Sprintf("%T %s", obj, key)
}

func (w *Writer) kind(obj client.Object) string {
	gvk, err := w.client.GroupVersionKindFor(obj)
	if err != nil {
		return reflect.TypeOf(obj).Elem().Name()
	}
	return gvk.Kind
}

// mergeMetadata adds want's labels, annotations and owner references to have.
func mergeMetadata(have, want client.Object) {
	if l := want.GetLabels(); len(l) > 0 {
		merged := have.GetLabels()
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, l)
		have.SetLabels(merged)
	}
	if a := want.GetAnnotations(); len(a) > 0 {
		merged := have.GetAnnotations()
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, a)
		have.SetAnnotations(merged)
	}
	refs := have.GetOwnerReferences()
	for _, ref := range want.GetOwnerReferences() {
		if !slices.ContainsFunc(refs, func(h metav1.OwnerReference) bool { return h.UID == ref.UID }) {
			refs = append(refs, ref)
		}
	}
	if len(refs) > 0 {
		have.SetOwnerReferences(refs)
	}
}

// isNil says whether obj, of a pointer type, is nil.
func isNil[T client.Object](obj T) bool {
	v := reflect.ValueOf(obj)
	return !v.IsValid() || v.IsNil()
}

// newOf returns a new, empty object of obj's type (a pointer type).
func newOf[T client.Object](obj T) T {
	t := reflect.TypeOf(obj)
	if t == nil {
		t = reflect.TypeFor[T]()
	}
	return reflect.New(t.Elem()).Interface().(T)
}

// copyInto makes dst a deep copy of src, an object of the same type.
func copyInto(dst, src client.Object) {
	reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(src.DeepCopyObject()).Elem())
}
