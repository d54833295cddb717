package v1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DeploymentSpec is the LMS release the fleet should run, and how to get
// there: blue-green, with migrations, analysis and deploy windows. Promote,
// abort, retry and rollback are fields here, so a GitOps pipeline drives the
// whole rollout with commits.
type DeploymentSpec struct {
	// Image of the LMS, for example "registry.example/bellwork/lms:1.4.0".
	// Changing it (or env, resources, probes or the service account: the pod
	// template) starts a rollout; other fields apply in place.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image"`

	// Replicas of the active LMS. Applies in place, without a rollout.
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=200
	// +optional
	Replicas int32 `json:"replicas,omitempty"`

	// PreviewReplicas of the new version behind the preview Service while
	// it is analysed.
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

	// Probes tune the readiness and liveness probes. They ask the LMS's
	// probe listener on port 9090, which serves /readyz, /healthz and
	// /metrics; no Service exposes that port.
	// +optional
	Probes LMSProbes `json:"probes,omitempty"`

	// ServiceAccountName the LMS pods run as; it needs to list and watch the
	// tenant directory Secrets in this namespace (the Helm chart creates
	// bellwork-lms with exactly that).
	// +kubebuilder:default=bellwork-lms
	// +kubebuilder:validation:MaxLength=253
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// TenantSelector chooses the tenants this fleet serves (all when
	// unset): their databases get the migrations, and their schools'
	// calendars decide the deploy windows.
	// +optional
	TenantSelector *metav1.LabelSelector `json:"tenantSelector,omitempty"`

	// DeployWindows are when a rollout may start. The first version of a
	// new Deployment and rollbacks (rollbackTo, or a revert of the spec to
	// a recorded revision) start at once, whatever the windows say. Each
	// window is read in
	// every affected school's own time zone unless it names one, and a
	// rollout starts only when the time is inside a window for every
	// school and outside every school's hours (holidays and days outside
	// terms count as outside school hours). When unset, a rollout may
	// start whenever no affected school is in session.
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:XValidation:rule="size(self) > 0",message="deployWindows must list at least one window when given; remove the field to allow rollouts whenever no school is in session"
	// +optional
	DeployWindows []DeployWindow `json:"deployWindows,omitempty"`

	// WindowOverride starts rollouts now, whatever the windows and school
	// hours say; its reason is recorded in the rollout's history.
	// +optional
	WindowOverride *WindowOverride `json:"windowOverride,omitempty"`

	// AutoPromote promotes the preview as soon as pre-promotion analysis
	// passes, without waiting for spec.promote.
	// +optional
	AutoPromote bool `json:"autoPromote,omitempty"`

	// Promote approves promotion: set it to the image being rolled out
	// (spec.image) to promote the preview once pre-promotion analysis has
	// passed. It also accepts a preview whose analysis was inconclusive.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Promote string `json:"promote,omitempty"`

	// Abort, while true, stops the rollout in progress: traffic returns to
	// (or stays on) the previous version and the new one scales down. Once
	// the previous version has scaled down (the contract migration step)
	// there is nothing to return to: the rollout then finishes, and abort
	// does nothing to it. No new rollout starts while abort is set. Clear it and change spec.retry
	// to try the same release again, or change the image.
	// +optional
	Abort bool `json:"abort,omitempty"`

	// Retry restarts a failed or aborted rollout when its value changes
	// (any new value, for example a date). Migrations that already
	// succeeded are not run again.
	// +kubebuilder:validation:MaxLength=63
	// +optional
	Retry string `json:"retry,omitempty"`

	// RollbackTo runs the image of this revision (a number listed in
	// status.history) again, with the spec's other settings, while it is
	// set. The revision must have been serving within rollbackWindow, and
	// no contract migration may have run since. A rollback skips
	// migrations and analysis: that revision was analysed when it was
	// rolled out. It does not wait for a deploy window. Setting the pod
	// template back to such a revision's (a GitOps revert) is a rollback
	// too.
	// +kubebuilder:validation:Minimum=1
	// +optional
	RollbackTo *int64 `json:"rollbackTo,omitempty"`

	// RollbackWindow is how long after a revision stopped serving a
	// rollback to it skips migrations and analysis.
	// +kubebuilder:default="168h"
	// +optional
	RollbackWindow metav1.Duration `json:"rollbackWindow,omitempty"`

	// AutoRollback returns traffic to the previous version when the
	// promoted one fails its post-promotion analysis.
	// +kubebuilder:default=true
	// +optional
	AutoRollback *bool `json:"autoRollback,omitempty"`

	// ScaleDownDelay keeps the previous version running after promotion
	// (and after post-promotion analysis) so a rollback is instant. The
	// contract migration runs once it has scaled down.
	// +kubebuilder:default="10m"
	// +optional
	ScaleDownDelay metav1.Duration `json:"scaleDownDelay,omitempty"`

	// Migrations are the LMS's expand migrations, run for every affected
	// tenant before the preview starts, and its contract migrations, run
	// after the previous version has scaled down.
	// +optional
	Migrations MigrationSettings `json:"migrations,omitempty"`

	// Analysis decides whether the new version is healthy before and after
	// promotion.
	// +optional
	Analysis AnalysisSettings `json:"analysis,omitempty"`

	// Notifications are sent to a Slack-compatible webhook when a rollout
	// starts, is promoted, aborted, rolled back, fails and completes. They
	// wait in status.pendingNotifications until delivered; network errors,
	// 5xx and 429 are retried, and a message the webhook refuses with
	// another 4xx is dropped with a Warning Event.
	// +optional
	Notifications *Notifications `json:"notifications,omitempty"`
}

