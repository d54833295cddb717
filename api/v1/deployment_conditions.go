package v1

// Deployment condition types, beside ConditionReady.
const (
	DeploymentAvailable        = "Available"
	DeploymentProgressingCond  = "Progressing"
	DeploymentMigrationsPassed = "MigrationsSucceeded"
	DeploymentAnalysisPassed   = "AnalysisPassed"
	DeploymentInDeployWindow   = "InDeployWindow"
)

// Deployment condition reasons.
const (
	ReasonMigrationFailed   = "MigrationFailed"
	ReasonAnalysisFailed    = "AnalysisFailed"
	ReasonOutsideWindow     = "OutsideDeployWindow"
	ReasonAwaitingPromotion = "AwaitingPromotion"
	ReasonPromoted          = "Promoted"
	ReasonAborted           = "Aborted"
	ReasonRolledBack        = "RolledBack"
)
