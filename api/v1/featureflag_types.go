package v1

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FeatureFlagSpec defines a flag's variants and who gets which. A flag in a
// tenant namespace applies to that tenant only; a flag in the operator's
// namespace applies to every tenant its rules select.
// +kubebuilder:validation:XValidation:rule="self.variants.exists(v, v.name == self.defaultVariant)",message="defaultVariant must be the name of one of the variants"
// +kubebuilder:validation:XValidation:rule="!has(self.rules) || self.rules.all(r, !has(r.variant) || self.variants.exists(v, v.name == r.variant))",message="every rule's variant must be the name of one of the variants"
// +kubebuilder:validation:XValidation:rule="!has(self.rules) || self.rules.all(r, !has(r.rollout) || r.rollout.all(w, self.variants.exists(v, v.name == w.variant)))",message="every rollout entry must name one of the variants"
// +kubebuilder:validation:XValidation:rule="!has(self.overrides) || !has(self.overrides.tenants) || self.overrides.tenants.all(t, self.variants.exists(v, v.name == self.overrides.tenants[t]))",message="every tenant override must name one of the variants"
// +kubebuilder:validation:XValidation:rule="!has(self.overrides) || !has(self.overrides.schools) || self.overrides.schools.all(s, self.variants.exists(v, v.name == self.overrides.schools[s]))",message="every school override must name one of the variants"
type FeatureFlagSpec struct {
	// Description says what the flag changes, for whoever cleans it up later.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=500
	Description string `json:"description"`

	// Variants are the values the flag can take, for example "on" = true and
	// "off" = false.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=20
	// +listType=map
	// +listMapKey=name
	Variants []FlagVariant `json:"variants"`

	// DefaultVariant is served when no rule matches.
	// +kubebuilder:validation:MinLength=1
	DefaultVariant string `json:"defaultVariant"`

	// Overrides give a whole tenant, or a school, one variant. They come before
	// the rules; a school's override wins over its tenant's.
	// +optional
	Overrides *FlagOverrides `json:"overrides,omitempty"`

	// Rules are tried in order; the first that matches decides the variant.
	// +kubebuilder:validation:MaxItems=50
	// +optional
	Rules []FlagRule `json:"rules,omitempty"`

	// Expires is the day the flag should be gone. After it the flag still
	// works, but status marks it Stale so someone removes it.
	// +optional
	Expires *Date `json:"expires,omitempty"`

	// Owner is who to ask about the flag (a person or team).
	// +kubebuilder:validation:MaxLength=100
	// +optional
	Owner string `json:"owner,omitempty"`
}

// FlagVariant is one value of a flag.
type FlagVariant struct {
	// Name of the variant, used in rules and in code.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`
	Name string `json:"name"`

	// Value is any JSON value: a boolean, number, string or object.
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	Value apiextensionsv1.JSON `json:"value"`
}

// FlagRule selects tenants, schools and roles and gives them a variant, or
// splits them between variants by stable percentage buckets.
// +kubebuilder:validation:XValidation:rule="has(self.variant) != has(self.rollout)",message="a rule sets exactly one of variant or rollout"
// +kubebuilder:validation:XValidation:rule="!has(self.rollout) || self.rollout.map(w, w.weight).sum() == 100",message="rollout weights must add up to 100"
// +kubebuilder:validation:XValidation:rule="!has(self.bucketBy) || has(self.rollout)",message="bucketBy only applies to a rule with a rollout"
type FlagRule struct {
	// Tenants the rule matches by name; any tenant when empty.
	// +kubebuilder:validation:MaxItems=500
	// +listType=set
	// +optional
	Tenants []string `json:"tenants,omitempty"`

	// Schools the rule matches by code; any school when empty.
	// +kubebuilder:validation:MaxItems=500
	// +listType=set
	// +optional
	Schools []string `json:"schools,omitempty"`

	// Roles the rule matches; any role when empty.
	// +kubebuilder:validation:MaxItems=5
	// +kubebuilder:validation:items:Enum=district_admin;school_admin;teacher;student;guardian
	// +listType=set
	// +optional
	Roles []string `json:"roles,omitempty"`

	// Attributes the user must have, for example grade In ["9", "10"]; all must hold.
	// +kubebuilder:validation:MaxItems=10
	// +optional
	Attributes []FlagAttributeMatch `json:"attributes,omitempty"`

	// Variant served to everyone the rule matches.
	// +optional
	Variant string `json:"variant,omitempty"`

	// Rollout splits everyone the rule matches between variants. Each user
	// falls in a stable bucket (a hash of flag name and user), so raising a
	// weight only adds users.
	// +kubebuilder:validation:MaxItems=20
	// +optional
	Rollout []WeightedVariant `json:"rollout,omitempty"`

	// BucketBy is what a rollout's buckets are computed from: "user" (the
	// default), "school" (everyone at a school gets the same variant),
	// "tenant", or "attribute:<name>" for a user attribute.
	// +kubebuilder:validation:Pattern=`^(user|school|tenant|attribute:[A-Za-z0-9_.-]{1,63})$`
	// +optional
	BucketBy string `json:"bucketBy,omitempty"`
}