// LMSProbes tune the probes of the LMS containers.
type LMSProbes struct {
	// Readiness decides when a pod receives traffic (GET /readyz).
	// +optional
	Readiness ProbeTiming `json:"readiness,omitempty"`

	// Liveness decides when a pod is restarted (GET /healthz).
	// +optional
	Liveness ProbeTiming `json:"liveness,omitempty"`
}

// ProbeTiming is how often a probe asks and how many failures count.
type ProbeTiming struct {
	// PeriodSeconds between probes.
	// +kubebuilder:default=5
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=300
	// +optional
	PeriodSeconds int32 `json:"periodSeconds,omitempty"`

	// FailureThreshold is how many failures in a row count as failed.
	// +kubebuilder:default=3
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=30
	// +optional
	FailureThreshold int32 `json:"failureThreshold,omitempty"`

	// TimeoutSeconds of each probe.
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=60
	// +optional
	TimeoutSeconds int32 `json:"timeoutSeconds,omitempty"`
}

// DeployWindow is a time a rollout may start.
type DeployWindow struct {
	TimeWindow `json:",inline"`

	// TimeZone the window is read in; each affected school's own when unset.
	// +optional
	TimeZone TimeZone `json:"timeZone,omitempty"`
}

// WindowOverride starts a rollout outside the deploy windows.
type WindowOverride struct {
	// Reason says why, for the rollout's history (for example an incident
	// number).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	Reason string `json:"reason"`
}

// MigrationSettings controls the migration Jobs.
type MigrationSettings struct {
	// Disabled skips migrations (for releases known to have none).
	// +optional
	Disabled bool `json:"disabled,omitempty"`

	// Timeout of each tenant's migration Job; a Job still running then
	// has failed.
	// +kubebuilder:default="15m"
	// +optional
	Timeout metav1.Duration `json:"timeout,omitempty"`
}

