package reconcile

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// PatchStatus is the one way a controller writes the status of the object
// it reconciles. It reads obj again through reader (the API server, not a
// cache that may be several writes behind), lets mutate change that fresh
// copy's status, and patches the status subresource with an optimistic
// lock, only when mutate changed something. When another writer got there
// first (a conflict) it starts over from a fresh read: mutate may run more
// than once and must decide only from the object it is given, never keep
// what it decided in an earlier run.
//
// On return obj holds the object as the API server has it, and written says
// whether this call changed it.
func PatchStatus[T client.Object](ctx context.Context, c client.Client, reader client.Reader, obj T, mutate func(fresh T)) (written bool, err error) {
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		fresh := newOf(obj)
		if err := reader.Get(ctx, client.ObjectKeyFromObject(obj), fresh); err != nil {
			return err
		}
		before := fresh.DeepCopyObject().(T)
		mutate(fresh)
		if equality.Semantic.DeepEqual(before, fresh) {
			copyInto(obj, fresh)
			written = false
			return nil
		}
		if err := c.Status().Patch(ctx, fresh, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
			return err
		}
		copyInto(obj, fresh)
		written = true
		return nil
	})
	return written, err
}
