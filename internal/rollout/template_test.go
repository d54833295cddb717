package rollout

import (
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// withEnv and withResources change only the pod template's env or resources.
func withEnv(s *platformv1.DeploymentSpec) {
	s.Env = append(s.Env, corev1.EnvVar{Name: "LMS_FEATURE", Value: "on"})
}

func withResources(s *platformv1.DeploymentSpec) {
	s.Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")}
}

// The pod template's hash, which decides whether a rollout starts, follows
// env and resources, and not replicas or the rollout's own settings.
func TestTemplateHashFollowsThePodTemplateOnly(t *testing.T) {
	base := baseSpec("lms:1")
	tests := []struct {
		name    string
		change  func(*platformv1.DeploymentSpec)
		changes bool
	}{
		{"env only", withEnv, true},
		{"resources only", withResources, true},
		{"image", func(s *platformv1.DeploymentSpec) { s.Image = "lms:2" }, true},
		{"replicas", func(s *platformv1.DeploymentSpec) { s.Replicas = 7 }, false},
		{"preview replicas", func(s *platformv1.DeploymentSpec) { s.PreviewReplicas = 3 }, false},
		{"rollout settings", func(s *platformv1.DeploymentSpec) {
			s.AutoPromote = !s.AutoPromote
			s.ScaleDownDelay = metav1.Duration{Duration: time.Hour}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := *base.DeepCopy()
			tc.change(&spec)
			before, after := TemplateHash(base, base.Image), TemplateHash(spec, spec.Image)
			if (before != after) != tc.changes {
				t.Errorf("hash %s -> %s; want a change: %v", before, after, tc.changes)
			}
		})
	}
}

// A change of env alone, or of resources alone, rolls out a new revision
// like an image change does.
func TestEnvOrResourcesChangeStartsARollout(t *testing.T) {
	for name, change := range map[string]func(*platformv1.DeploymentSpec){"env": withEnv, "resources": withResources} {
		t.Run(name, func(t *testing.T) {
			w := deployed(t)
			change(&w.spec)
			w.pass(time.Second)
			r := w.status.Rollout
			if r.Revision != 2 || r.Trigger != platformv1.TriggerSpecChange || r.Image != "lms:1" || r.TemplateHash == w.status.Active.TemplateHash {
				t.Fatalf("a %s change did not start a rollout of revision 2: %+v, active %+v", name, r, w.status.Active)
			}
			w.run(40, 5*time.Second, settledAt(platformv1.StepCompleted))
			if st := w.status; st.Active.Revision != 2 || st.Active.TemplateHash != TemplateHash(w.spec, "lms:1") {
				t.Errorf("after the rollout: active %+v", st.Active)
			}
		})
	}
}

// The history keeps the last 10 rollouts, newest first.
func TestHistoryIsCappedAtTen(t *testing.T) {
	w := deployed(t)
	for i := 2; i <= 13; i++ {
		w.spec.Env = []corev1.EnvVar{{Name: "ROUND", Value: strconv.Itoa(i)}}
		w.run(40, 5*time.Second, func(w *world) bool {
			return w.status.Rollout.Revision == int64(i) && w.status.Rollout.Step == platformv1.StepCompleted
		})
		if w.status.Rollout.Revision != int64(i) || w.status.Rollout.Step != platformv1.StepCompleted {
			t.Fatalf("rollout %d did not complete: %+v", i, w.status.Rollout)
		}
	}
	h := w.status.History
	if len(h) != 10 || h[0].Revision != 13 || h[9].Revision != 4 {
		t.Fatalf("history holds %d records, revisions %d..%d; want 10, 13..4", len(h), h[0].Revision, h[len(h)-1].Revision)
	}
}
