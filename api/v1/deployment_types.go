package v1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DeploymentSpec is the LMS release the fleet should run, and how to get
// there: blue-green, with migrations, analysis and deploy windows. Promote,
// abort, retry and rollback are fields here, so a GitOps pipeline drives the
// whole rollout with commits.
// +kubebuilder:validation:XValidation:rule="!has(self.rollbackTo) || !has(self.promote) || self.promote != self.image",message="rollbackTo and a promote of the current image cannot be set together: choose one"
type DeploymentSpec struct {
	// Image of the LMS, for example "registry.example/bellwork/lms:1.4.0".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image"`

	// Replicas of the active LMS.
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=200
	// +optional
	Replicas int32 `json:"replicas,omitempty"`

	// PreviewReplicas of the preview LMS while a rollout is analysed.
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=200
	// +optional
	PreviewReplicas int32 `json:"previewReplicas,omitempty"`

	// Resources of each LMS container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// Env adds environment variables to the LMS containers.
	// +kubebuilder:validation:MaxItems=50
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`

	// TenantSelector chooses which tenants' schools this fleet serves (all
	// when empty); their calendars decide the deploy windows.
	// +optional
	TenantSelector *metav1.LabelSelector `json:"tenantSelector,omitempty"`

	// AutoPromote promotes the preview once analysis passes and a deploy
	// window is open, without waiting for spec.promote.
	// +optional
	AutoPromote bool `json:"autoPromote,omitempty"`

	// Promote approves promotion of this image: set it to spec.image to
	// promote the preview (still only inside a deploy window unless
	// ignoreDeployWindows is set).
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Promote string `json:"promote,omitempty"`

	// Abort, while true, scales the preview down and keeps the active
	// version serving. Set it back to false (or change the image) to go on.
	// +optional
	Abort bool `json:"abort,omitempty"`

	// Retry restarts a failed or aborted rollout when its value changes.
	// +kubebuilder:validation:MaxLength=63
	// +optional
	Retry string `json:"retry,omitempty"`

	// RollbackTo switches the active Service back to this image, which must be
	// the previous stable image recorded in status.stableHistory.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	RollbackTo string `json:"rollbackTo,omitempty"`

	// AutoRollback returns to the previous version when the promoted version
	// fails its post-promotion analysis.
	// +kubebuilder:default=true
	// +optional
	AutoRollback *bool `json:"autoRollback,omitempty"`

	// ScaleDownDelay keeps the previous version running after promotion so a
	// rollback is instant.
	// +kubebuilder:default="10m"
	// +optional
	ScaleDownDelay metav1.Duration `json:"scaleDownDelay,omitempty"`

	// Migrations run the LMS's expand migrations before the preview starts
	// and its contract migrations after promotion.
	// +optional
	Migrations MigrationSettings `json:"migrations,omitempty"`

	// Analysis decides whether the preview (and then the promoted version) is healthy.
	// +optional
	Analysis AnalysisSettings `json:"analysis,omitempty"`

	// DeployWindows limit promotion to these times. Each window is read in
	// every affected school's own time zone unless it gives one. When unset,
	// promotion is allowed outside every affected school's hours.
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:XValidation:rule="size(self) > 0",message="deployWindows must list at least one window when given; remove the field to allow promotion outside school hours"
	// +optional
	DeployWindows []DeployWindow `json:"deployWindows,omitempty"`

	// IgnoreDeployWindows allows promotion at any time (for emergencies).
	// +optional
	IgnoreDeployWindows bool `json:"ignoreDeployWindows,omitempty"`
}

// DeployWindow is a time promotion is allowed.
type DeployWindow struct {
	TimeWindow `json:",inline"`

	// TimeZone the window is read in; each affected school's own when unset.
	// +optional
	TimeZone TimeZone `json:"timeZone,omitempty"`
}

// MigrationSettings controls the migration Jobs.
type MigrationSettings struct {
	// Disabled skips migrations (for releases known to have none).
	// +optional
	Disabled bool `json:"disabled,omitempty"`

	// Timeout of each migration Job.
	// +kubebuilder:default="15m"
	// +optional
	Timeout metav1.Duration `json:"timeout,omitempty"`
}

// AnalysisSettings controls health and smoke analysis.
type AnalysisSettings struct {
	// HealthPath is requested on every pod; 200 counts as healthy.
	// +kubebuilder:default="/readyz"
	// +kubebuilder:validation:Pattern=`^/[A-Za-z0-9/._~-]*$`
	// +optional
	HealthPath string `json:"healthPath,omitempty"`

	// SuccessfulChecks is how many consecutive healthy checks pass analysis.
	// +kubebuilder:default=3
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +optional
	SuccessfulChecks int32 `json:"successfulChecks,omitempty"`

	// Interval between checks.
	// +kubebuilder:default="10s"
	// +optional
	Interval metav1.Duration `json:"interval,omitempty"`

	// SmokeDisabled skips the smoke Job (`lms smoke`) that exercises the
	// preview's sign-in and pages.
	// +optional
	SmokeDisabled bool `json:"smokeDisabled,omitempty"`
}

// Color is one of the two LMS Deployments.
// +kubebuilder:validation:Enum=blue;green
type Color string

// Colors.
const (
	Blue  Color = "blue"
	Green Color = "green"
)

// Rollout phases.
const (
	DeploymentProgressing Phase = "Progressing"
	DeploymentMigrating   Phase = "Migrating"
	DeploymentAnalysing   Phase = "Analysing"
	DeploymentWaiting     Phase = "WaitingForWindow"
	DeploymentPaused      Phase = "WaitingForPromotion"
	DeploymentHealthy     Phase = "Healthy"
	DeploymentAborted     Phase = "Aborted"
	DeploymentRolledBack  Phase = "RolledBack"
)

// DeploymentStatus is where the rollout stands.
type DeploymentStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Available, Progressing, MigrationsSucceeded, AnalysisPassed,
	// InDeployWindow and Ready.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Phase summarises the rollout.
	// +optional
	Phase Phase `json:"phase,omitempty"`

	// Message explains the phase, for example which school's hours block promotion.
	// +optional
	Message string `json:"message,omitempty"`

	// ActiveColor is the Deployment behind the active Service.
	// +optional
	ActiveColor Color `json:"activeColor,omitempty"`

	// ActiveImage is the image the active Service serves.
	// +optional
	ActiveImage string `json:"activeImage,omitempty"`

	// PreviewImage is the image under analysis, if any.
	// +optional
	PreviewImage string `json:"previewImage,omitempty"`

	// StableHistory lists the images that were last promoted, newest first.
	// +kubebuilder:validation:MaxItems=10
	// +optional
	StableHistory []string `json:"stableHistory,omitempty"`

	// ObservedRetry is the spec.retry last acted on.
	// +optional
	ObservedRetry string `json:"observedRetry,omitempty"`

	// NextDeployWindow is when promotion is next allowed.
	// +optional
	NextDeployWindow *metav1.Time `json:"nextDeployWindow,omitempty"`

	// ScaleDownTime is when the previous version will be scaled down.
	// +optional
	ScaleDownTime *metav1.Time `json:"scaleDownTime,omitempty"`

	// AvailableReplicas of the active version.
	// +optional
	AvailableReplicas int32 `json:"availableReplicas,omitempty"`
}

// Deployment rolls the LMS out blue-green: migrations, a preview, analysis,
// promotion inside deploy windows, and rollback.
//
// Not acted on yet: the API server validates and stores Deployments, but the
// operator does not run or roll out the LMS from them yet and leaves their
// status empty.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=bellwork,shortName=lmsdeploy
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Active",type=string,JSONPath=`.status.activeImage`
// +kubebuilder:printcolumn:name="Preview",type=string,JSONPath=`.status.previewImage`
// +kubebuilder:printcolumn:name="Color",type=string,JSONPath=`.status.activeColor`,priority=1
// +kubebuilder:printcolumn:name="Next Window",type=date,JSONPath=`.status.nextDeployWindow`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Deployment struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the release as the GitOps pipeline wants it.
	Spec DeploymentSpec `json:"spec"`

	// Status is where the rollout stands.
	// +optional
	Status DeploymentStatus `json:"status,omitempty"`
}

// DeploymentList is a list of Deployments.
//
// +kubebuilder:object:root=true
type DeploymentList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Deployment `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Deployment{}, &DeploymentList{})
}
