package reconcile

import (
	"context"
	"maps"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"bellwork.dev/bellwork/internal/dev/testenv"
)

// notes collects what a Writer noted.
type notes []string

func (n *notes) NoteChange(what string) { *n = append(*n, what) }

func configMap(ns, name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"owner": "kit"}}, Data: data}
}

func syncData(have, want *corev1.ConfigMap) { have.Data = want.Data }

// Ensure creates what is missing, writes nothing when all is as wanted,
// and updates only what it owns when something differs.
func TestEnsureCreatesUpdatesAndLeavesAlone(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t)
	var n notes
	w := NewWriter(env.Client, env.Client, &n)
	cm, out, err := Ensure(ctx, w, configMap(ns, "settings", map[string]string{"a": "1"}), syncData)
	if err != nil || out != Created {
		t.Fatalf("first Ensure: %v, %v; want Created", out, err)
	}
	if len(n) != 1 || n[0] != "Created ConfigMap "+ns+"/settings" {
		t.Errorf("notes %q", n)
	}
	// Someone else adds a label of their own; it is not the writer's to take away.
	cm.Labels["team"] = "it"
	if err := env.Client.Update(ctx, cm); err != nil {
		t.Fatal(err)
	}
	rv := cm.ResourceVersion

	w = NewWriter(env.Client, env.Client, &n)
	if _, out, err := Ensure(ctx, w, configMap(ns, "settings", map[string]string{"a": "1"}), syncData); err != nil || out != Unchanged {
		t.Fatalf("Ensure of what is there: %v, %v; want Unchanged", out, err)
	}
	got := &corev1.ConfigMap{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(cm), got); err != nil || got.ResourceVersion != rv || len(n) != 1 {
		t.Errorf("an unchanged object was written (rv %s -> %s, notes %q, %v)", rv, got.ResourceVersion, n, err)
	}

	if _, out, err := Ensure(ctx, w, configMap(ns, "settings", map[string]string{"a": "2"}), syncData); err != nil || out != Updated {
		t.Fatalf("Ensure of a change: %v, %v; want Updated", out, err)
	}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(cm), got); err != nil {
		t.Fatal(err)
	}
	if got.Data["a"] != "2" || got.Labels["team"] != "it" || got.Labels["owner"] != "kit" {
		t.Errorf("after update: data %v, labels %v", got.Data, got.Labels)
	}
	if n[len(n)-1] != "Updated ConfigMap "+ns+"/settings" {
		t.Errorf("notes %q", n)
	}
}

// A Secret the manager's cache filters out (it lacks the label the cache
// selects) reads as missing; creating it says AlreadyExists, and Ensure
// then reads it from the API server and updates it, label and all.
func TestEnsureAdoptsWhatTheCacheCannotSee(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ns := namespace(t)
	unlabelled := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "db-app"}, StringData: map[string]string{"password": "old"}}
	if err := env.Client.Create(ctx, unlabelled); err != nil {
		t.Fatal(err)
	}
	cached := cachedClient(ctx, t, labels.Set{"managed-by": "kit"})
	var n notes
	want := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "db-app", Labels: map[string]string{"managed-by": "kit"}},
		Data: map[string][]byte{"password": []byte("new")}}
	_, out, err := Ensure(ctx, NewWriter(cached, env.Client, &n), want, func(have, want *corev1.Secret) { have.Data = want.Data })
	if err != nil || out != Updated {
		t.Fatalf("Ensure: %v, %v; want Updated from the API server's copy", out, err)
	}
	got := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(want), got); err != nil {
		t.Fatal(err)
	}
	if string(got.Data["password"]) != "new" || got.Labels["managed-by"] != "kit" || got.UID != unlabelled.UID {
		t.Errorf("secret %v %v (uid %s, was %s)", got.Labels, got.Data, got.UID, unlabelled.UID)
	}
}

// cachedClient reads Secrets from an informer cache that holds only those
// with the given labels, as the operator's manager does.
func cachedClient(ctx context.Context, t *testing.T, selector labels.Set) client.Client {
	t.Helper()
	c, err := cache.New(env.Config, cache.Options{Scheme: testenv.Scheme(),
		ByObject: map[client.Object]cache.ByObject{&corev1.Secret{}: {Label: labels.SelectorFromSet(selector)}}})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = c.Start(ctx) }()
	if _, err := c.GetInformer(ctx, &corev1.Secret{}); err != nil {
		t.Fatal(err)
	}
	if !c.WaitForCacheSync(ctx) {
		t.Fatal("cache did not sync")
	}
	cl, err := client.New(env.Config, client.Options{Scheme: testenv.Scheme(), Cache: &client.CacheOptions{Reader: c}})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// laggingClient reads every object as it was first read, as a cache that
