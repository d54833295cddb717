package localrunner

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
)

// updateStatus applies change to a fresh read of the pod's status and
// writes it, again on a conflict.
func (r *Runner) updateStatus(ctx context.Context, pod *corev1.Pod, change func(*corev1.Pod)) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := r.Client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if cur.UID != pod.UID {
			return apierrors.NewNotFound(corev1.Resource("pods"), pod.Name)
		}
		change(cur)
		_, err = r.Client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, cur, metav1.UpdateOptions{})
		return err
	})
}

func condition(typ corev1.PodConditionType, ok bool, now metav1.Time) corev1.PodCondition {
	s := corev1.ConditionFalse
	if ok {
		s = corev1.ConditionTrue
	}
	return corev1.PodCondition{Type: typ, Status: s, LastTransitionTime: now}
}

// markRunning reports a started process: Running at ip, Ready at once for
// a Job's pod and after its readiness probe for a server's.
func (r *Runner) markRunning(ctx context.Context, pod *corev1.Pod, start time.Time, ip string, ready bool, restarts ...int32) error {
	now := metav1.NewTime(start)
	var restartCount int32
	if len(restarts) > 0 {
		restartCount = restarts[0]
	}
	return r.updateStatus(ctx, pod, func(cur *corev1.Pod) {
		c := cur.Spec.Containers[0]
		cur.Status.Phase = corev1.PodRunning
		if cur.Status.StartTime == nil {
			cur.Status.StartTime = &now
		}
		cur.Status.HostIP, cur.Status.PodIP = "127.0.0.1", ip
		cur.Status.HostIPs, cur.Status.PodIPs = []corev1.HostIP{{IP: "127.0.0.1"}}, []corev1.PodIP{{IP: ip}}
		cur.Status.Conditions = []corev1.PodCondition{
			condition(corev1.PodScheduled, true, now), condition(corev1.PodInitialized, true, now),
			condition(corev1.PodReady, ready, now), condition(corev1.ContainersReady, ready, now),
		}
		cur.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: c.Name, Image: c.Image, ImageID: c.Image, Ready: ready, Started: ptr(true),
			RestartCount: restartCount, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}}}
	})
}

// setReady reports a readiness change.
func (r *Runner) setReady(ctx context.Context, pod *corev1.Pod, ready bool) error {
	now := metav1.Now()
	return r.updateStatus(ctx, pod, func(cur *corev1.Pod) {
		for i, c := range cur.Status.Conditions {
			if c.Type == corev1.PodReady || c.Type == corev1.ContainersReady {
				if (c.Status == corev1.ConditionTrue) != ready {
					cur.Status.Conditions[i] = condition(c.Type, ready, now)
				}
			}
		}
		for i := range cur.Status.ContainerStatuses {
			cur.Status.ContainerStatuses[i].Ready = ready
		}
	})
}

// finish reports a Job pod's outcome as the kubelet would: phase, and the
// container's terminated state with exit code and the output's tail.
func (r *Runner) finish(ctx context.Context, pod *corev1.Pod, start time.Time, code int, reason, message string) {
	now := metav1.Now()
	err := r.updateStatus(ctx, pod, func(cur *corev1.Pod) {
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
	})
	if err != nil {
		r.Log.Error("Could not report a local pod's end", "pod", pod.Namespace+"/"+pod.Name, "err", err)
		return
	}
	r.Log.Info("Finished local pod", "pod", pod.Namespace+"/"+pod.Name, "exitCode", code)
}

func ptr[T any](v T) *T { return &v }
