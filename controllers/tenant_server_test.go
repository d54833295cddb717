package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// A missing external admin Secret is named in DatabaseReady; once it
// exists the tenant provisions. Losing it later degrades the tenant, with a
// Warning Event, but the LMS keeps serving its last entry; the tenants gauge
// counts phases.
func TestAdminSecretMissingAndDegraded(t *testing.T) {
	ctx := context.Background()
	startManager(t, nil)
	tn := externalTenant("nosecret")
	tn.Spec.Database.External.AdminSecret = "nosecret-admin"
	create(t, tn)
	eventually(t, 30*time.Second, func() (bool, string) {
		c := meta.FindStatusCondition(getTenant(t, "nosecret").Status.Conditions, platformv1.TenantDatabaseReady)
		return c != nil && c.Reason == platformv1.ReasonAdminSecretMissing && strings.Contains(c.Message, "bellwork-system/nosecret-admin"),
			fmt.Sprintf("DatabaseReady = %+v", c)
	})
	if st := getTenant(t, "nosecret").Status; st.Phase != platformv1.PhaseProvisioning {
		t.Errorf("phase %s, want Provisioning", st.Phase)
	}

	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "nosecret-admin", Namespace: lmsNamespace},
		StringData: map[string]string{"username": "postgres", "password": pg.SuperPassword}}
	create(t, secret)
	waitTenant(t, "nosecret", metav1.ConditionTrue, 30*time.Second)
	if gauge(t, "Ready") < 1 {
		t.Error("bellwork_tenants{phase=Ready} does not count the tenant")
	}

	degraded := time.Now()
	if err := env.Client.Delete(ctx, secret); err != nil {
		t.Fatal(err)
	}
	// The next pass notices (a spec change triggers one at once).
	tn = getTenant(t, "nosecret")
	unchanged := tn.DeepCopy()
	tn.Spec.DisplayName = "Still here"
	if err := env.Client.Patch(ctx, tn, client.MergeFrom(unchanged)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		st := getTenant(t, "nosecret").Status
		c := meta.FindStatusCondition(st.Conditions, platformv1.TenantPublished)
		return st.Phase == platformv1.PhaseDegraded && entryOf(t, "nosecret") != nil && st.DirectorySecret != "" &&
				c != nil && c.Reason == platformv1.ReasonKeptLastEntry,
			fmt.Sprintf("phase %s, directory %q, Published %+v", st.Phase, st.DirectorySecret, c)
	})
	waitEventSince(t, degraded, "nosecret", "Warning", "NotReady", "nosecret-admin")
	if gauge(t, "Degraded") < 1 {
		t.Error("bellwork_tenants{phase=Degraded} does not count the tenant")
	}
}

