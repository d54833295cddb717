// Package v1 holds the Bellwork API: the six kinds a platform engineer applies
// (Tenant, School, BackupPolicy, AlertRule, FeatureFlag and Deployment), their
// defaults, validation rules and status conditions.
//
// +kubebuilder:object:generate=true
// +groupName=platform.bellwork.dev
package v1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of every Bellwork kind.
	GroupVersion = schema.GroupVersion{Group: "platform.bellwork.dev", Version: "v1"}

	// SchemeBuilder registers the Bellwork kinds with a runtime scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the Bellwork kinds to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
