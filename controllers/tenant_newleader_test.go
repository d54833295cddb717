package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/dev/pgserver"
)

// A restarted operator, or a new leader, knows only what the old one left
// in the cluster. At each step of a tenant's life here the manager is
// stopped and a fresh one started on that state, and the fresh one does
// exactly what one manager running throughout would have: no NotReady
// announced twice, a Recovered for the NotReady an earlier manager
// announced, a hand-made change to a Ready tenant's roles reported as
// drift, not as provisioning.
func TestAFreshManagerCarriesOnFromStatus(t *testing.T) {
	ctx := context.Background()
	const name = "heir"
	tn := externalTenant(name)
	tn.Spec.Database.External.AdminSecret = "pg-admin-heir"
	tn.Spec.SignIn.OIDC = &platformv1.OIDCProvider{DisplayName: "Google", IssuerURL: "https://accounts.google.com", ClientID: "heir",
		ClientSecret: platformv1.SecretKeyReference{Name: "oidc-heir", Key: "secret"}}
	admin := func() *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "pg-admin-heir", Namespace: lmsNamespace},
			StringData: map[string]string{"username": pgserver.SuperUser, "password": pg.SuperPassword}}
	}
	steps := []struct {
		name string
		// act changes the world once the fresh manager has decided on it.
		act func()
		// ready and reason are where the tenant settles after act.
		ready  metav1.ConditionStatus
		reason string
		// events are the readiness Events sent so far, by reason.
		events map[string]int
	}{
		{name: "created without its admin Secret",
			act:   func() { create(t, tn) },
			ready: metav1.ConditionFalse, reason: platformv1.ReasonAdminSecretMissing,
			events: map[string]int{"NotReady": 1}},
		{name: "admin Secret created; OIDC client Secret missing",
			act:   func() { create(t, admin()) },
			ready: metav1.ConditionFalse, reason: platformv1.ReasonOIDCSecretMissing,
			events: map[string]int{"NotReady": 2}},
		{name: "OIDC client Secret created: Ready, answering the NotReady an earlier manager sent",
			act: func() {
				create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "oidc-heir", Namespace: "tenant-" + name},
					StringData: map[string]string{"secret": "s3cret"}})
			},
			ready: metav1.ConditionTrue, reason: platformv1.ReasonReconciled,
			events: map[string]int{"NotReady": 2, "Recovered": 1}},
		{name: "admin Secret deleted: Degraded",
			act: func() {
				if err := env.Client.Delete(ctx, admin()); err != nil {
					t.Fatal(err)
				}
			},
			ready: metav1.ConditionFalse, reason: platformv1.ReasonAdminSecretMissing,
			events: map[string]int{"NotReady": 3, "Recovered": 1}},
		{name: "admin Secret back: Recovered once more",
			act:   func() { create(t, admin()) },
			ready: metav1.ConditionTrue, reason: platformv1.ReasonReconciled,
			events: map[string]int{"NotReady": 3, "Recovered": 2}},
	}
	for i, step := range steps {
		stop := startManager(t, nil)
		if i > 0 {
			// The fresh manager has judged the state the last one left
			// (a spec change makes sure it has) before anything changes.
			touchTenant(t, name)
			waitReadyReason(t, name, steps[i-1].ready, steps[i-1].reason)
		}
		step.act()
		waitReadyReason(t, name, step.ready, step.reason)
		waitReadinessEvents(t, name, step.name, step.events)
		stop()
	}
	if st := getTenant(t, name).Status; st.ProvisionedTime == nil || st.AnnouncedNotReady != nil || st.Phase != platformv1.PhaseReady {
		t.Errorf("status: provisioned %v, announced %+v, phase %s", st.ProvisionedTime, st.AnnouncedNotReady, st.Phase)
	}

	// A role changed by hand while no operator runs is drift to the next.
	mustExec(t, superuser(t, "postgres"), "ALTER ROLE bw_heir_app_blue BYPASSRLS")
	startManager(t, nil)
	waitEvent(t, name, "Warning", platformv1.ReasonRoleDriftRepaired, "bw_heir_app_blue had BYPASSRLS; removed")
	for _, e := range tenantEvents(t, name) {
		if e.Reason == "Provisioned" && strings.Contains(e.Message, "BYPASSRLS") {
			t.Errorf("the repair was also reported as provisioning: %s", e.Message)
		}
	}
	waitReadinessEvents(t, name, "after the drift repair", map[string]int{"NotReady": 3, "Recovered": 2})
}

// waitReadyReason waits until a pass on the Tenant's current generation
// left its Ready condition with status and reason.
func waitReadyReason(t *testing.T, name string, status metav1.ConditionStatus, reason string) {
	t.Helper()
	eventually(t, 60*time.Second, func() (bool, string) {
		tn := getTenant(t, name)
		c := meta.FindStatusCondition(tn.Status.Conditions, platformv1.ConditionReady)
		ok := c != nil && c.Status == status && c.Reason == reason && tn.Status.ObservedGeneration == tn.Generation
		return ok, fmt.Sprintf("want Ready=%s (%s) at generation %d: %s", status, reason, tn.Generation, conditions(tn.Status.Conditions))
	})
}

// waitReadinessEvents waits until the Tenant's NotReady and Recovered
// Events number exactly want, counting repeats.
func waitReadinessEvents(t *testing.T, name, step string, want map[string]int) {
	t.Helper()
	eventually(t, 30*time.Second, func() (bool, string) {
		got := map[string]int{}
		var seen []string
		for _, e := range tenantEvents(t, name) {
			if e.Reason == "NotReady" || e.Reason == "Recovered" {
				got[e.Reason] += int(max(e.Count, 1))
				seen = append(seen, fmt.Sprintf("%s (x%d): %s", e.Reason, e.Count, e.Message))
			}
		}
		return got["NotReady"] == want["NotReady"] && got["Recovered"] == want["Recovered"],
			fmt.Sprintf("%s: readiness events %v, want %v:\n%s", step, got, want, strings.Join(seen, "\n"))
	})
}

// tenantEvents are the Events about a Tenant (cluster-scoped: in default).
func tenantEvents(t *testing.T, name string) []corev1.Event {
	t.Helper()
	var list corev1.EventList
	if err := env.Client.List(context.Background(), &list, client.InNamespace("default")); err != nil {
		t.Fatal(err)
	}
	var out []corev1.Event
	for _, e := range list.Items {
		if e.InvolvedObject.Kind == "Tenant" && e.InvolvedObject.Name == name {
			out = append(out, e)
		}
	}
	return out
}
