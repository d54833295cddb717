package builders

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/pkg/directory"
)

// Labels and values the operator puts on what it creates.
const (
	// ManagedByLabel=ManagedByValue marks every object the operator writes;
	// the operator's Secret cache is limited to these.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedByValue = "bellwork"
	// TenantLabel names the tenant an object belongs to (the directory's key).
	TenantLabel = directory.TenantLabel
	// ComponentLabel marks pods by role: the LMS fleet's pods carry
	// LMSComponent and backup jobs BackupComponent; only those reach a
	// tenant's namespace through its network policies.
	ComponentLabel  = "platform.bellwork.dev/component"
	BackupComponent = "backup"
	LMSComponent    = "lms"
)

// Labels are the labels of every object made for tenant t.
func Labels(t *platformv1.Tenant) map[string]string {
	return map[string]string{ManagedByLabel: ManagedByValue, TenantLabel: t.Name}
}

// OwnerReference makes t the controller of an object, so it is garbage
// collected with the Tenant.
func OwnerReference(t *platformv1.Tenant) metav1.OwnerReference {
	gvk := platformv1.GroupVersion.WithKind("Tenant")
	return metav1.OwnerReference{
		APIVersion:         gvk.GroupVersion().String(),
		Kind:               gvk.Kind,
		Name:               t.Name,
		UID:                t.UID,
		Controller:         ptr.To(true),
		BlockOwnerDeletion: ptr.To(true),
	}
}

func objectMeta(t *platformv1.Tenant, namespace, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:            name,
		Namespace:       namespace,
		Labels:          Labels(t),
		OwnerReferences: []metav1.OwnerReference{OwnerReference(t)},
	}
}
