package reconcile

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// A finalizer is added once, held through deletion, and removing it lets
// the object go.
func TestFinalizerHoldsUntilRemoved(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t)
	cm := configMap(ns, "held", nil)
	if err := env.Client.Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	const fin = "platform.bellwork.dev/test"
	if err := AddFinalizer(ctx, env.Client, cm, fin); err != nil {
		t.Fatal(err)
	}
	rv := cm.ResourceVersion
	if err := AddFinalizer(ctx, env.Client, cm, fin); err != nil || cm.ResourceVersion != rv {
		t.Errorf("adding it again wrote (%v, rv %s -> %s)", err, rv, cm.ResourceVersion)
	}
	if err := env.Client.Delete(ctx, cm); err != nil {
		t.Fatal(err)
	}
	held := &corev1.ConfigMap{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(cm), held); err != nil || held.DeletionTimestamp.IsZero() {
		t.Fatalf("deleted object not held by its finalizer: %v", err)
	}
	if err := RemoveFinalizer(ctx, env.Client, held, fin); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := env.Client.Get(ctx, client.ObjectKeyFromObject(cm), &corev1.ConfigMap{})
		if apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("object still there after its finalizer was removed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A pass that read the object before it went still finishes quietly.
	held.Finalizers = []string{fin}
	if err := RemoveFinalizer(ctx, env.Client, held, fin); err != nil {
		t.Errorf("removing from an object already gone: %v", err)
	}
}
