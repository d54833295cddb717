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

// BuildWebhookConfiguration is the ValidatingWebhookConfiguration that sends
// School creations and updates to the operator. It fails open: with the
// operator down a School is still accepted, and the School controller
// refuses it from the directory (status and an Event) as before.
func BuildWebhookConfiguration(caBundle []byte, target WebhookTarget) *admissionregistrationv1.ValidatingWebhookConfiguration {
	client := admissionregistrationv1.WebhookClientConfig{CABundle: caBundle}
	if target.URL != "" {
		client.URL = ptr.To(target.URL + SchoolWebhookPath)
	} else {
		client.Service = &admissionregistrationv1.ServiceReference{Namespace: target.ServiceNamespace, Name: target.Service,
			Path: ptr.To(SchoolWebhookPath), Port: ptr.To(target.ServicePort)}
	}
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: WebhookConfigurationName, Labels: map[string]string{ManagedByLabel: ManagedByValue}},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "schools.platform.bellwork.dev",
			ClientConfig:            client,
			AdmissionReviewVersions: []string{"v1"},
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			FailurePolicy:           ptr.To(admissionregistrationv1.Ignore),
			TimeoutSeconds:          ptr.To[int32](5),
			MatchPolicy:             ptr.To(admissionregistrationv1.Equivalent),
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule: admissionregistrationv1.Rule{APIGroups: []string{platformv1.GroupVersion.Group},
					APIVersions: []string{platformv1.GroupVersion.Version}, Resources: []string{"schools"},
					Scope: ptr.To(admissionregistrationv1.NamespacedScope)},
			}},
		}},
	}
}
