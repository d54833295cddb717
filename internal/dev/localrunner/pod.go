package localrunner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// localPod is one pod's process (restarted as needed for a server pod).
type localPod struct {
	runner   *Runner
	pod      *corev1.Pod
	server   bool
	ip       string
	stopped  chan struct{} // closed when the pod should stop
	stopOnce sync.Once
	done     chan struct{} // closed when its process has ended for good
}

func (p *localPod) name() string { return p.pod.Namespace + "/" + p.pod.Name }

func (p *localPod) run(ctx context.Context) {
	defer close(p.done)
	r := p.runner
	start := time.Now()
	if p.server {
		p.runServer(ctx, start)
		return
	}
	cmd, code, reason, msg := p.prepare(ctx)
	if cmd == nil {
		r.finish(context.WithoutCancel(ctx), p.pod, start, code, reason, msg)
		return
	}
	p.runJob(ctx, cmd, start)
}

// prepare resolves the binary, arguments and environment of the pod's
// first container into a command; on failure it says the exit code,
// reason and message to report.
func (p *localPod) prepare(ctx context.Context) (*exec.Cmd, int, string, string) {
	r := p.runner
	c := p.pod.Spec.Containers[0]
	env, vars, err := r.environment(ctx, p.pod, p.ip, c)
	if err != nil {
		return nil, 126, "CreateContainerConfigError", err.Error()
	}
	argv := slices.Concat(c.Command, c.Args)
	for i := range argv {
		argv[i] = expand(argv[i], vars)
	}
	var path string
	if len(c.Command) == 0 {
		image := imageName(c.Image)
		local, ok := r.Images[image]
		if !ok {
			return nil, 127, "ImageNotRunnable", fmt.Sprintf("image %s names no command and %q is not an image this runner knows", c.Image, image)
		}
		path = local
	} else {
		path = argv[0]
		argv = argv[1:]
		if local, ok := r.Binaries[path]; ok {
			path = local
		} else if found, err := exec.LookPath(path); err == nil {
			path = found
		} else {
			return nil, 127, "CommandNotFound", fmt.Sprintf("%s is neither a known local binary nor on PATH", path)
		}
	}
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	cmd.Dir = c.WorkingDir
	// The process dies with the runner (make run's Ctrl-C), and in its own
	// process group so a terminal's interrupt reaches the runner first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	return cmd, 0, "", ""
}

// imageName is an image reference's last path element without tag or digest.
func imageName(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	if i := strings.Index(ref, ":"); i >= 0 {
		ref = ref[:i]
	}
	return ref
}

func (p *localPod) output(buf *bytes.Buffer) io.Writer {
	if p.runner.LogDir == "" {
		return buf
	}
	_ = os.MkdirAll(p.runner.LogDir, 0o755)
	f, err := os.OpenFile(filepath.Join(p.runner.LogDir, p.pod.Namespace+"_"+p.pod.Name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return buf
	}
	return io.MultiWriter(buf, f)
}

// runJob runs a Job's pod once and reports how it ended.
func (p *localPod) runJob(ctx context.Context, cmd *exec.Cmd, start time.Time) {
	r := p.runner
	if err := r.markRunning(ctx, p.pod, start, "127.0.0.1", true); err != nil {
		r.Log.Error("Could not mark pod running", "pod", p.name(), "err", err)
	}
	var out bytes.Buffer
	w := p.output(&out)
	cmd.Stdout, cmd.Stderr = w, w
	r.Log.Info("Started local pod", "pod", p.name(), "command", strings.Join(cmd.Args, " "))
	code := p.wait(cmd)
	reason := "Completed"
	if code != 0 {
		reason = "Error"
	}
	r.finish(context.WithoutCancel(ctx), p.pod, start, code, reason, tail(out.String(), 1024))
}

// wait runs cmd until it exits or the pod is stopped (SIGTERM, then
// SIGKILL after the grace period), and returns its exit code.
func (p *localPod) wait(cmd *exec.Cmd) int {
	if err := cmd.Start(); err != nil {
		return 127
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-p.stopped:
		_ = cmd.Process.Signal(syscall.SIGTERM)
		grace := 30 * time.Second
		if g := p.pod.Spec.TerminationGracePeriodSeconds; g != nil {
			grace = time.Duration(*g) * time.Second
		}
		select {
		case err = <-exited:
		case <-time.After(grace):
			_ = cmd.Process.Kill()
			err = <-exited
		}
	}
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() >= 0 {
			return ee.ExitCode()
		}
		return 137
	}
	return 1
}

