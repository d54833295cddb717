package v1

// Condition types and reasons shared by several kinds.
const (
	// ConditionReady is true when the object is fully reconciled and healthy.
	ConditionReady = "Ready"

	// ReasonReconciled: everything the object asks for exists and is healthy.
	ReasonReconciled = "Reconciled"
	// ReasonProgressing: work is under way and no failure has been seen.
	ReasonProgressing = "Progressing"
	// ReasonInvalidSpec: the spec passed the schema but cannot be acted on; the
	// message says which field to fix.
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonDependencyNotReady: something this object needs is not ready yet.
	ReasonDependencyNotReady = "DependencyNotReady"
	// ReasonDeleting: the object is being deleted.
	ReasonDeleting = "Deleting"
)

// Phases shared by several kinds.
const (
	PhaseProvisioning Phase = "Provisioning"
	PhaseReady        Phase = "Ready"
	PhaseDegraded     Phase = "Degraded"
	PhaseDeleting     Phase = "Deleting"
	PhaseFailed       Phase = "Failed"
)
