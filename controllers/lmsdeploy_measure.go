package controllers

import (
	"context"
	"net/http"

	"bellwork.dev/bellwork/internal/analysis"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/rollout"
)

// measure takes the web and metrics measurements that are due; Job
// checks are Jobs (see jobs) and are observed like migrations.
func (r *LMSDeployReconciler) measure(ctx context.Context, p *lmsDeployPass) error {
	client := r.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	opts := r.builderOptions()
	for _, due := range rollout.DueMeasurements(p.d.Spec, p.d.Status, p.now) {
		c := due.Check
		m := rollout.Measurement{Stage: due.Stage, Check: c.Name}
		switch {
		case c.Web != nil:
			m.Outcome, m.Message = analysis.Web(ctx, client, *c.Web, builders.ExpandURLs(c.Web.URL, p.d, opts))
		case c.Metrics != nil:
			m.Outcome, m.Message = analysis.Metrics(ctx, client, *c.Metrics, builders.ExpandURLs(c.Metrics.URL, p.d, opts))
		default:
			continue
		}
		p.obs.Measurements = append(p.obs.Measurements, m)
	}
	return nil
}

func (r *LMSDeployReconciler) builderOptions() builders.LMSOptions {
	return builders.LMSOptions{DirectoryNamespace: r.Platform.LMSNamespace, RunLocally: r.Options.RunLocally, DevMailboxDir: r.Options.DevMailboxDir,
		DevFilesDir:     r.Options.DevFilesDir,
		LocalActivePort: r.Options.LocalActivePort, LocalPreviewPort: r.Options.LocalPreviewPort}
}
