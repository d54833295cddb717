package v1

import "time"

// Names of the objects a Deployment runs, all in its namespace.

// ColorName is the apps/v1 Deployment of one colour, "<name>-<color>".
func (d *Deployment) ColorName(c Color) string { return d.Name + "-" + string(c) }

// ActiveServiceName is the Service in front of the active colour.
func (d *Deployment) ActiveServiceName() string { return d.Name }

// PreviewServiceName is the Service in front of the preview colour.
func (d *Deployment) PreviewServiceName() string { return d.Name + "-preview" }

// AutoRollbackEnabled is spec.autoRollback, true when unset.
func (s *DeploymentSpec) AutoRollbackEnabled() bool {
	return s.AutoRollback == nil || *s.AutoRollback
}

// Defaults the API server fills in; code reading a spec that did not pass
// through the API server (tests, builders) gets the same values.
const (
	DefaultReplicas           = 2
	DefaultPreviewReplicas    = 1
	DefaultServiceAccountName = "bellwork-lms"
	DefaultScaleDownDelay     = 10 * time.Minute
	DefaultRollbackWindow     = 7 * 24 * time.Hour
	DefaultMigrationTimeout   = 15 * time.Minute
	DefaultCheckInterval      = 10 * time.Second
	DefaultJobCheckTimeout    = 5 * time.Minute
	DefaultHTTPCheckTimeout   = 5 * time.Second
	DefaultInconclusiveLimit  = 2
)

// WithDefaults returns a copy of s with unset fields at their defaults, as
// the API server would store them.
func (s *DeploymentSpec) WithDefaults() DeploymentSpec {
	out := *s.DeepCopy()
	if out.Replicas == 0 {
		out.Replicas = DefaultReplicas
	}
	if out.PreviewReplicas == 0 {
		out.PreviewReplicas = DefaultPreviewReplicas
	}
	if out.ServiceAccountName == "" {
		out.ServiceAccountName = DefaultServiceAccountName
	}
	if out.ScaleDownDelay.Duration == 0 {
		out.ScaleDownDelay.Duration = DefaultScaleDownDelay
	}
	if out.RollbackWindow.Duration == 0 {
		out.RollbackWindow.Duration = DefaultRollbackWindow
	}
	if out.Migrations.Timeout.Duration == 0 {
		out.Migrations.Timeout.Duration = DefaultMigrationTimeout
	}
	defaultProbe(&out.Probes.Readiness)
	defaultProbe(&out.Probes.Liveness)
	for i := range out.Analysis.PrePromotion {
		defaultCheck(&out.Analysis.PrePromotion[i])
	}
	for i := range out.Analysis.PostPromotion.Checks {
		defaultCheck(&out.Analysis.PostPromotion.Checks[i])
	}
	return out
}

func defaultProbe(p *ProbeTiming) {
	if p.PeriodSeconds == 0 {
		p.PeriodSeconds = 5
	}
	if p.FailureThreshold == 0 {
		p.FailureThreshold = 3
	}
	if p.TimeoutSeconds == 0 {
		p.TimeoutSeconds = 2
	}
}

func defaultCheck(c *AnalysisCheck) {
	if c.Interval.Duration == 0 {
		c.Interval.Duration = DefaultCheckInterval
	}
	if c.InconclusiveLimit == nil {
		n := int32(DefaultInconclusiveLimit)
		c.InconclusiveLimit = &n
	}
	if c.Count == 0 {
		c.Count = 1
	}
	if c.Job != nil && c.Job.Timeout.Duration == 0 {
		c.Job.Timeout.Duration = DefaultJobCheckTimeout
	}
	if c.Web != nil && c.Web.Timeout.Duration == 0 {
		c.Web.Timeout.Duration = DefaultHTTPCheckTimeout
	}
	if c.Metrics != nil && c.Metrics.Timeout.Duration == 0 {
		c.Metrics.Timeout.Duration = DefaultHTTPCheckTimeout
	}
}
