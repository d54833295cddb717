package v1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// AlertRuleSpec says what to evaluate, when it counts as firing, and whom to tell.
// +kubebuilder:validation:XValidation:rule="has(self.expr) != has(self.check)",message="set exactly one of expr (a PromQL expression) or check (a typed check)"
type AlertRuleSpec struct {
	// Expr is a PromQL expression over the operator's and the LMS's metrics.
	// The alert is active while it returns any sample, for example
	// `histogram_quantile(0.99, rate(lms_http_request_duration_seconds_bucket[5m])) > 1`.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Expr string `json:"expr,omitempty"`

	// Check is a typed check evaluated by the operator itself.
	// +optional
	Check *AlertCheck `json:"check,omitempty"`

	// Interval between evaluations.
	// +kubebuilder:default="30s"
	// +optional
	Interval metav1.Duration `json:"interval,omitempty"`

	// For is how long the condition must hold before the alert fires; until
	// then it is Pending.
	// +optional
	For metav1.Duration `json:"for,omitempty"`

	// Severity of the alert.
	// +kubebuilder:default=warning
	// +kubebuilder:validation:Enum=critical;warning;info
	// +optional
	Severity string `json:"severity,omitempty"`

	// Labels are attached to the alert and used for grouping.
	// +kubebuilder:validation:MaxProperties=32
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Annotations describe the alert to people: "summary", "description" and
	// "runbook_url" are shown in notifications. Values may use {{ $value }}
	// and {{ $labels.<name> }}.
	// +kubebuilder:validation:MaxProperties=32
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`

	// Notification says where and how often to send messages.
	// +optional
	Notification *AlertNotification `json:"notification,omitempty"`

	// Silences mute notifications for a time; the alert is still evaluated and
	// its state still shown.
	// +kubebuilder:validation:MaxItems=20
	// +optional
	Silences []Silence `json:"silences,omitempty"`

	// MuteWhenSchoolsClosed mutes notifications while every school of the
	// tenant is outside its school hours or on holiday, for alerts that only
	// matter during the school day.
	// +optional
	MuteWhenSchoolsClosed bool `json:"muteWhenSchoolsClosed,omitempty"`
}

// AlertCheckType names a typed check.
// +kubebuilder:validation:Enum=BackupAge;DatabaseReachable;HTTPProbe;ReplicationLag
type AlertCheckType string

// Typed checks.
const (
	CheckBackupAge         AlertCheckType = "BackupAge"
	CheckDatabaseReachable AlertCheckType = "DatabaseReachable"
	CheckHTTPProbe         AlertCheckType = "HTTPProbe"
	CheckReplicationLag    AlertCheckType = "ReplicationLag"
)

// AlertCheck is a typed check. Type chooses it; the field of the same name
// gives its settings.
// +kubebuilder:validation:XValidation:rule="self.type != 'BackupAge' || has(self.backupAge)",message="a BackupAge check needs backupAge settings"
// +kubebuilder:validation:XValidation:rule="self.type != 'DatabaseReachable' || has(self.databaseReachable)",message="a DatabaseReachable check needs databaseReachable settings"
// +kubebuilder:validation:XValidation:rule="self.type != 'HTTPProbe' || has(self.httpProbe)",message="an HTTPProbe check needs httpProbe settings"
// +kubebuilder:validation:XValidation:rule="self.type != 'ReplicationLag' || has(self.replicationLag)",message="a ReplicationLag check needs replicationLag settings"
// +kubebuilder:validation:XValidation:rule="[has(self.backupAge), has(self.databaseReachable), has(self.httpProbe), has(self.replicationLag)].filter(x, x).size() == 1",message="set only the settings that match the check's type"
type AlertCheck struct {
	// Type of the check.
	Type AlertCheckType `json:"type"`

	// BackupAge fires when a BackupPolicy's newest good backup is too old.
	// +optional
	BackupAge *BackupAgeCheck `json:"backupAge,omitempty"`

	// DatabaseReachable fires when a tenant's database refuses connections.
	// +optional
	DatabaseReachable *DatabaseReachableCheck `json:"databaseReachable,omitempty"`

	// HTTPProbe fires when a URL does not answer as expected.
	// +optional
	HTTPProbe *HTTPProbeCheck `json:"httpProbe,omitempty"`

	// ReplicationLag fires when a CloudNativePG cluster's replicas lag behind.
	// +optional
	ReplicationLag *ReplicationLagCheck `json:"replicationLag,omitempty"`
}

// BackupAgeCheck checks how old the newest good backup is.
type BackupAgeCheck struct {
	// BackupPolicy names a BackupPolicy in the rule's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	BackupPolicy string `json:"backupPolicy"`

	// MaxAge is the oldest acceptable newest backup, for example "26h".
	MaxAge metav1.Duration `json:"maxAge"`
}

// DatabaseReachableCheck connects to a tenant's database.
type DatabaseReachableCheck struct {
	// Tenant whose database is checked.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=50
	Tenant string `json:"tenant"`

	// Timeout of one connection attempt.
	// +kubebuilder:default="5s"
	// +optional
	Timeout metav1.Duration `json:"timeout,omitempty"`
}

// HTTPProbeCheck requests a URL.
type HTTPProbeCheck struct {
	// URL to request with GET.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https']",message="url must be an http or https URL"
	URL string `json:"url"`

	// ExpectedStatus is the status code that counts as healthy.
	// +kubebuilder:default=200
	// +kubebuilder:validation:Minimum=100
	// +kubebuilder:validation:Maximum=599
	// +optional
	ExpectedStatus int32 `json:"expectedStatus,omitempty"`

	// Timeout of one request.
	// +kubebuilder:default="5s"
	// +optional
	Timeout metav1.Duration `json:"timeout,omitempty"`
}

// ReplicationLagCheck reads a CloudNativePG Cluster's replication lag.
type ReplicationLagCheck struct {
	// Cluster is the CloudNativePG Cluster to read.
	Cluster ClusterReference `json:"cluster"`

	// MaxLag is the largest acceptable replay lag, for example "30s".
	MaxLag metav1.Duration `json:"maxLag"`
}

// AlertNotification is where and how often an alert is announced.
type AlertNotification struct {
	// Slack sends Slack-style incoming-webhook messages.
	// +optional
	Slack *SlackNotification `json:"slack,omitempty"`

	// GroupBy lists the labels whose values put alerts in one message.
	// +kubebuilder:validation:MaxItems=10
	// +listType=set
	// +optional
	GroupBy []string `json:"groupBy,omitempty"`

	// GroupWait is how long to wait for more alerts of a new group before
	// the first message.
	// +kubebuilder:default="30s"
	// +optional
	GroupWait metav1.Duration `json:"groupWait,omitempty"`

	// RepeatInterval is how often a message is sent again while the alert
	// keeps firing.
	// +kubebuilder:default="4h"
	// +optional
	RepeatInterval metav1.Duration `json:"repeatInterval,omitempty"`

	// SendResolved sends a message when the alert stops firing.
	// +kubebuilder:default=true
	// +optional
	SendResolved *bool `json:"sendResolved,omitempty"`
}

// SlackNotification is a Slack incoming webhook.
type SlackNotification struct {
	// WebhookURL is the key of a Secret in the rule's namespace holding the
	// webhook URL. It is a credential, so it never appears in the spec.
	WebhookURL SecretKeyReference `json:"webhookURL"`

	// Channel overrides the webhook's default channel, for example "#sre".
	// +kubebuilder:validation:MaxLength=80
	// +kubebuilder:validation:Pattern=`^[#@]?[a-z0-9._-]+$`
	// +optional
	Channel string `json:"channel,omitempty"`
}

// Silence mutes an alert's notifications for a time.
// +kubebuilder:validation:XValidation:rule="self.startsAt < self.endsAt",message="a silence must end after it starts"
type Silence struct {
	// StartsAt is when the silence begins.
	StartsAt metav1.Time `json:"startsAt"`

	// EndsAt is when the silence ends.
	EndsAt metav1.Time `json:"endsAt"`

	// Comment says why, for the next person on call.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=500
	Comment string `json:"comment"`

	// CreatedBy is who added the silence.
	// +kubebuilder:validation:MaxLength=100
	// +optional
	CreatedBy string `json:"createdBy,omitempty"`
}

// AlertState is where an alert is in its life.
// +kubebuilder:validation:Enum=Inactive;Pending;Firing
type AlertState string

// Alert states.
const (
	AlertInactive AlertState = "Inactive"
	AlertPending  AlertState = "Pending"
	AlertFiring   AlertState = "Firing"
)

// AlertRuleStatus is the alert's state, readable with kubectl.
type AlertRuleStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready (the rule evaluates without error).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// State is Inactive, Pending or Firing.
	// +optional
	State AlertState `json:"state,omitempty"`

	// Since is when the alert entered its current state.
	// +optional
	Since *metav1.Time `json:"since,omitempty"`

	// Value is the last evaluated value, as text.
	// +optional
	Value string `json:"value,omitempty"`

	// LastEvaluationTime is when the rule was last evaluated.
	// +optional
	LastEvaluationTime *metav1.Time `json:"lastEvaluationTime,omitempty"`

	// LastEvaluationError explains why the last evaluation failed.
	// +optional
	LastEvaluationError string `json:"lastEvaluationError,omitempty"`

	// LastNotification is the most recent message sent.
	// +optional
	LastNotification *NotificationRecord `json:"lastNotification,omitempty"`

	// Silenced is true while a silence or school-closed muting applies.
	// +optional
	Silenced bool `json:"silenced,omitempty"`
}

