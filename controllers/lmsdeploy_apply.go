package controllers

import (
	"context"
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/internal/rollout"
)

// apply makes the colour Deployments, the Services and the PDB match the
// status just written.
func (r *LMSDeployReconciler) apply(ctx context.Context, p *lmsDeployPass) error {
	d := p.d
	w := reconcile.NewWriter(r.Client, r.APIReader, p)
	opts := r.builderOptions()
	want := rollout.Desired(d.Spec, d.Status)
	for _, c := range []platformv1.Color{platformv1.Blue, platformv1.Green} {
		dc, ok := want.Colors[c]
		if !ok {
			continue
		}
		if dc.Replicas == 0 {
			// A colour at zero is scaled down if it exists, never created.
			var have appsv1.Deployment
			if err := w.Get(ctx, client.ObjectKey{Namespace: d.Namespace, Name: d.ColorName(c)}, &have); err != nil {
				if apierrors.IsNotFound(err) {
					continue
				}
				return err
			}
		}
		if _, _, err := reconcile.Ensure(ctx, w, builders.BuildColorDeployment(d, dc.Version, dc.Replicas, opts), syncColor); err != nil {
			return err
		}
	}
	if _, _, err := reconcile.Ensure(ctx, w, builders.BuildActiveService(d, want.Active, opts), syncService); err != nil {
		return err
	}
	if _, _, err := reconcile.Ensure(ctx, w, builders.BuildPreviewService(d, want.Preview, opts), syncService); err != nil {
		return err
	}
	_, _, err := reconcile.Ensure(ctx, w, builders.BuildPodDisruptionBudget(d), func(have, want *policyv1.PodDisruptionBudget) {
		have.Spec.MaxUnavailable, have.Spec.Selector = want.Spec.MaxUnavailable, want.Spec.Selector
	})
	return err
}

// syncColor sets the replicas, and the whole pod template when the colour
// takes another version. The template of a version already running is
// left as it is, so a change of the spec's env (a new revision) never
// reaches the active colour except through a rollout.
func syncColor(have, want *appsv1.Deployment) {
	have.Spec.Replicas = want.Spec.Replicas
	if have.Spec.Template.Labels[builders.HashLabel] != want.Spec.Template.Labels[builders.HashLabel] {
		have.Spec.Template = want.Spec.Template
		have.Spec.Strategy = want.Spec.Strategy
		maps.Copy(have.Labels, want.Labels)
	}
}

func syncService(have, want *corev1.Service) {
	have.Spec.Selector = want.Spec.Selector
	have.Spec.Ports = mergePorts(have.Spec.Ports, want.Spec.Ports)
	if want.Annotations == nil {
		delete(have.Annotations, builders.LocalPortAnnotation)
	}
}

// mergePorts keeps the node ports the API server assigned, taking the rest from want.
func mergePorts(have, want []corev1.ServicePort) []corev1.ServicePort {
	out := make([]corev1.ServicePort, len(want))
	for i, w := range want {
		out[i] = w
		for _, h := range have {
			if h.Name == w.Name {
				out[i].NodePort = h.NodePort
			}
		}
	}
	return out
}
