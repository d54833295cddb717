package controllers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// A host already served by an older tenant keeps the newer one out of
// the directory, with a condition naming both.
func TestHostConflictWithholdsTheNewerTenant(t *testing.T) {
	startManager(t, nil)
	create(t, externalTenant("host-old"))
	waitTenant(t, "host-old", metav1.ConditionTrue, 30*time.Second)
	late := externalTenant("host-new")
	late.Spec.Hosts = []string{"host-new.localhost", "host-old.localhost"}
	create(t, late)
	eventually(t, 30*time.Second, func() (bool, string) {
		c := meta.FindStatusCondition(getTenant(t, "host-new").Status.Conditions, platformv1.TenantPublished)
		return c != nil && c.Reason == platformv1.ReasonHostConflict && strings.Contains(c.Message, "host-old.localhost") &&
			strings.Contains(c.Message, "tenant host-old"), fmt.Sprintf("Published = %+v", c)
	})
	if entryOf(t, "host-new") != nil || entryOf(t, "host-old") == nil {
		t.Error("the newer tenant is published, or the older one is not")
	}
}

// The conflict check finds tenants through the cache's host index: a
// conflict on any of a tenant's hosts is found, and the index follows a
// change of hosts, so once the older tenant gives the host up the newer
// one is published.
func TestHostConflictFollowsHostChanges(t *testing.T) {
	startManager(t, nil)
	old := externalTenant("hostidx-old")
	old.Spec.Hosts = []string{"hostidx-old.localhost", "shared.hostidx.localhost"}
	create(t, old, externalTenant("hostidx-other"))
	waitTenant(t, "hostidx-old", metav1.ConditionTrue, 30*time.Second)
	late := externalTenant("hostidx-new")
	late.Spec.Hosts = []string{"hostidx-new.localhost", "hostidx-new2.localhost", "shared.hostidx.localhost"}
	create(t, late)
	eventually(t, 30*time.Second, func() (bool, string) {
		c := meta.FindStatusCondition(getTenant(t, "hostidx-new").Status.Conditions, platformv1.TenantPublished)
		return c != nil && c.Reason == platformv1.ReasonHostConflict && strings.Contains(c.Message, "shared.hostidx.localhost") &&
			strings.Contains(c.Message, "tenant hostidx-old"), fmt.Sprintf("Published = %+v", c)
	})
	if entryOf(t, "hostidx-new") != nil {
		t.Fatal("the newer tenant is published while its host is taken")
	}

	// The older tenant gives the shared host up; the newer one's next pass
	// finds no conflict.
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		tn := getTenant(t, "hostidx-old")
		tn.Spec.Hosts = []string{"hostidx-old.localhost"}
		return env.Client.Update(context.Background(), tn)
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		e := entryOf(t, "hostidx-old")
		return e != nil && len(e.Hosts) == 1, "waiting for the older tenant's entry to drop the shared host"
	})
	touchTenant(t, "hostidx-new")
	waitTenant(t, "hostidx-new", metav1.ConditionTrue, 30*time.Second)
	if e := entryOf(t, "hostidx-new"); e == nil || !slices.Contains(e.Hosts, "shared.hostidx.localhost") {
		t.Errorf("the newer tenant's entry = %+v", e)
	}
}
