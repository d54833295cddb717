package rollout

import (
	"time"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// Observed is what the controller saw this pass, besides the spec and status.
type Observed struct {
	// Now is the pass's time (an injectable clock in tests).
	Now time.Time
	// Colors are the colours' apps/v1 Deployments; a missing key is a
	// Deployment that does not exist.
	Colors map[platformv1.Color]ColorObserved
	// ActiveEndpoints counts the Ready endpoints behind the active Service,
	// by the colour of the pod behind each.
	ActiveEndpoints map[platformv1.Color]int
	// Tenants are the affected tenants that have a directory entry, sorted.
	Tenants []string
	// Schools are the affected tenants' schools.
	Schools []School
	// JobsRevision is the revision whose Jobs Migrations and CheckJobs
	// hold (the rollout's in status when the pass began); Step ignores them
	// for a rollout of another revision, such as one it starts.
	JobsRevision int64
	// Migrations are the migration Jobs of JobsRevision, every attempt, by
	// tenant and phase.
	Migrations map[MigrationKey][]JobRun
	// CheckJobs are the Jobs of Job checks of JobsRevision.
	CheckJobs map[CheckJobKey]JobRun
	// Measurements are the web and metrics measurements the controller took
	// this pass, of the checks DueMeasurements named.
	Measurements []Measurement
}

// ColorObserved is one colour's apps/v1 Deployment.
type ColorObserved struct {
	// TemplateHash is the hash label of its pod template.
	TemplateHash string
	// Replicas it is asked to run.
	Replicas int32
	// ReadyReplicas of the current template.
	ReadyReplicas int32
	// Updated: the Deployment controller has seen its latest spec and no
	// pod of an older template is left.
	Updated bool
}

// MigrationKey names one tenant's migration of a phase.
type MigrationKey struct {
	Tenant string
	Phase  platformv1.MigrationPhase
}

// JobState is where a Job stands.
type JobState string

// Job states.
const (
	JobRunning   JobState = "Running"
	JobSucceeded JobState = "Succeeded"
	JobFailed    JobState = "Failed"
)

// JobRun is one Job.
type JobRun struct {
	Attempt int32
	State   JobState
	// Message is the failed pod's termination message.
	Message string
}

// CheckJobKey names one measurement of a Job check.
type CheckJobKey struct {
	Stage   platformv1.AnalysisStage
	Check   string
	Attempt int32
	Index   int32
}

// Outcome is a measurement's verdict.
type Outcome string

// Outcomes.
const (
	Successful   Outcome = "Successful"
	Failed       Outcome = "Failed"
	Inconclusive Outcome = "Inconclusive"
)

// Measurement is one run of a web or metrics check.
type Measurement struct {
	Stage   platformv1.AnalysisStage
	Check   string
	Outcome Outcome
	Message string
}

// Decision is what a pass should do.
type Decision struct {
	// Status is the status to write, before anything else is done.
	Status platformv1.DeploymentStatus
	// Migrations are migration Jobs to create.
	Migrations []MigrationJob
	// CheckJobs are Job-check Jobs to create.
	CheckJobs []CheckJobKey
	// Events announce step changes, after Status is written.
	Events []Event
	// Wake is when to look again at the latest, or zero for "when
	// something observed changes".
	Wake time.Duration
}

// MigrationJob is a migration Job to create.
type MigrationJob struct {
	Tenant  string
	Phase   platformv1.MigrationPhase
	Attempt int32
}

// Event is a Kubernetes Event to emit.
type Event struct {
	Warning bool
	Reason  string
	Message string
}

// MaxParallelMigrations bounds the migration Jobs running at once.
const MaxParallelMigrations = 5

// drainGrace is the least time a colour that lost the active Service keeps
// running after its endpoints left, for proxies that lag behind them.
const drainGrace = 2 * time.Second
