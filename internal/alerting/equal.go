package alerting

import (
	"k8s.io/apimachinery/pkg/api/equality"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// equalStatus compares statuses the way the API server would store them
// (nil and empty lists alike, times by second).
func equalStatus(a, b platformv1.AlertRuleStatus) bool {
	return equality.Semantic.DeepEqual(a, b)
}
