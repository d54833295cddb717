package localrunner_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"bellwork.dev/bellwork/internal/dev/echoserver"
	"bellwork.dev/bellwork/internal/dev/localrunner"
	"bellwork.dev/bellwork/internal/dev/testenv"
)

func waitUntil(ctx context.Context, t *testing.T, what string, ok func() bool) {
	t.Helper()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func get(url string) (string, error) {
	c := http.Client{Timeout: 3 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

func post(url string) { _, _ = http.Post(url, "text/plain", nil) }

func pods(ctx context.Context, t *testing.T, cs kubernetes.Interface, app string) []corev1.Pod {
	t.Helper()
	list, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		t.Fatal(err)
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

func ready(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// The pods of a marked Deployment run as local processes, each on its own
// loopback address recorded as the pod IP; the readiness probe decides
// Ready; a process that exits is restarted; a deleted pod's process stops.
func TestMarkedDeploymentsRunAsLocalServers(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	env, err := testenv.Start(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Stop()
	cs := kubernetes.NewForConfigOrDie(env.Config)
	runCtx, stopRunner := context.WithCancel(ctx)
	r := &localrunner.Runner{Client: cs, Images: map[string]string{"echoserver": os.Args[0]}, LogDir: t.TempDir(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	runnerDone := make(chan struct{})
	go func() { _ = r.Run(runCtx); close(runnerDone) }()
	defer func() { stopRunner(); <-runnerDone }()

	if err := env.Client.Create(ctx, echoserver.Deployment("default", "blue", 2)); err != nil {
		t.Fatal(err)
	}
	waitUntil(ctx, t, "2 Ready blue pods", func() bool {
		var d appsv1.Deployment
		return env.Client.Get(ctx, client.ObjectKey{Namespace: "default", Name: "blue"}, &d) == nil && d.Status.ReadyReplicas == 2
	})
	ps := pods(ctx, t, cs, "blue")
	ips := map[string]bool{}
	for _, p := range ps {
		ip := p.Status.PodIP
		if !strings.HasPrefix(ip, "127.0.0.") || ip == "127.0.0.1" || ips[ip] {
			t.Fatalf("pod %s has IP %q; want its own 127.0.0.N", p.Name, ip)
		}
		ips[ip] = true
		body, err := get("http://" + ip + ":8080/")
		if err != nil || body != p.Name+" blue" {
			t.Fatalf("pod %s at %s answered %q, %v", p.Name, ip, body, err)
		}
	}

	// Readiness: a pod whose probe fails is no longer Ready.
	first := ps[0]
	post("http://" + first.Status.PodIP + ":8080/unready")
	waitUntil(ctx, t, "the pod whose probe fails to be unready", func() bool {
		p, err := cs.CoreV1().Pods("default").Get(ctx, first.Name, metav1.GetOptions{})
		return err == nil && !ready(*p)
	})

	// A process that exits is restarted, with the pod's restart count up.
	second := ps[1]
	post("http://" + second.Status.PodIP + ":8080/exit")
	waitUntil(ctx, t, "the exited process to be restarted", func() bool {
		p, err := cs.CoreV1().Pods("default").Get(ctx, second.Name, metav1.GetOptions{})
		return err == nil && len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].RestartCount == 1 && ready(*p)
	})
	if body, err := get("http://" + second.Status.PodIP + ":8080/"); err != nil || body != second.Name+" blue" {
		t.Fatalf("restarted pod answered %q, %v", body, err)
	}

	// Scaling down deletes a pod; its process stops and its address is free.
	scale := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"replicas":0}}`))
	if err := env.Client.Patch(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "blue"}}, scale); err != nil {
		t.Fatal(err)
	}
	waitUntil(ctx, t, "the processes of deleted pods to stop", func() bool {
		for ip := range ips {
			if _, err := get("http://" + ip + ":8080/"); err == nil {
				return false
			}
		}
		return true
	})
}
