//go:build e2e

package rollouttest

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// A rollout waits while a school of its fleet is in session, in the
// school's own time zone, says when the next window opens, and starts when
// the (test's) clock gets there; a window override starts one at once and
// is recorded.
func TestWaitingForAWindowInTheSchoolsTimeZone(t *testing.T) {
	ctx := context.Background()
	tn := &platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: "gamma", Labels: map[string]string{"fleet": "window"}},
		Spec: platformv1.TenantSpec{DisplayName: "District gamma", Hosts: []string{"gamma.localhost"}, TimeZone: "America/Chicago",
			Database: platformv1.TenantDatabase{External: &platformv1.ExternalDatabase{Host: pg.Host, Port: int32(pg.Port),
				AdminSecret: adminSecret, AdminSecretNamespace: lmsNamespace, SSLMode: "disable"}}}}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "tenant-gamma"}}
	school := &platformv1.School{ObjectMeta: metav1.ObjectMeta{Name: "gamma-high", Namespace: "tenant-gamma"},
		Spec: platformv1.SchoolSpec{Tenant: "gamma", Code: "GH", DisplayName: "Gamma High", TimeZone: "America/Chicago",
			Calendar: platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{{Days: []platformv1.Weekday{platformv1.Monday, platformv1.Tuesday,
				platformv1.Wednesday, platformv1.Thursday, platformv1.Friday}, Start: "08:00", End: "15:00"}}}}}
	for _, o := range []client.Object{tn, ns, school} {
		if err := env.Client.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	f := newFleet(t, "window", lmsV1, func(s *platformv1.DeploymentSpec) {
		s.TenantSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"fleet": "window"}}
	})
	f.host = "gamma.localhost"
	f.serving(lmsV1)

	// Monday 10:00 in Chicago: school is in session until 15:00 CST (21:00
	// UTC), the next window's start, computed from the school's hours.
	clock.Set(time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC))
	t.Cleanup(func() { clock.Set(time.Time{}) })
	f.rollTo(lmsV2)
	d := f.waitFor("the wait for a window", time.Minute, func(d *platformv1.Deployment) bool {
		return d.Status.Phase == platformv1.DeploymentWaitingForWindow
	})
	if d.Status.NextWindowStart == nil || !d.Status.NextWindowStart.Time.Equal(time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("next window %v, want 21:00 UTC", d.Status.NextWindowStart)
	}
	if !strings.Contains(d.Status.Message, "school tenant-gamma/gamma-high is in session until 15:00 (America/Chicago)") {
		t.Errorf("message %q", d.Status.Message)
	}
	time.Sleep(3 * time.Second) // several passes: nothing starts
	if d := f.get(); step(d) != platformv1.StepWaitingForWindow || d.Status.Preview != nil {
		t.Fatalf("the rollout moved outside the window: %s", step(d))
	}
	clock.Set(time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC))
	f.serving(lmsV2)

	// Tuesday 09:00 in Chicago, with an override.
	clock.Set(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC))
	f.update(func(s *platformv1.DeploymentSpec) {
		s.WindowOverride = &platformv1.WindowOverride{Reason: "INC-4121: grade export broken"}
	})
	f.rollTo(lmsV3)
	d = f.serving(lmsV3)
	if d.Status.History[0].WindowOverride != "INC-4121: grade export broken" {
		t.Errorf("history %+v", d.Status.History[0])
	}
}