// FlagOverrides map tenants and schools to variants.
type FlagOverrides struct {
	// Tenants maps a tenant name to the variant all its users get.
	// +kubebuilder:validation:MaxProperties=500
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.matches('^[a-z]([a-z0-9-]{0,48}[a-z0-9])?$'))",message="tenant override keys must be tenant names, such as lincoln-usd"
	// +optional
	Tenants map[string]string `json:"tenants,omitempty"`

	// Schools maps a school code ("LHS-042", in every tenant the flag reaches)
	// or a tenant and school code ("lincoln-usd/LHS-042") to the variant
	// everyone at that school gets.
	// +kubebuilder:validation:MaxProperties=500
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.matches('^([a-z]([a-z0-9-]{0,48}[a-z0-9])?/)?[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'))",message="school override keys must be a school code (LHS-042) or tenant/code (lincoln-usd/LHS-042)"
	// +optional
	Schools map[string]string `json:"schools,omitempty"`
}

// FlagAttributeMatch tests one attribute of the user.
type FlagAttributeMatch struct {
	// Attribute name, for example "grade".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Attribute string `json:"attribute"`

	// Operator: In (the attribute is one of the values) or NotIn (it is
	// absent or none of them).
	// +kubebuilder:validation:Enum=In;NotIn
	Operator string `json:"operator"`

	// Values to compare with.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:items:MaxLength=200
	Values []string `json:"values"`
}

// WeightedVariant is a variant and its share of a rollout, in percent.
type WeightedVariant struct {
	// Variant name.
	// +kubebuilder:validation:MinLength=1
	Variant string `json:"variant"`

	// Weight in percent, 0 to 100.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	Weight int32 `json:"weight"`
}

// FeatureFlagStatus says whether the flag is valid, which tenants it reaches
// and whether their directory entries carry this version of it yet.
type FeatureFlagStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Valid (the flag passes every check; when not, it is
	// published with its default variant only, or left out, and the message
	// says why), Published (every affected tenant's directory entry carries
	// this version), Expiring (its expiry date is within 14 days), Stale (past
	// its expiry date: remove it) and Ready (valid and published).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// AffectedTenantCount is how many tenants' entries should carry the flag:
	// every tenant for a flag in the operator's namespace (except those with
	// their own flag of the same name), the namespace's tenant otherwise.
	// +optional
	AffectedTenantCount int32 `json:"affectedTenantCount,omitempty"`

	// AffectedTenants lists the first 20 of those tenants, by name.
	// +kubebuilder:validation:MaxItems=20
	// +listType=set
	// +optional
	AffectedTenants []string `json:"affectedTenants,omitempty"`

	// PendingTenantCount is how many affected tenants' entries do not carry
	// this version yet (a tenant that is not Ready has no entry to carry it).
	// +optional
	PendingTenantCount int32 `json:"pendingTenantCount,omitempty"`

	// PendingTenants lists the first 20 of those tenants, by name.
	// +kubebuilder:validation:MaxItems=20
	// +listType=set
	// +optional
	PendingTenants []string `json:"pendingTenants,omitempty"`

	// PublishedHash is a digest of the flag as the operator publishes it; it
	// changes only when what the LMS evaluates changes (not with the
	// description or owner).
	// +optional
	PublishedHash string `json:"publishedHash,omitempty"`

	// PublishedTime is when every affected tenant's entry first carried the
	// version named by publishedHash.
	// +optional
	PublishedTime *metav1.Time `json:"publishedTime,omitempty"`
}

// FeatureFlag is a flag with variants and targeting, resolved per tenant
// into the directory entries the LMS serves districts from.
//
// The operator checks each flag at admission, resolves it for every tenant
// it reaches and publishes it in their directory entries; status says what
// it does to whom. The LMS evaluates the published flags in-process for
// every request, without a network call.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=bellwork,shortName=flag
// +kubebuilder:printcolumn:name="Default",type=string,JSONPath=`.spec.defaultVariant`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Tenants",type=integer,JSONPath=`.status.affectedTenantCount`
// +kubebuilder:printcolumn:name="Pending",type=integer,JSONPath=`.status.pendingTenantCount`,priority=1
// +kubebuilder:printcolumn:name="Expires",type=string,JSONPath=`.spec.expires`
// +kubebuilder:printcolumn:name="Stale",type=string,JSONPath=`.status.conditions[?(@.type=="Stale")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type FeatureFlag struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the flag as its owner wants it.
	Spec FeatureFlagSpec `json:"spec"`

	// Status is what the operator published.
	// +optional
	Status FeatureFlagStatus `json:"status,omitempty"`
}

// FeatureFlagList is a list of FeatureFlags.
//
// +kubebuilder:object:root=true
type FeatureFlagList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FeatureFlag `json:"items"`
}

func init() {
	SchemeBuilder.Register(&FeatureFlag{}, &FeatureFlagList{})
}