// has not caught up with the writes does.
type laggingClient struct {
	client.Client
	first map[types.NamespacedName]*corev1.ConfigMap
}

func (c *laggingClient) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	cm, ok := obj.(*corev1.ConfigMap)
	if !ok {
		return c.Client.Get(ctx, key, obj, opts...)
	}
	if old, ok := c.first[key]; ok {
		old.DeepCopyInto(cm)
		return nil
	}
	if err := c.Client.Get(ctx, key, cm, opts...); err != nil {
		return err
	}
	c.first[key] = cm.DeepCopy()
	return nil
}

// Writing the same object twice in a pass starts from the version the pass
// wrote, not from a cache still showing the one before: no conflict.
func TestEnsureTwiceInAPassReadsItsOwnWrite(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t)
	if err := env.Client.Create(ctx, configMap(ns, "creds", map[string]string{"password": "p1"})); err != nil {
		t.Fatal(err)
	}
	lagging := &laggingClient{Client: env.Client, first: map[types.NamespacedName]*corev1.ConfigMap{}}
	w := NewWriter(lagging, env.Client, nil)
	for _, data := range []map[string]string{{"password": "p2"}, {"password": "p2", "checksum": "c2"}} {
		if _, out, err := Ensure(ctx, w, configMap(ns, "creds", data), syncData); err != nil || out != Updated {
			t.Fatalf("Ensure %v: %v, %v", data, out, err)
		}
	}
	got := &corev1.ConfigMap{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "creds"}, got); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got.Data, map[string]string{"password": "p2", "checksum": "c2"}) {
		t.Errorf("data %v", got.Data)
	}
	// A fresh Writer (a new pass) has no such memory: the lagging read makes
	// its update a conflict, left for the next pass, never a blind overwrite.
	_, _, err := Ensure(ctx, NewWriter(lagging, env.Client, nil), configMap(ns, "creds", map[string]string{"password": "p3"}), syncData)
	if !apierrors.IsConflict(err) {
		t.Errorf("update from a stale read: %v, want a conflict", err)
	}
}

// Remove deletes what exists and says so; EnsureOrRemove with no wanted
// object removes only the caller's.
func TestRemoveDeletesOnlyWhatIsThere(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t)
	var n notes
	w := NewWriter(env.Client, env.Client, &n)
	for _, cm := range []*corev1.ConfigMap{configMap(ns, "ours", nil), configMap(ns, "theirs", nil)} {
		if err := env.Client.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
	}
	ours := func(have client.Object) bool { return have.GetName() == "ours" }
	for _, name := range []string{"ours", "theirs", "absent"} {
		if err := EnsureOrRemove[*corev1.ConfigMap](ctx, w, nil, types.NamespacedName{Namespace: ns, Name: name}, ours, syncData); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "ours"}, &corev1.ConfigMap{}); !apierrors.IsNotFound(err) {
		t.Errorf("ours: %v, want deleted", err)
	}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "theirs"}, &corev1.ConfigMap{}); err != nil {
		t.Errorf("theirs: %v, want kept", err)
	}
	if strings.Join(n, ",") != "Deleted ConfigMap "+ns+"/ours" {
		t.Errorf("notes %q", n)
	}
	removed, err := Remove(ctx, w, configMap(ns, "ours", nil))
	if err != nil || removed {
		t.Errorf("removing what is gone: %v, %v; want nothing done", removed, err)
	}
}

// Lookup finds what the cache cannot show, where Get reports it missing.
func TestLookupAsksTheAPIServerBeforeSayingMissing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ns := namespace(t)
	hidden := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "admin-invitations"}, StringData: map[string]string{"token": "t1"}}
	if err := env.Client.Create(ctx, hidden); err != nil {
		t.Fatal(err)
	}
	w := NewWriter(cachedClient(ctx, t, labels.Set{"managed-by": "kit"}), env.Client, nil)
	key := client.ObjectKeyFromObject(hidden)
	if err := w.Get(ctx, key, &corev1.Secret{}); !apierrors.IsNotFound(err) {
		t.Fatalf("Get through the cache: %v, want NotFound", err)
	}
	got := &corev1.Secret{}
	if err := w.Lookup(ctx, key, got); err != nil || string(got.Data["token"]) != "t1" {
		t.Fatalf("Lookup: %v, %v", err, got.Data)
	}
	if err := w.Lookup(ctx, client.ObjectKey{Namespace: ns, Name: "absent"}, &corev1.Secret{}); !apierrors.IsNotFound(err) {
		t.Errorf("Lookup of an absent Secret: %v, want NotFound", err)
	}
}
