package controllers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/pkg/directory"
	"bellwork.dev/bellwork/pkg/flags"
)

func featureFlag(t testing.TB, ns, name, spec string) *platformv1.FeatureFlag {
	t.Helper()
	ff := &platformv1.FeatureFlag{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	if err := yaml.Unmarshal([]byte(spec), &ff.Spec); err != nil {
		t.Fatal(err)
	}
	return ff
}

const boolFlag = `
description: a test flag
variants: [{name: "on", value: true}, {name: "off", value: false}]
defaultVariant: "off"
`

func getFlag(t testing.TB, ns, name string) *platformv1.FeatureFlag {
	t.Helper()
	ff := &platformv1.FeatureFlag{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, ff); err != nil {
		t.Fatal(err)
	}
	return ff
}

// waitFlag waits until the flag's status describes its current generation
// and cond holds.
func waitFlag(t testing.TB, ns, name string, cond func(*platformv1.FeatureFlag) bool) *platformv1.FeatureFlag {
	t.Helper()
	var ff *platformv1.FeatureFlag
	eventually(t, 30*time.Second, func() (bool, string) {
		ff = getFlag(t, ns, name)
		ok := ff.Status.ObservedGeneration == ff.Generation && cond(ff)
		return ok, fmt.Sprintf("flag %s/%s: %+v; conditions %s", ns, name, ff.Status, conditions(ff.Status.Conditions))
	})
	return ff
}

func flagReady(ff *platformv1.FeatureFlag) bool {
	return meta.IsStatusConditionTrue(ff.Status.Conditions, platformv1.ConditionReady)
}

func entrySecretVersion(t testing.TB, tenant string) string {
	t.Helper()
	s := &corev1.Secret{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: lmsNamespace, Name: directory.SecretName(tenant)}, s); err != nil {
		t.Fatal(err)
	}
	return s.ResourceVersion
}

