package localrunner_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"bellwork.dev/bellwork/internal/dev/localrunner"
	"bellwork.dev/bellwork/internal/dev/testenv"
)

func job(name, script string, env ...corev1.EnvVar) *batchv1.Job {
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: batchv1.JobSpec{BackoffLimit: ptr.To[int32](0), Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{localrunner.Label: "true"}},
			Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{
				Name: "main", Image: "ignored:1", Command: []string{"sh", "-c", script}, Env: env}}},
		}},
	}
}

// Jobs marked to run locally really run: their command sees the env (a
// Secret's value included), a zero exit completes the Job, a non-zero one
// fails it with the exit code and output in the pod's status.
func TestMarkedJobsRunForReal(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	env, err := testenv.Start(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Stop()
	cs := kubernetes.NewForConfigOrDie(env.Config)
	out := t.TempDir()
	marker := filepath.Join(out, "ran")
	r := &localrunner.Runner{Client: cs, LogDir: out, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	go r.Run(ctx)

	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: "default"}, Data: map[string][]byte{"password": []byte("s3cret")}}
	ok := job("ok", `test "$PASSWORD" = s3cret && echo "$GREETING" > "$MARKER"`,
		corev1.EnvVar{Name: "GREETING", Value: "hello"}, corev1.EnvVar{Name: "MARKER", Value: marker},
		corev1.EnvVar{Name: "PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}, Key: "password"}}})
	bad := job("bad", `echo "restore check failed: 3 tables missing"; exit 3`)
	for _, o := range []client.Object{secret, ok, bad} {
		if err := env.Client.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	finished := func(name string, want batchv1.JobConditionType) bool {
		var j batchv1.Job
		if env.Client.Get(ctx, client.ObjectKey{Namespace: "default", Name: name}, &j) != nil {
			return false
		}
		for _, c := range j.Status.Conditions {
			if c.Type == want && c.Status == corev1.ConditionTrue {
				return true
			}
		}
		return false
	}
	for !(finished("ok", batchv1.JobComplete) && finished("bad", batchv1.JobFailed)) {
		select {
		case <-ctx.Done():
			t.Fatal("jobs did not finish")
		case <-time.After(300 * time.Millisecond):
		}
	}
	if data, err := os.ReadFile(marker); err != nil || strings.TrimSpace(string(data)) != "hello" {
		t.Fatalf("the command did not run with its env: %q %v", data, err)
	}
	pods, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "job-name=bad"})
	if err != nil || len(pods.Items) != 1 {
		t.Fatalf("bad job pods: %v %v", pods, err)
	}
	term := pods.Items[0].Status.ContainerStatuses[0].State.Terminated
	if term == nil || term.ExitCode != 3 || !strings.Contains(term.Message, "3 tables missing") {
		t.Fatalf("failed pod status: %+v", pods.Items[0].Status.ContainerStatuses)
	}
}
