package v1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// CronSchedule is a cron expression with five fields (minute, hour, day of
// month, month, day of week) or a macro such as @daily.
// +kubebuilder:validation:MaxLength=100
// +kubebuilder:validation:XValidation:rule="self.matches('^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$') || self.matches('^([*]|[0-5]?[0-9](-[0-5]?[0-9])?)(/[0-9]{1,2})?(,([*]|[0-5]?[0-9](-[0-5]?[0-9])?)(/[0-9]{1,2})?)* +([*]|([01]?[0-9]|2[0-3])(-([01]?[0-9]|2[0-3]))?)(/[0-9]{1,2})?(,([*]|([01]?[0-9]|2[0-3])(-([01]?[0-9]|2[0-3]))?)(/[0-9]{1,2})?)* +([?]|([*]|(0?[1-9]|[12][0-9]|3[01])(-(0?[1-9]|[12][0-9]|3[01]))?)(/[0-9]{1,2})?(,([*]|(0?[1-9]|[12][0-9]|3[01])(-(0?[1-9]|[12][0-9]|3[01]))?)(/[0-9]{1,2})?)*) +([*]|(0?[1-9]|1[0-2]|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))(-(0?[1-9]|1[0-2]|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)))?)(/[0-9]{1,2})?(,([*]|(0?[1-9]|1[0-2]|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))(-(0?[1-9]|1[0-2]|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)))?)(/[0-9]{1,2})?)* +([?]|([*]|([0-7]|(?i:sun|mon|tue|wed|thu|fri|sat))(-([0-7]|(?i:sun|mon|tue|wed|thu|fri|sat)))?)(/[0-9]{1,2})?(,([*]|([0-7]|(?i:sun|mon|tue|wed|thu|fri|sat))(-([0-7]|(?i:sun|mon|tue|wed|thu|fri|sat)))?)(/[0-9]{1,2})?)*)$')",message="must be a cron expression with five fields (minute 0-59, hour 0-23, day of month, month, day of week), such as \"0 2 * * *\", or a macro such as @daily"
type CronSchedule string

// BackupPolicySpec says when a tenant's database is dumped, where the dumps
// go, how long they are kept and how they are verified.
type BackupPolicySpec struct {
	// Schedule of the logical backups (pg_dump), in TimeZone.
	// +kubebuilder:default="0 2 * * *"
	// +optional
	Schedule CronSchedule `json:"schedule,omitempty"`

	// TimeZone the schedules are read in; the tenant's time zone when unset.
	// +optional
	TimeZone TimeZone `json:"timeZone,omitempty"`

	// Destination is where backups are written. Exactly one of s3 or
	// filesystem is set.
	Destination BackupDestination `json:"destination"`

	// Retention says which backups are kept.
	// +optional
	Retention BackupRetention `json:"retention,omitempty"`

	// Verification restores backups into a throwaway database and checks them.
	// +optional
	Verification BackupVerification `json:"verification,omitempty"`

	// RPO is the recovery point objective: the newest backup must be at
	// most this old, or RPOSatisfied turns False. Unset: no such condition.
	// +optional
	RPO *metav1.Duration `json:"rpo,omitempty"`

	// Suspend stops scheduling new backups; existing ones are kept.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// Physical also asks CloudNativePG for physical backups (base backups
	// and WAL archiving, for point-in-time recovery) of a tenant on a
	// dedicated CloudNativePG cluster: a ScheduledBackup of the tenant's
	// Cluster, and the Cluster's backup configuration pointed at this
	// policy's S3 destination. Reported in the same status
	// (status.physical, condition PhysicalBackupSucceeded).
	// +optional
	Physical *PhysicalBackup `json:"physical,omitempty"`
}

// PhysicalBackup configures CloudNativePG's physical backups of a tenant
// on a dedicated cluster.
type PhysicalBackup struct {
	// Schedule of the base backups, in UTC (CloudNativePG's ScheduledBackup
	// has no time zone). Empty: spec.schedule.
	// +optional
	Schedule CronSchedule `json:"schedule,omitempty"`

	// RetentionPolicy is CloudNativePG's, for example "30d": how far back
	// point-in-time recovery reaches.
	// +kubebuilder:validation:Pattern=`^[1-9][0-9]*[dwm]$`
	// +kubebuilder:default="30d"
	// +optional
	RetentionPolicy string `json:"retentionPolicy,omitempty"`
}

// BackupDestination is where backup files are written.
// +kubebuilder:validation:XValidation:rule="has(self.s3) != has(self.filesystem)",message="set exactly one backup destination: s3 or filesystem"
type BackupDestination struct {
	// S3 writes to an S3-compatible object store.
	// +optional
	S3 *S3Destination `json:"s3,omitempty"`

	// Filesystem writes to a folder, for local runs.
	// +optional
	Filesystem *FilesystemDestination `json:"filesystem,omitempty"`
}