// AnalysisSettings lists the checks before and after promotion.
type AnalysisSettings struct {
	// PrePromotion checks run against the preview once all its pods are
	// Ready. When empty, pre-promotion analysis is only that: every preview
	// pod Ready.
	// +kubebuilder:validation:MaxItems=10
	// +listType=map
	// +listMapKey=name
	// +optional
	PrePromotion []AnalysisCheck `json:"prePromotion,omitempty"`

	// PostPromotion checks run after promotion for a while; a failure
	// rolls back (with autoRollback).
	// +optional
	PostPromotion PostPromotionAnalysis `json:"postPromotion,omitempty"`
}

// PostPromotionAnalysis is analysis of the promoted version.
type PostPromotionAnalysis struct {
	// Duration the checks keep running after promotion; the rollout goes
	// on (scale-down, contract) only after it. Zero skips post-promotion
	// analysis.
	// +optional
	Duration metav1.Duration `json:"duration,omitempty"`

	// Checks run during that time.
	// +kubebuilder:validation:MaxItems=10
	// +listType=map
	// +listMapKey=name
	// +optional
	Checks []AnalysisCheck `json:"checks,omitempty"`
}

// AnalysisCheck is one check of a version: a Job, a web request or a
// Prometheus metric. Each run of it is a measurement: successful, failed
// or inconclusive (the check could not tell, for example the endpoint did
// not answer). The check passes after count successful measurements, fails
// when failures exceed failureLimit, and pauses the rollout when
// inconclusive measurements exceed inconclusiveLimit.
//
// In URLs and Job arguments, $(PREVIEW_URL) and $(ACTIVE_URL) are the
// preview and active Services' base URLs.
// +kubebuilder:validation:XValidation:rule="[has(self.job), has(self.web), has(self.metrics)].filter(x, x).size() == 1",message="a check sets exactly one of job, web or metrics"
type AnalysisCheck struct {
	// Name of the check, shown in status.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=40
	// +kubebuilder:validation:Pattern=`^[a-z]([a-z0-9-]*[a-z0-9])?$`
	Name string `json:"name"`

	// Job runs a Job of the LMS image; exit 0 is a success.
	// +optional
	Job *JobCheck `json:"job,omitempty"`

	// Web requests a URL and judges the answer.
	// +optional
	Web *WebCheck `json:"web,omitempty"`

	// Metrics scrapes Prometheus text from a URL and compares a value with
	// a threshold.
	// +optional
	Metrics *MetricsCheck `json:"metrics,omitempty"`

	// Interval between measurements.
	// +kubebuilder:default="10s"
	// +optional
	Interval metav1.Duration `json:"interval,omitempty"`

	// Count of successful measurements that pass the check.
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +optional
	Count int32 `json:"count,omitempty"`

	// FailureLimit is how many failed measurements are tolerated.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	// +optional
	FailureLimit int32 `json:"failureLimit,omitempty"`

	// InconclusiveLimit is how many inconclusive measurements are tolerated
	// before the rollout pauses.
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	// +optional
	InconclusiveLimit *int32 `json:"inconclusiveLimit,omitempty"`
}

// JobCheck runs the LMS image as a Job.
// +kubebuilder:validation:XValidation:rule="(has(self.args) && size(self.args) > 0) || (has(self.probeAccountSecret) && size(self.probeAccountSecret) > 0)",message="the default smoke test (no args) signs in with a probe account: set probeAccountSecret to a Secret with keys host, email and password, or give args"
type JobCheck struct {
	// Args of the lms command; the default is a smoke test of the preview:
	// ["smoke", "--url", "$(PREVIEW_URL)"].
	// +kubebuilder:validation:MaxItems=20
	// +optional
	Args []string `json:"args,omitempty"`

	// ProbeAccountSecret names a Secret with keys host, email and password:
	// the canary tenant's host and an account of it that `lms smoke` signs
	// in with. The default smoke test (no args) cannot run without it, so
	// it is required when args is empty.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	ProbeAccountSecret string `json:"probeAccountSecret,omitempty"`

	// Timeout of the Job; one still running then is a failed measurement.
	// +kubebuilder:default="5m"
	// +optional
	Timeout metav1.Duration `json:"timeout,omitempty"`
}

