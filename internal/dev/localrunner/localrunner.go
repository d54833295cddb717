// Package localrunner runs, as local processes, the pods that Jobs mark
// with the label platform.bellwork.dev/run-locally, and reports their
// status into the API as a kubelet would. The local control plane has no
// kubelet (kwok only simulates pods, and leaves these out), so this is how
// migration, backup, verification and smoke Jobs really run under make run.
//
// A pod's first container is run: its command and args, with the container
// image ignored; the command's first word is looked up in Binaries (e.g.
// "lms" → bin/lms) and then on PATH. Environment variables come from the
// container's env, including Secret and ConfigMap references.
package localrunner

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Label marks pods (through a Job's pod template) that run locally.
const Label = "platform.bellwork.dev/run-locally"

// Runner runs marked pods.
type Runner struct {
	Client kubernetes.Interface
	// Binaries maps command names to local paths.
	Binaries map[string]string
	// LogDir receives each pod's output as <namespace>_<pod>.log.
	LogDir string
	Log    *slog.Logger

	mu      sync.Mutex
	started map[string]bool
}

// Run watches marked pods until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	r.started = map[string]bool{}
	factory := informers.NewSharedInformerFactoryWithOptions(r.Client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = Label + "=true" }))
	inf := factory.Core().V1().Pods().Informer()
	handle := func(obj any) {
		if pod, ok := obj.(*corev1.Pod); ok {
			r.consider(ctx, pod)
		}
	}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: handle, UpdateFunc: func(_, cur any) { handle(cur) }}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	<-ctx.Done()
	return nil
}

// consider starts a scheduled, pending pod once; a pod this process did not
// start but that claims to run was orphaned by a restart and is failed.
func (r *Runner) consider(ctx context.Context, pod *corev1.Pod) {
	if pod.Spec.NodeName == "" || pod.DeletionTimestamp != nil || len(pod.Spec.Containers) == 0 {
		return
	}
	key := pod.Namespace + "/" + pod.Name + "/" + string(pod.UID)
	r.mu.Lock()
	if r.started[key] {
		r.mu.Unlock()
		return
	}
	switch pod.Status.Phase {
	case corev1.PodPending, "":
		r.started[key] = true
		r.mu.Unlock()
		go r.run(ctx, pod.DeepCopy())
	case corev1.PodRunning:
		r.started[key] = true
		r.mu.Unlock()
		r.finish(ctx, pod.DeepCopy(), time.Now(), -1, "RunnerRestarted", "the local runner restarted while this pod ran; its outcome is unknown")
	default:
		r.mu.Unlock()
	}
}