// gauge reads bellwork_tenants{phase} from controller-runtime's registry.
func gauge(t testing.TB, phase string) float64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "bellwork_tenants" {
			continue
		}
		for _, m := range f.GetMetric() {
			if labelValue(m, "phase") == phase {
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatal("bellwork_tenants not registered")
	return 0
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// Reconcile duration and errors are exported per kind (controller-runtime's
// metrics, labelled with the controller's name), beside tenants by phase.
func TestReconcileMetricsPerKind(t *testing.T) {
	startManager(t, nil)
	create(t, externalTenant("metrics"))
	waitTenant(t, "metrics", metav1.ConditionTrue, 30*time.Second)
	create(t, school("metrics", "m", "M-1"))
	eventually(t, 30*time.Second, func() (bool, string) {
		families, err := metrics.Registry.Gather()
		if err != nil {
			return false, err.Error()
		}
		seen := map[string]bool{}
		for _, f := range families {
			for _, m := range f.GetMetric() {
				seen[f.GetName()+"/"+labelValue(m, "controller")] = true
			}
		}
		for _, want := range []string{"controller_runtime_reconcile_time_seconds/tenant", "controller_runtime_reconcile_time_seconds/school",
			"controller_runtime_reconcile_errors_total/tenant", "controller_runtime_reconcile_errors_total/school",
			"controller_runtime_reconcile_total/tenant", "controller_runtime_reconcile_total/school"} {
			if !seen[want] {
				return false, "no metric " + want
			}
		}
		return true, ""
	})
}

// A spec the entry cannot be made from right now (here, an OIDC client
// Secret that does not exist) leaves a published district on its last good
// entry, Published Unknown with the reason, until the Secret appears.
func TestMissingOIDCSecretKeepsTheLastEntry(t *testing.T) {
	ctx := context.Background()
	startManager(t, nil)
	create(t, externalTenant("oidc-kept"))
	waitTenant(t, "oidc-kept", metav1.ConditionTrue, 30*time.Second)
	hash := getTenant(t, "oidc-kept").Status.DirectoryHash
	tn := getTenant(t, "oidc-kept")
	unchanged := tn.DeepCopy()
	tn.Spec.SignIn.OIDC = &platformv1.OIDCProvider{DisplayName: "District Google", IssuerURL: "https://accounts.google.com",
		ClientID: "id", ClientSecret: platformv1.SecretKeyReference{Name: "google-oidc", Key: "secret"}}
	if err := env.Client.Patch(ctx, tn, client.MergeFrom(unchanged)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		st := getTenant(t, "oidc-kept").Status
		c := meta.FindStatusCondition(st.Conditions, platformv1.TenantPublished)
		return c != nil && c.Status == metav1.ConditionUnknown && c.Reason == platformv1.ReasonOIDCSecretMissing &&
			strings.Contains(c.Message, "keeps serving the last good entry"), fmt.Sprintf("Published = %+v", c)
	})
	if e := entryOf(t, "oidc-kept"); e == nil || getTenant(t, "oidc-kept").Status.DirectoryHash != hash {
		t.Fatal("the last good entry was withdrawn or changed")
	}
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "google-oidc", Namespace: "tenant-oidc-kept"},
		StringData: map[string]string{"secret": "s3cret"}})
	waitTenant(t, "oidc-kept", metav1.ConditionTrue, 30*time.Second)
	if e := entryOf(t, "oidc-kept"); e == nil || e.SignIn.OIDC == nil || e.SignIn.OIDC.ClientSecret != "s3cret" {
		t.Fatal("the entry does not carry the provider once its Secret exists")
	}
}

// spec.rostering works as the OIDC provider does: its client Secret
// missing keeps the last good entry (reason RosteringSecretMissing); once
// the Secret exists the entry carries the provider and the secret's value.
func TestRosteringSecretIsPublishedOnceItExists(t *testing.T) {
	ctx := context.Background()
	startManager(t, nil)
	create(t, externalTenant("roster-sync"))
	waitTenant(t, "roster-sync", metav1.ConditionTrue, 30*time.Second)
	tn := getTenant(t, "roster-sync")
	unchanged := tn.DeepCopy()
	tn.Spec.Rostering = &platformv1.RosteringProvider{BaseURL: "https://sis.example/", Version: "1.1", TokenURL: "https://sis.example/token",
		ClientID: "district", ClientSecret: platformv1.SecretKeyReference{Name: "oneroster", Key: "secret"}}
	if err := env.Client.Patch(ctx, tn, client.MergeFrom(unchanged)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		c := meta.FindStatusCondition(getTenant(t, "roster-sync").Status.Conditions, platformv1.TenantPublished)
		return c != nil && c.Status == metav1.ConditionUnknown && c.Reason == platformv1.ReasonRosteringSecretMissing, fmt.Sprintf("Published = %+v", c)
	})
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "oneroster", Namespace: "tenant-roster-sync"},
		StringData: map[string]string{"secret": "r0ster"}})
	waitTenant(t, "roster-sync", metav1.ConditionTrue, 30*time.Second)
	if e := entryOf(t, "roster-sync"); e == nil || e.Rostering == nil || e.Rostering.ClientSecret != "r0ster" || e.Rostering.Version != "1.1" {
		t.Fatal("the entry does not carry the rostering provider once its Secret exists")
	}
}