// watchSecretWrites counts the updates of a Secret from now on; the
// returned function reads the count once the watch has caught up.
func watchSecretWrites(t testing.TB, ns, name string) func() int {
	t.Helper()
	wc, err := client.NewWithWatch(env.Config, client.Options{Scheme: env.Client.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	current := func() string {
		s := &corev1.Secret{}
		if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
			t.Fatal(err)
		}
		return s.ResourceVersion
	}
	start := current()
	w, err := wc.Watch(context.Background(), &corev1.SecretList{}, client.InNamespace(ns),
		client.MatchingFields{"metadata.name": name}, &client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: start}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	var mu sync.Mutex
	n, last := 0, start
	go func() {
		for ev := range w.ResultChan() {
			if s, ok := ev.Object.(*corev1.Secret); ok && ev.Type == watch.Modified {
				mu.Lock()
				n, last = n+1, s.ResourceVersion
				mu.Unlock()
			}
		}
	}()
	return func() int {
		// The watch delivers in order: once it has delivered the newest
		// version, every write before it has been counted.
		want := current()
		eventually(t, 10*time.Second, func() (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			return last == want, fmt.Sprintf("the watch has delivered version %q of %q", last, want)
		})
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

func updateFlag(t testing.TB, ns, name string, change func(*platformv1.FeatureFlag)) {
	t.Helper()
	ff := getFlag(t, ns, name)
	change(ff)
	if err := env.Client.Update(context.Background(), ff); err != nil {
		t.Fatal(err)
	}
}

// A platform flag reaches every tenant's entry, resolved for each; a change
// of what the LMS evaluates republishes it, a change of its description does
// not; a tenant's own flag of the same name replaces it for that tenant.
func TestFeatureFlagsArePublishedPerTenantOnlyWhenTheyChange(t *testing.T) {
	startManager(t, nil)
	create(t, externalTenant("ff-a"), externalTenant("ff-b"))
	waitTenant(t, "ff-a", metav1.ConditionTrue, 60*time.Second)
	waitTenant(t, "ff-b", metav1.ConditionTrue, 60*time.Second)

	create(t, featureFlag(t, lmsNamespace, "gradebook-v2", boolFlag+`rules: [{tenants: [ff-a], roles: [teacher], variant: "on"}]`))
	ff := waitFlag(t, lmsNamespace, "gradebook-v2", flagReady)
	if !slices.Contains(ff.Status.AffectedTenants, "ff-a") || !slices.Contains(ff.Status.AffectedTenants, "ff-b") ||
		ff.Status.PendingTenantCount != 0 || ff.Status.PublishedHash == "" || ff.Status.PublishedTime == nil {
		t.Fatalf("status after publication: %+v", ff.Status)
	}
	a, b := entryOf(t, "ff-a").Features, entryOf(t, "ff-b").Features
	if e := a.Evaluate("gradebook-v2", flags.Context{Tenant: "ff-a", Role: "teacher", UserID: "u"}); e.Variant != "on" {
		t.Fatalf("ff-a's teachers: %+v", e)
	}
	if f := b["gradebook-v2"]; len(f.Rules) != 0 || f.DefaultVariant != "off" {
		t.Fatalf("ff-b's entry must carry the flag without ff-a's rule: %+v", f)
	}

	// The description and owner are not published: changing them writes no
	// entry. Count the writes of ff-a's entry across that change and the next
	// one, which does change what the LMS evaluates: one write in all.
	writes := watchSecretWrites(t, lmsNamespace, directory.SecretName("ff-a"))
	hash := ff.Status.PublishedHash
	updateFlag(t, lmsNamespace, "gradebook-v2", func(f *platformv1.FeatureFlag) {
		f.Spec.Description, f.Spec.Owner = "reworded", "someone else"
	})
	ff = waitFlag(t, lmsNamespace, "gradebook-v2", flagReady)
	if ff.Status.PublishedHash != hash {
		t.Fatal("a change of the description changed the published hash")
	}
	updateFlag(t, lmsNamespace, "gradebook-v2", func(f *platformv1.FeatureFlag) { f.Spec.DefaultVariant = "on" })
	waitFlag(t, lmsNamespace, "gradebook-v2", func(f *platformv1.FeatureFlag) bool { return flagReady(f) && f.Status.PublishedHash != hash })
	if entryOf(t, "ff-b").Features["gradebook-v2"].DefaultVariant != "on" || entryOf(t, "ff-a").Features["gradebook-v2"].DefaultVariant != "on" {
		t.Fatal("the entries did not take the new default")
	}
	if n := writes(); n != 1 {
		t.Fatalf("ff-a's entry was written %d times across a description change and a default change; want 1", n)
	}

	// ff-b's own flag wins there, and the platform flag stops counting ff-b.
	create(t, featureFlag(t, "tenant-ff-b", "gradebook-v2", boolFlag+`overrides: {schools: {"B-1": "on"}}`))
	waitFlag(t, "tenant-ff-b", "gradebook-v2", func(f *platformv1.FeatureFlag) bool {
		return flagReady(f) && f.Status.AffectedTenantCount == 1 && f.Status.AffectedTenants[0] == "ff-b"
	})
	waitFlag(t, lmsNamespace, "gradebook-v2", func(f *platformv1.FeatureFlag) bool {
		return flagReady(f) && !slices.Contains(f.Status.AffectedTenants, "ff-b") && slices.Contains(f.Status.AffectedTenants, "ff-a")
	})
	own := entryOf(t, "ff-b").Features
	if e := own.Evaluate("gradebook-v2", flags.Context{Tenant: "ff-b", School: "B-1", Role: "student"}); e.Variant != "on" {
		t.Fatalf("ff-b's own override: %+v", e)
	}
	if e := own.Evaluate("gradebook-v2", flags.Context{Tenant: "ff-b", School: "B-2", Role: "teacher"}); e.Variant != "off" {
		t.Fatalf("ff-b's own default, not the platform's: %+v", e)
	}

	// Deleting a flag takes it out of the entries.
	if err := env.Client.Delete(context.Background(), getFlag(t, "tenant-ff-b", "gradebook-v2")); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Delete(context.Background(), getFlag(t, lmsNamespace, "gradebook-v2")); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		_, inA := entryOf(t, "ff-a").Features["gradebook-v2"]
		_, inB := entryOf(t, "ff-b").Features["gradebook-v2"]
		return !inA && !inB, "the deleted flag is still in an entry"
	})
}

// A flag the evaluator refuses (it got past admission, which is off in this
// test) never breaks a tenant: its default is published alone and status
// says why.
func TestAnInvalidFlagPublishesItsDefaultOnly(t *testing.T) {
	startManager(t, nil)
	create(t, externalTenant("ff-invalid"))
	waitTenant(t, "ff-invalid", metav1.ConditionTrue, 60*time.Second)
	// One variant listed twice in a rollout: the schema cannot see it.
	create(t, featureFlag(t, "tenant-ff-invalid", "twice", boolFlag+`rules: [{rollout: [{variant: "on", weight: 50}, {variant: "on", weight: 50}]}]`))
	ff := waitFlag(t, "tenant-ff-invalid", "twice", func(f *platformv1.FeatureFlag) bool {
		return meta.IsStatusConditionTrue(f.Status.Conditions, platformv1.FlagPublished)
	})
	valid := meta.FindStatusCondition(ff.Status.Conditions, platformv1.FlagValid)
	if valid == nil || valid.Status != metav1.ConditionFalse || valid.Reason != platformv1.ReasonDefaultOnly ||
		!strings.Contains(valid.Message, `variant "on" is listed twice`) {
		t.Fatalf("Valid: %+v", valid)
	}
	if flagReady(ff) {
		t.Fatal("an invalid flag reads Ready")
	}
	if f := entryOf(t, "ff-invalid").Features["twice"]; len(f.Rules) != 0 || f.DefaultVariant != "off" {
		t.Fatalf("published: %+v", f)
	}
	waitTenant(t, "ff-invalid", metav1.ConditionTrue, 10*time.Second)
}

// expires gives a Warning Event and a condition before and after the date.
func TestFlagExpiry(t *testing.T) {
	startManager(t, nil)
	soon := platformv1.Date(time.Now().AddDate(0, 0, 3).Format(time.DateOnly))
	past := platformv1.Date(time.Now().AddDate(0, 0, -2).Format(time.DateOnly))
	for name, day := range map[string]platformv1.Date{"expiring": soon, "expired": past} {
		ff := featureFlag(t, lmsNamespace, name, boolFlag)
		ff.Spec.Expires = &day
		create(t, ff)
	}
	ff := waitFlag(t, lmsNamespace, "expiring", func(f *platformv1.FeatureFlag) bool {
		return meta.IsStatusConditionTrue(f.Status.Conditions, platformv1.FlagExpiring)
	})
	if meta.IsStatusConditionTrue(ff.Status.Conditions, platformv1.FlagStale) {
		t.Fatal("a flag that has not expired is Stale")
	}
	waitObjectEvent(t, "FeatureFlag", "expiring", corev1.EventTypeWarning, platformv1.ReasonExpiresSoon, "Expires on "+string(soon))
	waitFlag(t, lmsNamespace, "expired", func(f *platformv1.FeatureFlag) bool {
		return meta.IsStatusConditionTrue(f.Status.Conditions, platformv1.FlagStale) &&
			!meta.IsStatusConditionTrue(f.Status.Conditions, platformv1.FlagExpiring)
	})
	waitObjectEvent(t, "FeatureFlag", "expired", corev1.EventTypeWarning, platformv1.ReasonExpired, "Expired on "+string(past))
}