func (r *Runner) run(ctx context.Context, pod *corev1.Pod) {
	c := pod.Spec.Containers[0]
	argv := slices.Concat(c.Command, c.Args)
	start := time.Now()
	if len(argv) == 0 {
		r.finish(ctx, pod, start, 127, "NoCommand", "the container has no command; a locally run pod must name one")
		return
	}
	env, err := r.environment(ctx, pod.Namespace, c)
	if err != nil {
		r.finish(ctx, pod, start, 126, "CreateContainerConfigError", err.Error())
		return
	}
	path := argv[0]
	if local, ok := r.Binaries[path]; ok {
		path = local
	} else if found, err := exec.LookPath(path); err == nil {
		path = found
	} else {
		r.finish(ctx, pod, start, 127, "CommandNotFound", fmt.Sprintf("%s is neither a known local binary nor on PATH", argv[0]))
		return
	}
	if err := r.markRunning(ctx, pod, start); err != nil {
		r.Log.Error("Could not mark pod running", "pod", pod.Namespace+"/"+pod.Name, "err", err)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, path, argv[1:]...)
	cmd.Env = env
	if c.WorkingDir != "" {
		cmd.Dir = c.WorkingDir
	}
	var logFile *os.File
	if r.LogDir != "" {
		_ = os.MkdirAll(r.LogDir, 0o755)
		logFile, _ = os.Create(filepath.Join(r.LogDir, pod.Namespace+"_"+pod.Name+".log"))
	}
	if logFile != nil {
		defer logFile.Close()
		cmd.Stdout, cmd.Stderr = io2(&out, logFile), io2(&out, logFile)
	} else {
		cmd.Stdout, cmd.Stderr = &out, &out
	}
	r.Log.Info("Started local pod", "pod", pod.Namespace+"/"+pod.Name, "command", strings.Join(argv, " "))
	err = cmd.Run()
	code := 0
	if err != nil {
		code = 1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	reason := "Completed"
	if code != 0 {
		reason = "Error"
	}
	r.finish(context.WithoutCancel(ctx), pod, start, code, reason, tail(out.String(), 1024))
}

func io2(a *bytes.Buffer, b *os.File) *multiWriter { return &multiWriter{a, b} }

type multiWriter struct {
	buf  *bytes.Buffer
	file *os.File
}

func (m *multiWriter) Write(p []byte) (int, error) {
	m.buf.Write(p)
	return m.file.Write(p)
}

// environment resolves the container's env like a kubelet, on top of PATH and HOME.
func (r *Runner) environment(ctx context.Context, ns string, c corev1.Container) ([]string, error) {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil {
			switch {
			case e.ValueFrom.SecretKeyRef != nil:
				ref := e.ValueFrom.SecretKeyRef
				s, err := r.Client.CoreV1().Secrets(ns).Get(ctx, ref.Name, metav1.GetOptions{})
				if err != nil {
					return nil, fmt.Errorf("env %s: Secret %s: %w", e.Name, ref.Name, err)
				}
				data, ok := s.Data[ref.Key]
				if !ok {
					return nil, fmt.Errorf("env %s: Secret %s has no key %s", e.Name, ref.Name, ref.Key)
				}
				v = string(data)
			case e.ValueFrom.ConfigMapKeyRef != nil:
				ref := e.ValueFrom.ConfigMapKeyRef
				cm, err := r.Client.CoreV1().ConfigMaps(ns).Get(ctx, ref.Name, metav1.GetOptions{})
				if err != nil {
					return nil, fmt.Errorf("env %s: ConfigMap %s: %w", e.Name, ref.Name, err)
				}
				v = cm.Data[ref.Key]
			default:
				return nil, fmt.Errorf("env %s: only values and Secret or ConfigMap references run locally", e.Name)
			}
		}
		env = append(env, e.Name+"="+v)
	}
	return env, nil
}

func (r *Runner) markRunning(ctx context.Context, pod *corev1.Pod, start time.Time) error {
	now := metav1.NewTime(start)
	c := pod.Spec.Containers[0]
	pod.Status.Phase = corev1.PodRunning
	pod.Status.StartTime = &now
	pod.Status.HostIP, pod.Status.PodIP = "127.0.0.1", "127.0.0.1"
	pod.Status.Conditions = []corev1.PodCondition{
		{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
		{Type: corev1.ContainersReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
	}
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: c.Name, Image: c.Image, Ready: true, Started: ptr(true),
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}}}
	_, err := r.Client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	return err
}

// finish reports the outcome as the kubelet would: phase, and the
// container's terminated state with exit code and the output's tail.
func (r *Runner) finish(ctx context.Context, pod *corev1.Pod, start time.Time, code int, reason, message string) {
	for attempt := 0; attempt < 5; attempt++ {
		cur, err := r.Client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			r.Log.Error("Could not read pod to report its end", "pod", pod.Namespace+"/"+pod.Name, "err", err)
			return
		}
		now := metav1.Now()
		phase := corev1.PodSucceeded
		if code != 0 {
			phase = corev1.PodFailed
		}
		c := cur.Spec.Containers[0]
		cur.Status.Phase = phase
		cur.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: now, Reason: "PodCompleted"}}
		cur.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: c.Name, Image: c.Image, State: corev1.ContainerState{
			Terminated: &corev1.ContainerStateTerminated{ExitCode: int32(code), Reason: reason, Message: message,
				StartedAt: metav1.NewTime(start), FinishedAt: now}}}}
		if _, err := r.Client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, cur, metav1.UpdateOptions{}); err == nil {
			r.Log.Info("Finished local pod", "pod", pod.Namespace+"/"+pod.Name, "exitCode", code)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	r.Log.Error("Could not report a local pod's end", "pod", pod.Namespace+"/"+pod.Name)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

func ptr[T any](v T) *T { return &v }
