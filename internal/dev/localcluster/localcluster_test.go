package localcluster_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"bellwork.dev/bellwork/internal/dev/localcluster"
	"bellwork.dev/bellwork/internal/dev/testenv"
)

// The locally built control plane runs workloads: a Deployment's pods land
// on the simulated node and become Ready, and a CronJob creates a Job that
// completes. kubectl talks to it with the written kubeconfig.
func TestControlPlaneRunsWorkloads(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	env, err := testenv.Start(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	}()

	labels := map[string]string{"app": "web"}
	pod := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{
			Containers:    []corev1.Container{{Name: "web", Image: "example/web:1"}},
			RestartPolicy: corev1.RestartPolicyAlways,
		},
	}
	deploy := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](3),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: pod,
		},
	}
	jobPod := pod.DeepCopy()
	jobPod.Labels = map[string]string{"app": "tick"}
	jobPod.Spec.RestartPolicy = corev1.RestartPolicyNever
	cron := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "tick", Namespace: "default"},
		Spec: batchv1.CronJobSpec{
			Schedule:    "* * * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: *jobPod}},
		},
	}
	for _, obj := range []client.Object{deploy, cron} {
		if err := env.Client.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}

	waitFor(ctx, t, "Deployment 3/3 Ready", func() bool {
		var d appsv1.Deployment
		return env.Client.Get(ctx, client.ObjectKeyFromObject(deploy), &d) == nil && d.Status.ReadyReplicas == 3
	})
	readyAt := time.Now()
	// A CronJob fires on the minute, so this can take up to a minute.
	waitFor(ctx, t, "the CronJob's Job to complete", func() bool {
		var jobs batchv1.JobList
		if env.Client.List(ctx, &jobs, client.InNamespace("default")) != nil {
			return false
		}
		for _, j := range jobs.Items {
			if len(j.OwnerReferences) == 1 && j.OwnerReferences[0].Name == "tick" && j.Status.Succeeded > 0 {
				return true
			}
		}
		return false
	})

	// The node controller marks a node NotReady, and its pods unready for
	// good, when its Lease is not renewed for ~50s; kwok must keep it. So
	// the Deployment must still be Ready well past that, read by kubectl.
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "kube-node-lease", Name: localcluster.NodeName}, &coordinationv1.Lease{}); err != nil {
		t.Fatalf("the simulated node has no Lease: %v", err)
	}
	if wait := time.Until(readyAt.Add(70 * time.Second)); wait > 0 {
		time.Sleep(wait)
	}
	out, err := exec.CommandContext(ctx, "kubectl", "--kubeconfig", env.KubeconfigPath, "get", "deployment", "web", "-o", "jsonpath={.status.readyReplicas}").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "3" {
		t.Fatalf("kubectl get deployment a minute later: %v: ready replicas %q", err, out)
	}
}

func waitFor(ctx context.Context, t *testing.T, what string, ok func() bool) {
	t.Helper()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