// runServer keeps a server pod's process running and probed until the
// pod is stopped: a process that exits is restarted with back-off, as a
// kubelet does under restartPolicy Always.
func (p *localPod) runServer(ctx context.Context, start time.Time) {
	r := p.runner
	restarts := int32(0)
	for _, cs := range p.pod.Status.ContainerStatuses {
		restarts = cs.RestartCount
	}
	if p.pod.Status.Phase == corev1.PodRunning {
		restarts++ // adopted from an earlier runner: its process is gone
	}
	backoff := time.Second
	for {
		cmd, code, reason, msg := p.prepare(ctx)
		if cmd == nil {
			r.Log.Error("Could not start local pod", "pod", p.name(), "reason", reason, "message", msg, "code", code)
		} else {
			var out bytes.Buffer
			w := p.output(&out)
			cmd.Stdout, cmd.Stderr = w, w
			if err := r.markRunning(ctx, p.pod, time.Now(), p.ip, false, restarts); err != nil {
				r.Log.Error("Could not mark pod running", "pod", p.name(), "err", err)
			}
			r.Log.Info("Started local pod", "pod", p.name(), "ip", p.ip, "command", strings.Join(cmd.Args, " "))
			probeCtx, stopProbes := context.WithCancel(ctx)
			kill := make(chan struct{})
			go p.probe(probeCtx, kill)
			go func() {
				select {
				case <-kill:
					if cmd.Process != nil {
						_ = cmd.Process.Signal(syscall.SIGTERM)
					}
				case <-probeCtx.Done():
				}
			}()
			code = p.wait(cmd)
			stopProbes()
			r.Log.Info("Local pod's process exited", "pod", p.name(), "exitCode", code)
			if p.isStopped() {
				return
			}
			_ = r.setReady(context.WithoutCancel(ctx), p.pod, false)
			if time.Since(start) > time.Minute {
				backoff = time.Second
			}
		}
		restarts++
		select {
		case <-p.stopped:
			return
		case <-time.After(backoff):
		}
		if backoff < 10*time.Second {
			backoff *= 2
		}
		start = time.Now()
	}
}

func (p *localPod) isStopped() bool {
	select {
	case <-p.stopped:
		return true
	default:
		return false
	}
}

// probe runs the container's readiness probe and reports Ready when it
// changes, and its liveness probe, closing kill when it fails for good.
func (p *localPod) probe(ctx context.Context, kill chan<- struct{}) {
	r := p.runner
	c := p.pod.Spec.Containers[0]
	if c.ReadinessProbe == nil {
		_ = r.setReady(ctx, p.pod, true)
	}
	type state struct {
		probe            *corev1.Probe
		next             time.Time
		failures, passes int32
		ready            bool
	}
	now := time.Now()
	var probes []*state
	for _, pr := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
		if pr == nil || pr.HTTPGet == nil {
			probes = append(probes, nil)
			continue
		}
		probes = append(probes, &state{probe: pr, next: now.Add(time.Duration(pr.InitialDelaySeconds) * time.Second)})
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for i, s := range probes {
			if s == nil || time.Now().Before(s.next) {
				continue
			}
			period := time.Duration(max(s.probe.PeriodSeconds, 1)) * time.Second
			s.next = time.Now().Add(period)
			ok := p.httpProbe(ctx, s.probe)
			threshold := max(s.probe.FailureThreshold, 1)
			if ok {
				s.failures = 0
				s.passes++
			} else {
				s.failures++
				s.passes = 0
			}
			if i == 0 { // readiness
				switch {
				case ok && !s.ready && s.passes >= max(s.probe.SuccessThreshold, 1):
					s.ready = true
					_ = r.setReady(ctx, p.pod, true)
				case !ok && s.ready && s.failures >= threshold:
					s.ready = false
					_ = r.setReady(ctx, p.pod, false)
				case !ok && !s.ready:
					// Not yet ready: probe again soon, so a pod becomes
					// Ready as soon as it can serve, not a period later.
					s.next = time.Now().Add(min(period, 500*time.Millisecond))
				}
			} else if !ok && s.failures >= threshold {
				r.Log.Info("Liveness probe failed; restarting", "pod", p.name())
				close(kill)
				return
			}
		}
	}
}

func (p *localPod) httpProbe(ctx context.Context, pr *corev1.Probe) bool {
	g := pr.HTTPGet
	port := g.Port.IntValue()
	if g.Port.StrVal != "" {
		port = 0
		for _, cp := range p.pod.Spec.Containers[0].Ports {
			if cp.Name == g.Port.StrVal {
				port = int(cp.ContainerPort)
			}
		}
	}
	if port == 0 {
		return false
	}
	timeout := time.Duration(max(pr.TimeoutSeconds, 1)) * time.Second
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.ip+":"+strconv.Itoa(port)+g.Path, nil)
	if err != nil {
		return false
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	return res.StatusCode >= 200 && res.StatusCode < 400
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