// S3Destination is a bucket in an S3-compatible object store.
type S3Destination struct {
	// Endpoint is the store's URL, for example https://s3.us-east-1.amazonaws.com.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https']",message="endpoint must be an http or https URL"
	Endpoint string `json:"endpoint"`

	// Bucket name.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`
	Bucket string `json:"bucket"`

	// Prefix is prepended to every object key; keys are
	// <prefix>/<tenant>/<backup id>/{dump.pgdump,manifest.json,verification.json}.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Prefix string `json:"prefix,omitempty"`

	// Region of the bucket.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Region string `json:"region,omitempty"`

	// ServerSideEncryption asks the store to encrypt each object: "S3"
	// (SSE-S3, keys managed by the store) or "kms:<key id>" (SSE-KMS).
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self == 'S3' || self.startsWith('kms:')",message="serverSideEncryption must be S3 or kms:<key id>"
	// +optional
	ServerSideEncryption string `json:"serverSideEncryption,omitempty"`

	// CredentialsSecret names a Secret in the policy's namespace with
	// "accessKeyID" and "secretAccessKey" keys.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	CredentialsSecret string `json:"credentialsSecret"`
}

// FilesystemDestination is a folder on the machine that runs the backup Jobs.
type FilesystemDestination struct {
	// Path is an absolute folder path.
	// +kubebuilder:validation:MaxLength=4096
	// +kubebuilder:validation:XValidation:rule="self.startsWith('/') && !self.contains('/../')",message="path must be absolute and must not contain /../"
	Path string `json:"path"`
}

// BackupRetention says which backups are kept. It is applied by each backup
// Job after a successful backup, in the policy's time zone. A backup is kept
// while any rule keeps it; the newest verified backup is always kept.
type BackupRetention struct {
	// KeepLast keeps the newest N backups.
	// +kubebuilder:default=7
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +optional
	KeepLast int32 `json:"keepLast,omitempty"`

	// KeepDaily keeps the newest backup of each of the last N days.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000
	// +optional
	KeepDaily int32 `json:"keepDaily,omitempty"`

	// KeepWeekly keeps the newest backup of each of the last N ISO weeks.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=520
	// +optional
	KeepWeekly int32 `json:"keepWeekly,omitempty"`

	// KeepMonthly keeps the newest backup of each of the last N months.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1200
	// +optional
	KeepMonthly int32 `json:"keepMonthly,omitempty"`

	// MaxAge deletes backups older than this whatever the other rules
	// say, except the newest verified one, for example "2160h".
	// +optional
	MaxAge metav1.Duration `json:"maxAge,omitempty"`
}

// BackupVerification restores backups to prove they work.
type BackupVerification struct {
	// Disabled turns verification off: no verification CronJob is created.
	// +optional
	Disabled bool `json:"disabled,omitempty"`

	// Schedule of verification runs; each restores the newest backup into a
	// throwaway database and checks it against its manifest. Empty (the
	// default): each backup Job verifies its backup right after writing
	// it, before retention, and there is no verification CronJob.
	// +optional
	Schedule CronSchedule `json:"schedule,omitempty"`

	// MinimumTables fails a verification whose restore has fewer tables in
	// schema public.
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=0
	// +optional
	MinimumTables int32 `json:"minimumTables,omitempty"`

	// Assertions are SQL expressions that must be true in the restored
	// database, for example "(SELECT count(*) FROM users) > 0".
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:MaxLength=1000
	// +listType=atomic
	// +optional
	Assertions []string `json:"assertions,omitempty"`

	// MaxRestoreTime fails a verification whose restore took longer.
	// +optional
	MaxRestoreTime *metav1.Duration `json:"maxRestoreTime,omitempty"`
}