// WebCheck is an HTTP GET judged by its status and JSON body.
type WebCheck struct {
	// URL to request (http or https, or starting with $(PREVIEW_URL) or
	// $(ACTIVE_URL)).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self.startsWith('http://') || self.startsWith('https://') || self.startsWith('$(PREVIEW_URL)') || self.startsWith('$(ACTIVE_URL)')",message="url must be an http or https URL, or start with $(PREVIEW_URL) or $(ACTIVE_URL)"
	URL string `json:"url"`

	// Host is sent as the Host header: the LMS picks the district by it.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Host string `json:"host,omitempty"`

	// Timeout of the request; a request that times out is inconclusive.
	// +kubebuilder:default="5s"
	// +optional
	Timeout metav1.Duration `json:"timeout,omitempty"`

	// StatusCodes that count as success; when empty, only 200 does. Any
	// status not listed is a failed measurement.
	// +kubebuilder:validation:MaxItems=10
	// +kubebuilder:validation:items:Minimum=100
	// +kubebuilder:validation:items:Maximum=599
	// +optional
	StatusCodes []int32 `json:"statusCodes,omitempty"`

	// JSON conditions on the body, all of which must hold. A body that is
	// not JSON, or lacks a field, is inconclusive.
	// +kubebuilder:validation:MaxItems=10
	// +optional
	JSON []JSONCondition `json:"json,omitempty"`
}

// JSONCondition compares one field of a JSON body.
// +kubebuilder:validation:XValidation:rule="[has(self.equals), has(self.lessThan), has(self.greaterThan)].filter(x, x).size() == 1",message="a JSON condition sets exactly one of equals, lessThan or greaterThan"
type JSONCondition struct {
	// Path of the field, dot-separated from the top ("status",
	// "checks.database"); array elements by index ("items.0.name").
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	Path string `json:"path"`

	// Equals: the field, written as text (true, 3, ok), equals this.
	// +kubebuilder:validation:MaxLength=200
	// +optional
	Equals *string `json:"equals,omitempty"`

	// LessThan: the field is a number below this one.
	// +optional
	LessThan *Number `json:"lessThan,omitempty"`

	// GreaterThan: the field is a number above this one.
	// +optional
	GreaterThan *Number `json:"greaterThan,omitempty"`
}

// Number is a decimal number written as a string, such as "0.01" or "250".
// +kubebuilder:validation:MaxLength=32
// +kubebuilder:validation:XValidation:rule="self.matches('^-?[0-9]+(\\\\.[0-9]+)?$')",message="must be a decimal number such as 0.01 or 250"
type Number string

// MetricsCheck scrapes Prometheus text format and compares one value with
// a threshold.
// +kubebuilder:validation:XValidation:rule="[has(self.sum), has(self.ratio), has(self.quantile)].filter(x, x).size() == 1",message="a metrics check computes exactly one of sum, ratio or quantile"
// +kubebuilder:validation:XValidation:rule="has(self.max) || has(self.min)",message="a metrics check needs a threshold: max, min or both"
type MetricsCheck struct {
	// URL to scrape (http or https), answering in Prometheus text format,
	// for example a Prometheus server's federation endpoint
	// "http://prometheus.monitoring:9090/federate?match[]=lms_http_requests_total".
	// The LMS serves its own /metrics only on each pod's probe port 9090,
	// not through the active or preview Service.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self.startsWith('http://') || self.startsWith('https://') || self.startsWith('$(PREVIEW_URL)') || self.startsWith('$(ACTIVE_URL)')",message="url must be an http or https URL, or start with $(PREVIEW_URL) or $(ACTIVE_URL)"
	URL string `json:"url"`

	// Timeout of the scrape; one that times out is inconclusive.
	// +kubebuilder:default="5s"
	// +optional
	Timeout metav1.Duration `json:"timeout,omitempty"`

	// Sum of the samples matching a selector.
	// +optional
	Sum *MetricSelector `json:"sum,omitempty"`

	// Ratio of two sums, such as 5xx responses over all responses. A zero
	// denominator is inconclusive.
	// +optional
	Ratio *MetricRatio `json:"ratio,omitempty"`

	// Quantile of a histogram (its buckets summed over the selector), such
	// as the p99 of request durations, estimated as Prometheus'
	// histogram_quantile does.
	// +optional
	Quantile *MetricQuantile `json:"quantile,omitempty"`

	// Max: the value must not exceed this.
	// +optional
	Max *Number `json:"max,omitempty"`

	// Min: the value must not be below this.
	// +optional
	Min *Number `json:"min,omitempty"`
}

