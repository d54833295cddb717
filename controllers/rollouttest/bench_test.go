//go:build e2e

package rollouttest

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
)

// benchFleets is how many lmsdeploys (and plain Deployments) the benchmark runs.
const benchFleets = 4

// BenchmarkRolloutToPromotion changes the image of several lmsdeploys with
// analysis off and times the spec change to promotion (expand migrations
// for both tenants, a Ready preview, the full set Ready, the switch); in
// the same run it times as many plain apps/v1 Deployments of the same pod
// template becoming Ready, and prints both and their ratio. make bench runs it.
func BenchmarkRolloutToPromotion(b *testing.B) {
	ctx := context.Background()
	for i := range b.N {
		var fleets []*fleet
		for n := range benchFleets {
			f := newFleetB(b, fmt.Sprintf("bench%d-%d", i, n))
			fleets = append(fleets, f)
		}
		for _, f := range fleets {
			f.servingB(b, lmsV1)
		}
		start := time.Now()
		for _, f := range fleets {
			f.rollTo(lmsV2)
		}
		for _, f := range fleets {
			f.waitFor("promotion", 5*time.Minute, func(d *platformv1.Deployment) bool {
				return d.Status.Active != nil && d.Status.Active.Revision == 2
			})
		}
		rollout := time.Since(start)

		// The baseline: plain Deployments of the same pod template.
		start = time.Now()
		var plain []*appsv1.Deployment
		for n, f := range fleets {
			d := f.get()
			dep := builders.BuildColorDeployment(d, platformv1.ColorStatus{Color: platformv1.Blue, Revision: 9, Image: d.Spec.Image, TemplateHash: "plain"},
				d.Spec.Replicas, builders.LMSOptions{DirectoryNamespace: lmsNamespace, RunLocally: true})
			dep.Name, dep.OwnerReferences = fmt.Sprintf("plain%d-%d", i, n), nil
			dep.Spec.Selector.MatchLabels[builders.InstanceLabel] = dep.Name
			dep.Spec.Template.Labels[builders.InstanceLabel] = dep.Name
			if err := env.Client.Create(ctx, dep); err != nil {
				b.Fatal(err)
			}
			plain = append(plain, dep)
		}
		for _, dep := range plain {
			eventually(b, 5*time.Minute, func() (bool, string) {
				var have appsv1.Deployment
				if err := env.Client.Get(ctx, client.ObjectKeyFromObject(dep), &have); err != nil {
					return false, err.Error()
				}
				return have.Status.ReadyReplicas == *dep.Spec.Replicas, fmt.Sprintf("%s: %d Ready", dep.Name, have.Status.ReadyReplicas)
			})
		}
		baseline := time.Since(start)
		b.ReportMetric(rollout.Seconds(), "rollout-s")
		b.ReportMetric(baseline.Seconds(), "plain-deployments-s")
		fmt.Printf("\n%d lmsdeploys from a spec change to promotion (analysis off): %s; %d plain apps/v1 Deployments to Ready: %s; ratio %.1fx\n",
			benchFleets, rollout.Round(10*time.Millisecond), benchFleets, baseline.Round(10*time.Millisecond), rollout.Seconds()/baseline.Seconds())
	}
}