// BackupRecord describes one backup or verification run.
type BackupRecord struct {
	// Name of the backup (the object key's base name).
	// +optional
	Name string `json:"name,omitempty"`

	// StartTime of the run.
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`

	// CompletionTime of the run.
	// +optional
	CompletionTime *metav1.Time `json:"completionTime,omitempty"`

	// Succeeded is true when the run finished without error.
	Succeeded bool `json:"succeeded"`

	// SizeBytes of the backup file.
	// +optional
	SizeBytes int64 `json:"sizeBytes,omitempty"`

	// Message explains a failure.
	// +optional
	Message string `json:"message,omitempty"`
}

// BackupPolicyStatus is what the operator observed of the backups.
type BackupPolicyStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, LastBackupSucceeded (False, BackupFailed, when the
	// newest backup Job failed after the newest backup in storage),
	// BackupVerified and, with spec.rpo, RPOSatisfied.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// LastBackup is the most recent backup run.
	// +optional
	LastBackup *BackupRecord `json:"lastBackup,omitempty"`

	// LastSuccessfulBackupTime is when the newest good backup completed.
	// +optional
	LastSuccessfulBackupTime *metav1.Time `json:"lastSuccessfulBackupTime,omitempty"`

	// LastVerifiedTime is when the newest backup whose latest verification
	// passed was verified.
	// +optional
	LastVerifiedTime *metav1.Time `json:"lastVerifiedTime,omitempty"`

	// LastVerification is the most recent restore check.
	// +optional
	LastVerification *BackupRecord `json:"lastVerification,omitempty"`

	// Backups is the number of backups currently kept.
	// +optional
	Backups int32 `json:"backups,omitempty"`

	// NextBackupTime is when the next backup is scheduled (none while
	// suspended).
	// +optional
	NextBackupTime *metav1.Time `json:"nextBackupTime,omitempty"`

	// NextVerificationTime is when the next verification is scheduled
	// (none while suspended or with verification off).
	// +optional
	NextVerificationTime *metav1.Time `json:"nextVerificationTime,omitempty"`

	// BackupIDs are the backups in storage at the operator's last look,
	// oldest first. A backup that leaves storage (retention deleted it)
	// is announced once with a BackupDeleted Event.
	// +kubebuilder:validation:MaxItems=1000
	// +listType=atomic
	// +optional
	BackupIDs []string `json:"backupIDs,omitempty"`

	// RecentRuns are the last 10 backup and verification runs, newest
	// first: the run records in storage (every run that could reach
	// storage writes one, failed runs included, wherever it ran), and the
	// Jobs Kubernetes still keeps that left no record (running, or killed
	// or cut off from storage before they could write one).
	// +kubebuilder:validation:MaxItems=10
	// +listType=atomic
	// +optional
	RecentRuns []BackupRun `json:"recentRuns,omitempty"`

	// Physical reports CloudNativePG's physical backups, with spec.physical.
	// +optional
	Physical *PhysicalBackupStatus `json:"physical,omitempty"`
}

// PhysicalBackupStatus is what CloudNativePG reports of the physical
// backups.
type PhysicalBackupStatus struct {
	// ScheduledBackup is the CloudNativePG ScheduledBackup's name.
	ScheduledBackup string `json:"scheduledBackup"`

	// LastScheduleTime and NextScheduleTime are the ScheduledBackup's.
	// +optional
	LastScheduleTime *metav1.Time `json:"lastScheduleTime,omitempty"`
	// +optional
	NextScheduleTime *metav1.Time `json:"nextScheduleTime,omitempty"`

	// LastBackup is the newest CloudNativePG Backup it made.
	// +optional
	LastBackup *BackupRecord `json:"lastBackup,omitempty"`
}

// BackupRun is one backup or verification run.
type BackupRun struct {
	// Job is the Job's name; empty for a run started by hand outside
	// Kubernetes.
	// +optional
	Job string `json:"job,omitempty"`

	// Kind is Backup or Verification.
	// +kubebuilder:validation:Enum=Backup;Verification
	Kind string `json:"kind"`

	// State is Running, Succeeded or Failed.
	// +kubebuilder:validation:Enum=Running;Succeeded;Failed
	State string `json:"state"`

	// StartTime of the Job.
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`

	// CompletionTime of the Job, succeeded or failed.
	// +optional
	CompletionTime *metav1.Time `json:"completionTime,omitempty"`

	// Backup is the id of the backup the run wrote or verified.
	// +optional
	Backup string `json:"backup,omitempty"`

	// Message is why a failed run failed: the runner's own words from its
	// record, else the Job's reason and message.
	// +optional
	Message string `json:"message,omitempty"`
}

// BackupPolicy schedules logical backups of a tenant's database, restores
// each into a throwaway database to verify it, and prunes old ones. It lives
// in the tenant's namespace.
//
// The operator creates two CronJobs per policy: <name>-backup runs
// `lms backup` on spec.schedule with spec.retention applied after each good
// backup, and <name>-verify runs `lms verify` on the verification schedule
// when the operator has a verification server. Status is read from the
// catalogue in storage every minute (see docs/backups.md): the newest
// backup, the newest verification, how many backups are kept, and the
// recent runs, failed ones included, from the run records beside them.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=bellwork
// +kubebuilder:printcolumn:name="Schedule",type=string,JSONPath=`.spec.schedule`
// +kubebuilder:printcolumn:name="Last Backup",type=date,JSONPath=`.status.lastSuccessfulBackupTime`
// +kubebuilder:printcolumn:name="Last Verified",type=date,JSONPath=`.status.lastVerifiedTime`
// +kubebuilder:printcolumn:name="Verified",type=string,JSONPath=`.status.conditions[?(@.type=="BackupVerified")].status`
// +kubebuilder:printcolumn:name="RPO OK",type=string,JSONPath=`.status.conditions[?(@.type=="RPOSatisfied")].status`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type BackupPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the backup policy as the platform engineer wants it.
	Spec BackupPolicySpec `json:"spec"`

	// Status is what the operator observed.
	// +optional
	Status BackupPolicyStatus `json:"status,omitempty"`
}

// BackupPolicyList is a list of BackupPolicies.
//
// +kubebuilder:object:root=true
type BackupPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []BackupPolicy `json:"items"`
}

func init() {
	SchemeBuilder.Register(&BackupPolicy{}, &BackupPolicyList{})
}