// MetricSelector picks samples of one metric by labels.
type MetricSelector struct {
	// Metric name, such as "lms_http_requests_total".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	// +kubebuilder:validation:Pattern=`^[a-zA-Z_:][a-zA-Z0-9_:]*$`
	Metric string `json:"metric"`

	// Labels the samples must have; a value is a regular expression
	// matched against the whole label value ("5.." matches 500 to 599).
	// +kubebuilder:validation:MaxProperties=10
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
}

// MetricRatio is numerator / denominator.
type MetricRatio struct {
	Numerator   MetricSelector `json:"numerator"`
	Denominator MetricSelector `json:"denominator"`
}

// MetricQuantile estimates a quantile of a histogram.
type MetricQuantile struct {
	// Histogram's base name (its _bucket series are read) and labels.
	MetricSelector `json:",inline"`

	// Quantile between 0 and 1, such as "0.99".
	Quantile Number `json:"quantile"`
}

// Notifications say where rollout messages go.
type Notifications struct {
	// WebhookURLSecret names the Secret key holding a Slack-compatible
	// incoming-webhook URL. While it is missing, messages wait and a
	// Warning Event says so.
	WebhookURLSecret SecretKeyReference `json:"webhookURLSecret"`
}

// Color is one of the two LMS Deployments.
// +kubebuilder:validation:Enum=blue;green
type Color string

// Colors.
const (
	Blue  Color = "blue"
	Green Color = "green"
)

// Other is the other colour.
func (c Color) Other() Color {
	if c == Blue {
		return Green
	}
	return Blue
}

// Rollout phases, for `kubectl get lmsdeploy`.
const (
	// DeploymentHealthy: the spec's version serves and no rollout is under way.
	DeploymentHealthy Phase = "Healthy"
	// DeploymentProgressing: a rollout is moving through its steps.
	DeploymentProgressing Phase = "Progressing"
	// DeploymentPaused: a rollout waits for a person (spec.promote) or
	// for inconclusive analysis to be judged.
	DeploymentPaused Phase = "Paused"
	// DeploymentWaitingForWindow: a rollout waits for a deploy window.
	DeploymentWaitingForWindow Phase = "WaitingForWindow"
	// DeploymentDegraded: a rollout failed, was aborted or rolled back.
	// The previous version serves, except after a failed contract
	// migration: the new version already serves then (spec.retry runs the
	// migration again). status.message says why.
	DeploymentDegraded Phase = "Degraded"
)

// RolloutStep is where a rollout stands.
// +kubebuilder:validation:Enum=WaitingForWindow;ExpandMigration;Preview;PrePromotionAnalysis;AwaitingPromotion;Promoting;PostPromotionAnalysis;ScaleDown;ContractMigration;Completed;Failed;Aborted;RolledBack
type RolloutStep string

