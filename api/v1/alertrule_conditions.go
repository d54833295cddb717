package v1

// AlertRule condition types (besides ConditionReady, true while the rule
// evaluates without error).
const (
	// AlertNotificationsHealthy is true while the last delivery to every
	// receiver succeeded, and false once one keeps failing.
	AlertNotificationsHealthy = "NotificationsHealthy"
)

// AlertRule condition reasons.
const (
	// ReasonEvaluated: the last evaluation succeeded.
	ReasonEvaluated = "Evaluated"
	// ReasonEvaluationFailed: the expression or check could not be evaluated.
	ReasonEvaluationFailed = "EvaluationFailed"
	// ReasonInvalidExpression: the PromQL expression does not parse.
	ReasonInvalidExpression = "InvalidExpression"
	// ReasonNotificationFailed: the last message could not be delivered.
	ReasonNotificationFailed = "NotificationFailed"
	// ReasonNotificationsDelivered: every receiver took the last message.
	ReasonNotificationsDelivered = "Delivered"
	// ReasonNoReceivers: the rule has no receivers, so nothing can fail.
	ReasonNoReceivers = "NoReceivers"
)

// Event reasons for an instance's state changes.
const (
	EventAlertPending  = "AlertPending"
	EventAlertFiring   = "AlertFiring"
	EventAlertResolved = "AlertResolved"
)
