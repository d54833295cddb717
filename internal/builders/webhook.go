package builders

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// Admission webhook names.
const (
	// WebhookConfigurationName is the ValidatingWebhookConfiguration the
	// operator keeps.
	WebhookConfigurationName = "bellwork"
	// SchoolWebhookPath is where the operator validates Schools.
	SchoolWebhookPath = "/validate/school"
	// FeatureFlagWebhookPath is where the operator validates FeatureFlags.
	FeatureFlagWebhookPath = "/validate/featureflag"
	// AlertRuleWebhookPath is where the operator validates AlertRules.
	AlertRuleWebhookPath = "/validate/alertrule"
	// WebhookSecretName holds the webhook's CA and serving certificate, in
	// the operator's namespace.
	WebhookSecretName = "bellwork-webhook-tls"
)

// WebhookTarget is where the API server reaches the operator's webhook: a
// Service in a cluster, or a URL where the operator runs outside one (make
// run, tests).
type WebhookTarget struct {
	URL                       string
	ServiceNamespace, Service string
	ServicePort               int32
}

// validated are the kinds the operator checks at admission, each at its path.
var validated = []struct{ name, path, resource string }{
	{"schools.platform.bellwork.dev", SchoolWebhookPath, "schools"},
	{"featureflags.platform.bellwork.dev", FeatureFlagWebhookPath, "featureflags"},
	{"alertrules.platform.bellwork.dev", AlertRuleWebhookPath, "alertrules"},
}

// BuildWebhookConfiguration is the ValidatingWebhookConfiguration that sends
// creations and updates of Schools, FeatureFlags and AlertRules to the operator. It fails
// open: with the operator down an object is still accepted, and its
// controller refuses what it must (a School from the directory, a flag's
// rules from the entries, a rule's expression) with status and an Event.
func BuildWebhookConfiguration(caBundle []byte, target WebhookTarget) *admissionregistrationv1.ValidatingWebhookConfiguration {
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: WebhookConfigurationName, Labels: map[string]string{ManagedByLabel: ManagedByValue}},
	}
	for _, v := range validated {
		client := admissionregistrationv1.WebhookClientConfig{CABundle: caBundle}
		if target.URL != "" {
			client.URL = ptr.To(target.URL + v.path)
		} else {
			client.Service = &admissionregistrationv1.ServiceReference{Namespace: target.ServiceNamespace, Name: target.Service,
				Path: ptr.To(v.path), Port: ptr.To(target.ServicePort)}
		}
		cfg.Webhooks = append(cfg.Webhooks, admissionregistrationv1.ValidatingWebhook{
			Name:                    v.name,
			ClientConfig:            client,
			AdmissionReviewVersions: []string{"v1"},
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			FailurePolicy:           ptr.To(admissionregistrationv1.Ignore),
			TimeoutSeconds:          ptr.To[int32](5),
			MatchPolicy:             ptr.To(admissionregistrationv1.Equivalent),
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule: admissionregistrationv1.Rule{APIGroups: []string{platformv1.GroupVersion.Group},
					APIVersions: []string{platformv1.GroupVersion.Version}, Resources: []string{v.resource},
					Scope: ptr.To(admissionregistrationv1.NamespacedScope)},
			}},
		})
	}
	return cfg
}
