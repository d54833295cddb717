// Package localrunner is make run's small kubelet. The local control plane
// has no kubelet (kwok only simulates pods, and leaves the ones marked here
// alone), so this runs, as local processes, the pods labelled
// platform.bellwork.dev/run-locally, and reports their status into the API
// as a kubelet would:
//
//   - Job pods (restartPolicy Never or OnFailure) run once; their exit code
//     and the tail of their output land in the container's terminated state.
//   - Server pods (restartPolicy Always, the LMS fleet's Deployments) each
//     get their own loopback address 127.0.0.N, recorded as the pod IP
//     (Linux routes all of 127/8 to lo); their readiness probe decides the
//     pod's Ready condition, a failing liveness probe restarts them, a
//     process that exits is restarted with back-off, and deleting the pod
//     stops the process (SIGTERM, then SIGKILL after the grace period).
//
// A pod's first container is run: its command and args, or, without a
// command, the binary Images maps the image's name to (the lms binary for
// the LMS image, whatever the tag). The command's first word is looked up
// in Binaries and then on PATH. Environment variables come from the
// container's env, including Secret and ConfigMap references and the pod's
// IP, name and namespace; $(VAR) in command and args expands as in
// Kubernetes. Kubeconfig, when set, is given to every pod as KUBECONFIG,
// standing in for the service account token a kubelet mounts.
package localrunner

import (
	"context"
	"log/slog"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"bellwork.dev/bellwork/internal/builders"
)

// Label marks pods (through a Job's or Deployment's pod template) that run locally.
const Label = builders.RunLocallyLabel

// Runner runs marked pods.
type Runner struct {
	Client kubernetes.Interface
	// Binaries maps command names to local paths.
	Binaries map[string]string
	// Images maps an image's name (its last path element, without tag or
	// digest: "lms" for registry.example/bellwork/lms:1.4) to the local
	// binary that is its entrypoint, for containers that name no command.
	Images map[string]string
	// Kubeconfig is passed to every pod as KUBECONFIG.
	Kubeconfig string
	// LogDir receives each pod's output as <namespace>_<pod>.log.
	LogDir string
	Log    *slog.Logger

	mu   sync.Mutex
	pods map[types.UID]*localPod
	// seen are pods this runner has handled (started, failed or finished).
	seen map[types.UID]bool
	ips  addresses
	wg   sync.WaitGroup
}

// Run watches marked pods until ctx ends, then stops every process it
// started and waits for them.
func (r *Runner) Run(ctx context.Context) error {
	r.pods, r.seen = map[types.UID]*localPod{}, map[types.UID]bool{}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(r.Client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = Label + "=true" }))
	inf := factory.Core().V1().Pods().Informer()
	handle := func(obj any) {
		if pod, ok := obj.(*corev1.Pod); ok {
			r.consider(ctx, pod)
		}
	}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    handle,
		UpdateFunc: func(_, cur any) { handle(cur) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if pod, ok := obj.(*corev1.Pod); ok {
				r.stop(pod.UID)
			}
		},
	}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	<-ctx.Done()
	factory.Shutdown()
	r.mu.Lock()
	for uid := range r.pods {
		go r.stop(uid)
	}
	r.mu.Unlock()
	r.wg.Wait()
	return nil
}

// consider acts on a marked pod once it is scheduled: starts it, adopts a
// server pod left running by an earlier runner, fails a Job pod whose
// outcome an earlier runner took with it, or stops one being deleted.
func (r *Runner) consider(ctx context.Context, pod *corev1.Pod) {
	if pod.DeletionTimestamp != nil {
		r.stop(pod.UID)
		return
	}
	if pod.Spec.NodeName == "" || len(pod.Spec.Containers) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[pod.UID] || ctx.Err() != nil {
		return
	}
	server := pod.Spec.RestartPolicy == corev1.RestartPolicyAlways || pod.Spec.RestartPolicy == ""
	switch pod.Status.Phase {
	case corev1.PodPending, "":
	case corev1.PodRunning:
		if !server {
			r.seen[pod.UID] = true
			go r.finish(context.WithoutCancel(ctx), pod.DeepCopy(), time.Now(), -1, "RunnerRestarted", "the local runner restarted while this pod ran; its outcome is unknown")
			return
		}
	default:
		return
	}
	r.seen[pod.UID] = true
	lp := &localPod{runner: r, pod: pod.DeepCopy(), server: server, stopped: make(chan struct{}), done: make(chan struct{})}
	if server {
		var ports []int32
		for _, cp := range pod.Spec.Containers[0].Ports {
			if cp.Protocol == "" || cp.Protocol == corev1.ProtocolTCP {
				ports = append(ports, cp.ContainerPort)
			}
		}
		ip, err := r.ips.take(pod.UID, pod.Status.PodIP, func(ip string) bool { return portsFree(ip, ports) })
		if err != nil {
			go r.finish(context.WithoutCancel(ctx), pod.DeepCopy(), time.Now(), 1, "NoAddress", err.Error())
			return
		}
		lp.ip = ip
	}
	r.pods[pod.UID] = lp
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		lp.run(ctx)
	}()
}

// stop ends the process of a pod (deleted, or the runner stopping) and
// waits for it.
func (r *Runner) stop(uid types.UID) {
	r.mu.Lock()
	lp, ok := r.pods[uid]
	if ok {
		delete(r.pods, uid)
	}
	r.mu.Unlock()
	if !ok {
		return
	}
	lp.stopOnce.Do(func() { close(lp.stopped) })
	<-lp.done
	r.ips.release(uid)
}
