package v1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// AlertRuleSpec says what to evaluate, when it counts as firing, and whom to tell.
// +kubebuilder:validation:XValidation:rule="has(self.expr) != has(self.check)",message="set exactly one of expr (a PromQL expression) or check (a typed check)"
// +kubebuilder:validation:XValidation:rule="!has(self.source) || has(self.expr)",message="source is where expr is evaluated, so it needs expr"
// +kubebuilder:validation:XValidation:rule="!has(self.interval) || duration(self.interval) == duration('0s') || duration(self.interval) >= duration('5s')",message="interval must be at least 5s"
type AlertRuleSpec struct {
	// Expr is a PromQL expression. Each sample it returns is one alert
	// instance, identified by the sample's labels; the alert is active while
	// it returns any sample, for example `job_queue_oldest_seconds > 600`.
	// The operator refuses an expression that does not parse (with the
	// parser's message) when the admission webhook runs.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Expr string `json:"expr,omitempty"`

	// Source evaluates expr on a Prometheus-compatible HTTP API
	// (GET <url>/api/v1/query) instead of on the operator's own scraped
	// samples.
	// +optional
	Source *AlertSource `json:"source,omitempty"`

	// Check is a typed check the operator runs itself, for the common
	// cases without PromQL.
	// +optional
	Check *AlertCheck `json:"check,omitempty"`

	// Interval between evaluations, at least 5s ("0s" means the default).
	// +kubebuilder:default="30s"
	// +optional
	Interval metav1.Duration `json:"interval,omitempty"`

	// For is how long an instance must stay active before it fires; until
	// then it is Pending. Zero fires at the first active evaluation.
	// +optional
	For metav1.Duration `json:"for,omitempty"`

	// KeepFiringFor keeps a firing instance firing this long after it
	// stops being active, so a flapping condition does not resolve and
	// fire again at every evaluation.
	// +optional
	KeepFiringFor metav1.Duration `json:"keepFiringFor,omitempty"`

	// Severity of the alert, added to every instance as the label "severity".
	// +kubebuilder:default=warning
	// +kubebuilder:validation:Enum=critical;warning;info
	// +optional
	Severity string `json:"severity,omitempty"`

	// Labels are added to every instance (over the expression's own) and
	// can be used in groupBy, silences and inhibition.
	// +kubebuilder:validation:MaxProperties=32
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Annotations describe the alert to people: "summary", "description"
	// and "runbook_url" are shown in notifications. Values use Prometheus'
	// template syntax: {{ $value }}, {{ $labels.tenant }},
	// {{ $value | humanizeDuration }}.
	// +kubebuilder:validation:MaxProperties=32
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`

	// Receivers are where notifications go. Each URL (and signing key) is
	// read from a Secret in the rule's namespace, because it is a credential.
	// +kubebuilder:validation:MaxItems=5
	// +listType=map
	// +listMapKey=name
	// +optional
	Receivers []AlertReceiver `json:"receivers,omitempty"`

	// Grouping says how instances are put into messages and how often a
	// message is repeated.
	// +optional
	Grouping *AlertGrouping `json:"grouping,omitempty"`

	// Silences mute notifications of matching instances until a time; the
	// instances are still evaluated and shown in status.
	// +kubebuilder:validation:MaxItems=20
	// +optional
	Silences []Silence `json:"silences,omitempty"`

	// Inhibits makes this rule, while one of its instances fires, mute the
	// notifications of other AlertRules' instances (in any namespace) that
	// carry the same values of the listed labels: a tenant's database-down
	// alert mutes that tenant's other alerts.
	// +optional
	Inhibits *AlertInhibition `json:"inhibits,omitempty"`

	// MuteWhenSchoolsClosed mutes notifications while every affected school
	// is closed, read from the Schools' calendars in their own time zones.
	// The affected schools are those of the instance's "tenant" label (or,
	// without one, of the tenant whose namespace holds the rule), narrowed
	// to the school whose code is the instance's "school" label when it has
	// one. Instances with no affected school are never muted by this.
	// +optional
	MuteWhenSchoolsClosed bool `json:"muteWhenSchoolsClosed,omitempty"`
}

// AlertSource is a Prometheus-compatible HTTP API.
type AlertSource struct {
	// URL of the API's root, for example http://prometheus.monitoring:9090.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https']",message="source url must be an http or https URL"
	URL string `json:"url"`

	// Timeout of one query.
	// +kubebuilder:default="10s"
	// +optional
	Timeout metav1.Duration `json:"timeout,omitempty"`
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

	// BackupAge is active when a BackupPolicy's newest good backup is older
	// than maxAge. Its value is that age in seconds. A missing BackupPolicy
	// is an evaluation error ("no backup policy"); a policy with no good
	// backup yet counts its age from the policy's creation.
	// +optional
	BackupAge *BackupAgeCheck `json:"backupAge,omitempty"`

	// DatabaseReachable is active when a tenant's database refuses a
	// connection as the tenant's app role (its credentials Secret). Its
	// value is 1 when unreachable, 0 when reachable; the instance carries
	// the label "tenant".
	// +optional
	DatabaseReachable *DatabaseReachableCheck `json:"databaseReachable,omitempty"`

	// HTTPProbe is active when a URL does not answer with the expected
	// status. Its value is the status code, or 0 when no answer came.
	// +optional
	HTTPProbe *HTTPProbeCheck `json:"httpProbe,omitempty"`

	// ReplicationLag is active when a Postgres server's standbys fall
	// behind or too few are connected. It connects to the primary (a
	// tenant's server or a CloudNativePG Cluster's -rw Service) as the
	// operator's admin login and reads pg_stat_replication: one instance
	// per standby (label "instance", its application_name) and threshold
	// (label "unit": "seconds" or "bytes", the value in that unit), and
	// one with unit "standbys" (the value is how many are connected) while
	// fewer than minStandbys are. A server that is itself a standby (a
	// replica cluster's designated primary) reports its own replay lag
	// behind the WAL it received, and minStandbys does not apply. A server
	// it cannot reach, or a login that may not read replication positions,
	// is health Error.
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

// ReplicationLagCheck reads how far a Postgres server's standbys are
// behind.
// +kubebuilder:validation:XValidation:rule="has(self.tenant) != has(self.cluster)",message="set exactly one of tenant (the tenant's database server) or cluster (a CloudNativePG Cluster)"
// +kubebuilder:validation:XValidation:rule="has(self.maxLag) || has(self.maxLagBytes) || (has(self.minStandbys) && self.minStandbys > 0)",message="set maxLag, maxLagBytes or a minStandbys above 0: a ReplicationLag check with none of them could never fire"
type ReplicationLagCheck struct {
	// Tenant whose database server is checked: the server the operator
	// provisions the tenant on (an external server, the shared
	// CloudNativePG Cluster's or the dedicated one's -rw Service), as the
	// admin login it provisions with. On a shared server every tenant's
	// rule reads the same standbys.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=50
	// +optional
	Tenant string `json:"tenant,omitempty"`

	// Cluster is a CloudNativePG Cluster to check through its -rw Service,
	// as its superuser (Secret <cluster>-superuser, or the Cluster's
	// spec.superuserSecret; the Cluster needs enableSuperuserAccess).
	// +optional
	Cluster *ClusterReference `json:"cluster,omitempty"`

	// MaxLag is the largest acceptable replay lag, for example "30s": the
	// time since the WAL a standby has replayed up to was written on the
	// primary (pg_stat_replication.replay_lag, 0 once the standby has
	// replayed everything).
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="maxLag must be longer than 0s"
	// +optional
	MaxLag *metav1.Duration `json:"maxLag,omitempty"`

	// MaxLagBytes is the largest acceptable amount of WAL, in bytes, that a
	// standby has not replayed yet, for example 16777216 (16 MiB).
	// +kubebuilder:validation:Minimum=0
	// +optional
	MaxLagBytes *int64 `json:"maxLagBytes,omitempty"`

	// MinStandbys is how many standbys must be connected to the primary
	// and reporting their replay; fewer is active (unit "standbys"). A
	// server with no standby at all is therefore active by default, not
	// silently fine; set 0 where a server has no standbys on purpose.
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	// +optional
	MinStandbys *int32 `json:"minStandbys,omitempty"`

	// Timeout of the connection and queries.
	// +kubebuilder:default="5s"
	// +optional
	Timeout metav1.Duration `json:"timeout,omitempty"`
}

// AlertReceiver is one destination for notifications.
// +kubebuilder:validation:XValidation:rule="has(self.slack) != has(self.webhook)",message="a receiver is either slack or webhook: set exactly one"
type AlertReceiver struct {
	// Name identifies the receiver in status.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// Slack posts Slack incoming-webhook messages (Slack, Mattermost,
	// Rocket.Chat and others that accept Slack's payload).
	// +optional
	Slack *SlackReceiver `json:"slack,omitempty"`

	// Webhook posts the alerts as JSON, signed with HMAC-SHA256.
	// +optional
	Webhook *WebhookReceiver `json:"webhook,omitempty"`
}

// SlackReceiver is a Slack incoming webhook.
type SlackReceiver struct {
	// URL is the Secret key holding the webhook URL.
	URL SecretKeyReference `json:"url"`

	// Channel overrides the webhook's default channel, for example "#sre".
	// +kubebuilder:validation:MaxLength=80
	// +kubebuilder:validation:Pattern=`^[#@]?[a-z0-9._-]+$`
	// +optional
	Channel string `json:"channel,omitempty"`
}

// WebhookReceiver is a generic JSON webhook. Each request carries the
// headers X-Bellwork-Timestamp (Unix seconds) and X-Bellwork-Signature
// ("sha256=" and the hex HMAC-SHA256 of "<timestamp>.<body>" under the
// signing key), so the receiver can check who sent it and refuse replays.
type WebhookReceiver struct {
	// URL is the Secret key holding the webhook URL.
	URL SecretKeyReference `json:"url"`

	// SigningKey is the Secret key holding the HMAC key.
	SigningKey SecretKeyReference `json:"signingKey"`
}

// AlertGrouping says how instances become messages.
type AlertGrouping struct {
	// GroupBy lists the labels whose values put instances in one message.
	// Empty puts all of the rule's instances in one message.
	// +kubebuilder:validation:MaxItems=10
	// +listType=set
	// +optional
	GroupBy []string `json:"groupBy,omitempty"`

	// GroupWait is how long a new group waits for more instances before
	// its first message.
	// +kubebuilder:default="30s"
	// +optional
	GroupWait metav1.Duration `json:"groupWait,omitempty"`

	// RepeatInterval is how often a message is sent again while the group
	// keeps firing unchanged.
	// +kubebuilder:default="4h"
	// +optional
	RepeatInterval metav1.Duration `json:"repeatInterval,omitempty"`

	// SendResolved sends a message when a group's instances stop firing.
	// +kubebuilder:default=true
	// +optional
	SendResolved *bool `json:"sendResolved,omitempty"`
}

// MatchOperator compares a label with a value.
// +kubebuilder:validation:Enum="=";"!=";"=~";"!~"
type MatchOperator string

// Match operators, as in Prometheus selectors.
const (
	MatchEqual     MatchOperator = "="
	MatchNotEqual  MatchOperator = "!="
	MatchRegexp    MatchOperator = "=~"
	MatchNotRegexp MatchOperator = "!~"
)

// LabelMatcher selects instances by one label. A missing label reads as "".
type LabelMatcher struct {
	// Name of the label.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	Name string `json:"name"`

	// Operator: "=", "!=", "=~" or "!~" (regular expressions are anchored).
	// +kubebuilder:default="="
	// +optional
	Operator MatchOperator `json:"operator,omitempty"`

	// Value to compare with.
	// +kubebuilder:validation:MaxLength=500
	Value string `json:"value"`
}

// Silence mutes notifications of matching instances until a time.
type Silence struct {
	// Matchers select the instances; none selects every instance of the rule.
	// +kubebuilder:validation:MaxItems=10
	// +optional
	Matchers []LabelMatcher `json:"matchers,omitempty"`

	// Until is when the silence ends.
	Until metav1.Time `json:"until"`

	// Reason says why, for the next person on call.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=500
	Reason string `json:"reason"`

	// By is who added the silence.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	By string `json:"by"`
}

// AlertInhibition is what a rule's firing instances mute.
type AlertInhibition struct {
	// Equal lists the labels whose values a muted instance shares with the
	// firing one.
	// +kubebuilder:default={"tenant"}
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=10
	// +listType=set
	// +optional
	Equal []string `json:"equal,omitempty"`
}

// AlertState is where an alert instance is in its life.
// +kubebuilder:validation:Enum=Inactive;Pending;Firing;Resolved
type AlertState string

// Alert states.
const (
	AlertInactive AlertState = "Inactive"
	AlertPending  AlertState = "Pending"
	AlertFiring   AlertState = "Firing"
	AlertResolved AlertState = "Resolved"
)

// AlertHealth says whether the rule could be evaluated.
// +kubebuilder:validation:Enum=OK;Error
type AlertHealth string

// Rule health.
const (
	HealthOK    AlertHealth = "OK"
	HealthError AlertHealth = "Error"
)

// AlertRuleStatus is the alert's state, readable with kubectl. It is
// written only when something in it changes, so a steady alert does not
// write at every evaluation: an instance's value and the last evaluation
// time are refreshed with each state change, and otherwise at most every
// few minutes (the operator's --alert-heartbeat, 5m by default).
type AlertRuleStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready (the rule evaluates) and NotificationsHealthy (the
	// last delivery to every receiver succeeded).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// State is the rule's worst instance state: Firing, else Pending, else
	// Resolved, else Inactive.
	// +optional
	State AlertState `json:"state,omitempty"`

	// Value is the value of the instance State comes from.
	// +optional
	Value string `json:"value,omitempty"`

	// Since is when that instance entered its state.
	// +optional
	Since *metav1.Time `json:"since,omitempty"`

	// Health is OK when the last evaluation succeeded and Error when it did
	// not; HealthMessage then says why.
	// +optional
	Health AlertHealth `json:"health,omitempty"`

	// HealthMessage explains an Error.
	// +optional
	HealthMessage string `json:"healthMessage,omitempty"`

	// LastEvaluationTime is when the rule was last evaluated (see above for
	// how often it is refreshed).
	// +optional
	LastEvaluationTime *metav1.Time `json:"lastEvaluationTime,omitempty"`

	// Instances are the alert's instances, one per label set, that are not
	// Inactive. A Resolved instance is kept for a while after it resolves.
	// +kubebuilder:validation:MaxItems=100
	// +optional
	Instances []AlertInstance `json:"instances,omitempty"`

	// OmittedInstances counts active instances beyond the 100 shown.
	// +optional
	OmittedInstances int32 `json:"omittedInstances,omitempty"`

	// Groups are the notification groups, with what was last sent for each.
	// +kubebuilder:validation:MaxItems=100
	// +optional
	Groups []NotificationGroup `json:"groups,omitempty"`

	// LastNotification is the most recent delivery attempt.
	// +optional
	LastNotification *NotificationRecord `json:"lastNotification,omitempty"`
}

// AlertInstance is one label set's alert.
type AlertInstance struct {
	// Labels identify the instance: the expression's or check's labels and
	// the rule's labels.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// State of the instance.
	State AlertState `json:"state"`

	// ActiveSince is when the instance last became active.
	// +optional
	ActiveSince *metav1.Time `json:"activeSince,omitempty"`

	// FiredAt is when it started firing.
	// +optional
	FiredAt *metav1.Time `json:"firedAt,omitempty"`

	// ResolvedAt is when it stopped firing.
	// +optional
	ResolvedAt *metav1.Time `json:"resolvedAt,omitempty"`

	// InactiveSince is the first evaluation that found a firing instance no
	// longer active; keepFiringFor counts from it. (Recording the last
	// active evaluation instead would write status at every evaluation.)
	// +optional
	InactiveSince *metav1.Time `json:"inactiveSince,omitempty"`

	// Value is the last value.
	// +optional
	Value string `json:"value,omitempty"`

	// Muted says why notifications of this instance are held back (a
	// silence, an inhibiting alert, schools closed); empty when they are not.
	// +optional
	Muted string `json:"muted,omitempty"`
}

// NotificationGroup is what was last sent for one group.
type NotificationGroup struct {
	// Key is the group's labels, "tenant=lincoln-usd", or "" for one group.
	Key string `json:"key"`

	// FirstSeen is when the group first had a firing instance (group wait
	// counts from it).
	// +optional
	FirstSeen *metav1.Time `json:"firstSeen,omitempty"`

	// LastSent is when a message last reached every receiver.
	// +optional
	LastSent *metav1.Time `json:"lastSent,omitempty"`

	// Sent is the fingerprint of the firing instances last announced; a
	// change sends a new message before the repeat interval.
	// +optional
	Sent string `json:"sent,omitempty"`
}

// NotificationResult is how a delivery went.
// +kubebuilder:validation:Enum=Sent;Failed
type NotificationResult string

// Delivery results.
const (
	NotificationSent   NotificationResult = "Sent"
	NotificationFailed NotificationResult = "Failed"
)

// NotificationRecord describes a delivery.
type NotificationRecord struct {
	// Time of the attempt.
	Time metav1.Time `json:"time"`

	// Receiver it went to: the one that failed, or every receiver when
	// all took it.
	// +optional
	Receiver string `json:"receiver,omitempty"`

	// Group it was about.
	// +optional
	Group string `json:"group,omitempty"`

	// Kind is "firing", "repeat" or "resolved".
	Kind string `json:"kind"`

	// Result is Sent or Failed.
	Result NotificationResult `json:"result"`

	// Message explains a failed delivery.
	// +optional
	Message string `json:"message,omitempty"`
}

// AlertRule is an alert the operator evaluates itself, whose state, value
// and notifications are kept in status for `kubectl get alertrules`.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=bellwork
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Value",type=string,JSONPath=`.status.value`
// +kubebuilder:printcolumn:name="Since",type=date,JSONPath=`.status.since`
// +kubebuilder:printcolumn:name="Last Evaluation",type=date,JSONPath=`.status.lastEvaluationTime`
// +kubebuilder:printcolumn:name="Health",type=string,JSONPath=`.status.health`
// +kubebuilder:printcolumn:name="Severity",type=string,JSONPath=`.spec.severity`,priority=1
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
