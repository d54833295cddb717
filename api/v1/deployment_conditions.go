package v1

// Deployment condition types, beside ConditionReady (True when the spec's
// version serves on every active replica and no rollout is under way).
const (
	// DeploymentConditionAvailable: the active Service has Ready pods.
	DeploymentConditionAvailable = "Available"
	// DeploymentConditionProgressing: a rollout is under way.
	DeploymentConditionProgressing = "Progressing"
	// DeploymentConditionMigrations: the current rollout's migrations succeeded.
	DeploymentConditionMigrations = "MigrationsSucceeded"
	// DeploymentConditionAnalysis: the current rollout's analysis passed.
	DeploymentConditionAnalysis = "AnalysisPassed"
	// DeploymentConditionInWindow: a rollout may start now.
	DeploymentConditionInWindow = "InDeployWindow"
)

// Deployment condition reasons.
const (
	ReasonRolloutStarted      = "RolloutStarted"
	ReasonOutsideWindow       = "OutsideDeployWindow"
	ReasonInsideWindow        = "InsideDeployWindow"
	ReasonWindowOverridden    = "WindowOverridden"
	ReasonMigrating           = "Migrating"
	ReasonMigrationsSucceeded = "MigrationsSucceeded"
	ReasonMigrationFailed     = "MigrationFailed"
	ReasonMigrationsSkipped   = "MigrationsSkipped"
	ReasonPreviewStarting     = "PreviewStarting"
	ReasonAnalysing           = "Analysing"
	ReasonAnalysisPassed      = "AnalysisPassed"
	ReasonAnalysisFailed      = "AnalysisFailed"
	ReasonAnalysisPaused      = "AnalysisInconclusive"
	ReasonAwaitingPromotion   = "AwaitingPromotion"
	ReasonPromoted            = "Promoted"
	ReasonScalingDown         = "ScalingDown"
	ReasonCompleted           = "RolloutCompleted"
	ReasonAborted             = "Aborted"
	ReasonRolledBack          = "RolledBack"
	ReasonRollbackRefused     = "RollbackRefused"
	ReasonNoActiveReplicas    = "NoActiveReplicas"
	ReasonActiveAvailable     = "ActiveAvailable"
	ReasonSuperseded          = "Superseded"
)
