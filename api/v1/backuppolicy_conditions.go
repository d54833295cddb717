package v1

// BackupPolicy condition types, beside ConditionReady.
const (
	// BackupLastSucceeded: the most recent backup run succeeded.
	BackupLastSucceeded = "LastBackupSucceeded"
	// BackupVerified: the newest backup was restored and checked.
	BackupVerified = "BackupVerified"
)

// BackupPolicy condition reasons.
const (
	ReasonBackupFailed        = "BackupFailed"
	ReasonVerificationFailed  = "VerificationFailed"
	ReasonNoBackupYet         = "NoBackupYet"
	ReasonVerificationOff     = "VerificationDisabled"
	ReasonDestinationNotReady = "DestinationNotReady"
)