// Steps of a rollout, in order, then its ends.
const (
	StepWaitingForWindow      RolloutStep = "WaitingForWindow"
	StepExpandMigration       RolloutStep = "ExpandMigration"
	StepPreview               RolloutStep = "Preview"
	StepPrePromotionAnalysis  RolloutStep = "PrePromotionAnalysis"
	StepAwaitingPromotion     RolloutStep = "AwaitingPromotion"
	StepPromoting             RolloutStep = "Promoting"
	StepPostPromotionAnalysis RolloutStep = "PostPromotionAnalysis"
	StepScaleDown             RolloutStep = "ScaleDown"
	StepContractMigration     RolloutStep = "ContractMigration"
	StepCompleted             RolloutStep = "Completed"
	StepFailed                RolloutStep = "Failed"
	StepAborted               RolloutStep = "Aborted"
	StepRolledBack            RolloutStep = "RolledBack"
)

// RolloutTrigger is what started a rollout.
// +kubebuilder:validation:Enum=Initial;SpecChange;Retry;Rollback;Revert
type RolloutTrigger string

// Triggers.
const (
	// TriggerInitial: the first version of a new Deployment.
	TriggerInitial RolloutTrigger = "Initial"
	// TriggerSpecChange: the pod template changed.
	TriggerSpecChange RolloutTrigger = "SpecChange"
	// TriggerRetry: spec.retry changed after a failure or abort.
	TriggerRetry RolloutTrigger = "Retry"
	// TriggerRollback: spec.rollbackTo named a recorded revision.
	TriggerRollback RolloutTrigger = "Rollback"
	// TriggerRevert: the spec went back to a recorded revision's pod template.
	TriggerRevert RolloutTrigger = "Revert"
)

// RolloutOutcome is how a rollout ended.
// +kubebuilder:validation:Enum=Succeeded;Failed;Aborted;RolledBack;Superseded
type RolloutOutcome string

// Outcomes.
const (
	OutcomeSucceeded  RolloutOutcome = "Succeeded"
	OutcomeFailed     RolloutOutcome = "Failed"
	OutcomeAborted    RolloutOutcome = "Aborted"
	OutcomeRolledBack RolloutOutcome = "RolledBack"
	// OutcomeSuperseded: the spec changed again before the rollout ended.
	OutcomeSuperseded RolloutOutcome = "Superseded"
)

// DeploymentStatus is where the fleet and its rollout stand.
type DeploymentStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, Available, Progressing, MigrationsSucceeded,
	// AnalysisPassed and InDeployWindow.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Phase summarises the fleet: Healthy, Progressing, Paused,
	// WaitingForWindow or Degraded.
	// +optional
	Phase Phase `json:"phase,omitempty"`

	// Message explains the phase in a sentence: which school's hours block
	// the rollout, which tenant's migration failed, which check failed.
	// `kubectl get lmsdeploy` shows it, so it leaves out what the other
	// columns say (the images).
	// +optional
	Message string `json:"message,omitempty"`

	// Active is the version behind the active Service.
	// +optional
	Active *ColorStatus `json:"active,omitempty"`

	// Preview is the version behind the preview Service while a rollout
	// runs, until promotion; unset otherwise (an abort or rollback clears
	// it).
	// +optional
	Preview *ColorStatus `json:"preview,omitempty"`

	// Rollout is the rollout in progress, or the last one.
	// +optional
	Rollout *RolloutStatus `json:"rollout,omitempty"`

	// NextWindowStart is when the next deploy window opens, while a rollout
	// waits for one.
	// +optional
	NextWindowStart *metav1.Time `json:"nextWindowStart,omitempty"`

	// LastRevision is the highest revision number given out.
	// +optional
	LastRevision int64 `json:"lastRevision,omitempty"`

	// History lists the last 10 rollouts, newest first.
	// +kubebuilder:validation:MaxItems=10
	// +optional
	History []RolloutRecord `json:"history,omitempty"`

	// ObservedRetry is the spec.retry last acted on.
	// +optional
	ObservedRetry string `json:"observedRetry,omitempty"`

	// AvailableReplicas of the active version.
	// +optional
	AvailableReplicas int32 `json:"availableReplicas,omitempty"`

	// PendingNotifications are messages decided but not yet delivered to
	// the webhook (they survive an operator restart).
	// +kubebuilder:validation:MaxItems=20
	// +optional
	PendingNotifications []PendingNotification `json:"pendingNotifications,omitempty"`
}

