package controllers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
