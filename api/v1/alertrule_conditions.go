package v1

// AlertRule condition reasons (the rule uses ConditionReady).
const (
	// ReasonEvaluationFailed: the expression or check could not be evaluated.
	ReasonEvaluationFailed = "EvaluationFailed"
	// ReasonInvalidExpression: the PromQL expression does not parse.
	ReasonInvalidExpression = "InvalidExpression"
	// ReasonNotificationFailed: the last message could not be delivered.
	ReasonNotificationFailed = "NotificationFailed"
)