// ColorStatus is one colour's version.
type ColorStatus struct {
	// Color of the apps/v1 Deployment.
	Color Color `json:"color"`
	// Revision number of its pod template.
	Revision int64 `json:"revision"`
	// Image it runs.
	Image string `json:"image"`
	// TemplateHash identifies its pod template.
	TemplateHash string `json:"templateHash"`
}

// RolloutStatus is one rollout's progress.
type RolloutStatus struct {
	// Revision being rolled out.
	Revision int64 `json:"revision"`
	// Image being rolled out.
	Image string `json:"image"`
	// TemplateHash of the pod template being rolled out.
	TemplateHash string `json:"templateHash"`
	// Color the new version runs as.
	Color Color `json:"color"`
	// Previous is the version that served before this rollout, kept
	// running until scale-down so a rollback is instant.
	// +optional
	Previous *ColorStatus `json:"previous,omitempty"`
	// Draining says the rollout's colour, no longer active after an abort
	// or rollback, keeps running until the active Service's endpoints no
	// longer include it, so no request in flight is dropped.
	// +optional
	Draining bool `json:"draining,omitempty"`
	// Trigger is what started it.
	Trigger RolloutTrigger `json:"trigger"`
	// Step is where it stands.
	Step RolloutStep `json:"step"`
	// Attempt counts retries, from 1; each retry runs analysis afresh.
	Attempt int32 `json:"attempt"`
	// StartTime of the rollout (of this attempt).
	StartTime metav1.Time `json:"startTime"`
	// StepStartTime is when the current step began.
	StepStartTime metav1.Time `json:"stepStartTime"`
	// PromotionTime is when the active Service switched to it.
	// +optional
	PromotionTime *metav1.Time `json:"promotionTime,omitempty"`
	// EndTime is when it ended.
	// +optional
	EndTime *metav1.Time `json:"endTime,omitempty"`
	// WindowOverride is the reason given to start it outside a window.
	// +optional
	WindowOverride string `json:"windowOverride,omitempty"`
	// Migrations are the migration Jobs' results, per tenant and phase.
	// +kubebuilder:validation:MaxItems=2000
	// +optional
	Migrations []MigrationResult `json:"migrations,omitempty"`
	// Analysis are the checks' results.
	// +kubebuilder:validation:MaxItems=20
	// +optional
	Analysis []AnalysisResult `json:"analysis,omitempty"`
	// Message says what the step waits for, or why the rollout ended.
	// +optional
	Message string `json:"message,omitempty"`
}

// MigrationState is where one tenant's migration stands.
// +kubebuilder:validation:Enum=Running;Succeeded;Failed
type MigrationState string

// Migration states.
const (
	MigrationRunning   MigrationState = "Running"
	MigrationSucceeded MigrationState = "Succeeded"
	MigrationFailed    MigrationState = "Failed"
)

// MigrationPhase is expand or contract.
// +kubebuilder:validation:Enum=expand;contract
type MigrationPhase string

// Migration phases.
const (
	MigrationExpand   MigrationPhase = "expand"
	MigrationContract MigrationPhase = "contract"
)

// MigrationResult is one tenant's migration Job.
type MigrationResult struct {
	Tenant string         `json:"tenant"`
	Phase  MigrationPhase `json:"phase"`
	State  MigrationState `json:"state"`
	// Attempt of the rollout that ran it.
	Attempt int32 `json:"attempt"`
	// Message is the Job's error for a failure.
	// +optional
	Message string `json:"message,omitempty"`
}

// AnalysisStage is before or after promotion.
// +kubebuilder:validation:Enum=PrePromotion;PostPromotion
type AnalysisStage string