// NotificationRecord describes a sent notification.
type NotificationRecord struct {
	// Time it was sent.
	Time metav1.Time `json:"time"`

	// Kind is "firing", "repeat" or "resolved".
	Kind string `json:"kind"`

	// Succeeded is false when delivery failed.
	Succeeded bool `json:"succeeded"`

	// Message explains a failed delivery.
	// +optional
	Message string `json:"message,omitempty"`
}

// AlertRule is an alert evaluated by the operator, whose state, value and
// notifications are kept in status for `kubectl get alertrules`.
//
// Not acted on yet: the API server validates and stores AlertRules, and they
// count toward a Tenant's onboarding checklist, but the operator does not
// evaluate them yet, sends no notifications and leaves their status empty.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=bellwork
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Severity",type=string,JSONPath=`.spec.severity`
// +kubebuilder:printcolumn:name="Value",type=string,JSONPath=`.status.value`
// +kubebuilder:printcolumn:name="Since",type=date,JSONPath=`.status.since`
// +kubebuilder:printcolumn:name="Silenced",type=boolean,JSONPath=`.status.silenced`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type AlertRule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the rule as the SRE wants it.
	Spec AlertRuleSpec `json:"spec"`

	// Status is the alert's observed state.
	// +optional
	Status AlertRuleStatus `json:"status,omitempty"`
}

// AlertRuleList is a list of AlertRules.
//
// +kubebuilder:object:root=true
type AlertRuleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AlertRule `json:"items"`
}

func init() {
	SchemeBuilder.Register(&AlertRule{}, &AlertRuleList{})
}
