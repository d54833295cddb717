package v1

// BackupPolicy condition types, beside ConditionReady.
const (
	// BackupLastSucceeded: the most recent backup run succeeded.
	BackupLastSucceeded = "LastBackupSucceeded"
	// BackupVerified: the newest backup was restored and checked.
	BackupVerified = "BackupVerified"
	// BackupRPOSatisfied: the newest backup is within spec.rpo.
	BackupRPOSatisfied = "RPOSatisfied"
	// PhysicalBackupSucceeded: with spec.physical, CloudNativePG's newest
	// physical backup completed.
	PhysicalBackupSucceeded = "PhysicalBackupSucceeded"
)

// BackupPolicy condition reasons.
const (
	ReasonBackupFailed        = "BackupFailed"
	ReasonVerificationFailed  = "VerificationFailed"
	ReasonNoBackupYet         = "NoBackupYet"
	ReasonVerificationOff     = "VerificationDisabled"
	ReasonDestinationNotReady = "DestinationNotReady"
	ReasonRPOMissed           = "RPOMissed"
	ReasonNotDedicated        = "NotDedicatedCluster"
	ReasonPhysicalFailed      = "PhysicalBackupFailed"
)
