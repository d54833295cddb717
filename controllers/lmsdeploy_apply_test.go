package controllers

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/rollout"
)

// A change of env is a new revision: the active colour keeps the pod
// template of the version it runs (only its replicas follow the spec) until
// a promotion gives it another version.
func TestSyncColorKeepsTheActiveTemplateUntilPromotion(t *testing.T) {
	d := &platformv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "lms", Namespace: "bellwork-system"},
		Spec: platformv1.DeploymentSpec{Image: "lms:1", Replicas: 2, Env: []corev1.EnvVar{{Name: "MODE", Value: "old"}}}}
	active := platformv1.ColorStatus{Color: platformv1.Blue, Revision: 1, Image: "lms:1", TemplateHash: rollout.TemplateHash(d.Spec, "lms:1")}
	have := builders.BuildColorDeployment(d, active, 2, builders.LMSOptions{})

	changed := d.DeepCopy()
	changed.Spec.Env = []corev1.EnvVar{{Name: "MODE", Value: "new"}}
	changed.Spec.Replicas = 4
	syncColor(have, builders.BuildColorDeployment(changed, active, 4, builders.LMSOptions{}))
	if *have.Spec.Replicas != 4 {
		t.Errorf("replicas %d, want 4 in place", *have.Spec.Replicas)
	}
	if env := have.Spec.Template.Spec.Containers[0].Env; !hasEnv(env, "MODE", "old") || hasEnv(env, "MODE", "new") {
		t.Fatalf("the active colour took the new env before promotion: %v", env)
	}

	promoted := platformv1.ColorStatus{Color: platformv1.Blue, Revision: 2, Image: "lms:1", TemplateHash: rollout.TemplateHash(changed.Spec, "lms:1")}
	syncColor(have, builders.BuildColorDeployment(changed, promoted, 4, builders.LMSOptions{}))
	if env := have.Spec.Template.Spec.Containers[0].Env; !hasEnv(env, "MODE", "new") {
		t.Errorf("the colour did not take its new version's env: %v", env)
	}
	if have.Spec.Template.Labels[builders.HashLabel] != promoted.TemplateHash {
		t.Errorf("hash label %q, want %q", have.Spec.Template.Labels[builders.HashLabel], promoted.TemplateHash)
	}
}

func hasEnv(env []corev1.EnvVar, name, value string) bool {
	for _, e := range env {
		if e.Name == name && e.Value == value {
			return true
		}
	}
	return false
}