// Analysis stages.
const (
	PrePromotion  AnalysisStage = "PrePromotion"
	PostPromotion AnalysisStage = "PostPromotion"
)

// AnalysisState is where one check stands.
// +kubebuilder:validation:Enum=Running;Passed;Failed;Inconclusive
type AnalysisState string

// Analysis states.
const (
	AnalysisRunning      AnalysisState = "Running"
	AnalysisPassed       AnalysisState = "Passed"
	AnalysisFailed       AnalysisState = "Failed"
	AnalysisInconclusive AnalysisState = "Inconclusive"
)

// AnalysisResult is one check's measurements so far.
type AnalysisResult struct {
	Name         string        `json:"name"`
	Stage        AnalysisStage `json:"stage"`
	State        AnalysisState `json:"state"`
	Successes    int32         `json:"successes"`
	Failures     int32         `json:"failures"`
	Inconclusive int32         `json:"inconclusive"`
	// LastMeasured is when the check last ran.
	// +optional
	LastMeasured *metav1.Time `json:"lastMeasured,omitempty"`
	// Message is the last measurement's explanation.
	// +optional
	Message string `json:"message,omitempty"`
}

// RolloutRecord is one rollout in the history.
type RolloutRecord struct {
	Revision     int64          `json:"revision"`
	Image        string         `json:"image"`
	TemplateHash string         `json:"templateHash"`
	Trigger      RolloutTrigger `json:"trigger"`
	Attempt      int32          `json:"attempt"`
	StartTime    metav1.Time    `json:"startTime"`
	// EndTime is when it ended; for a Succeeded rollout also when the
	// revision before it stopped serving.
	// +optional
	EndTime *metav1.Time `json:"endTime,omitempty"`
	// RetiredTime is when this revision stopped serving (a later one was
	// promoted or it was rolled back); unset while it serves.
	// +optional
	RetiredTime *metav1.Time `json:"retiredTime,omitempty"`
	// +optional
	Outcome RolloutOutcome `json:"outcome,omitempty"`
	// WindowOverride is the reason it started outside a window.
	// +optional
	WindowOverride string `json:"windowOverride,omitempty"`
	// Contracted says its contract migration ran.
	// +optional
	Contracted bool `json:"contracted,omitempty"`
	// +optional
	Message string `json:"message,omitempty"`
}

// NotificationEvent is a kind of rollout message.
// +kubebuilder:validation:Enum=Started;Promoted;Aborted;RolledBack;Completed;Failed
type NotificationEvent string

// Notification events.
const (
	NotifyStarted    NotificationEvent = "Started"
	NotifyPromoted   NotificationEvent = "Promoted"
	NotifyAborted    NotificationEvent = "Aborted"
	NotifyRolledBack NotificationEvent = "RolledBack"
	NotifyCompleted  NotificationEvent = "Completed"
	NotifyFailed     NotificationEvent = "Failed"
)

// PendingNotification is a message to deliver.
type PendingNotification struct {
	Event    NotificationEvent `json:"event"`
	Revision int64             `json:"revision"`
	Text     string            `json:"text"`
	Time     metav1.Time       `json:"time"`
}

// Deployment runs the LMS fleet and rolls it out blue-green: migrations, a
// preview, analysis, promotion inside deploy windows, and rollback.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=bellwork,shortName=lmsdeploy
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Active",type=string,JSONPath=`.status.active.image`
// +kubebuilder:printcolumn:name="Preview",type=string,JSONPath=`.status.preview.image`
// +kubebuilder:printcolumn:name="Step",type=string,JSONPath=`.status.rollout.step`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Message",type=string,JSONPath=`.status.message`
// +kubebuilder:printcolumn:name="Next Window",type=date,JSONPath=`.status.nextWindowStart`,priority=1
type Deployment struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the release as the GitOps pipeline wants it.
	Spec DeploymentSpec `json:"spec"`

	// Status is where the fleet and its rollout stand.
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
