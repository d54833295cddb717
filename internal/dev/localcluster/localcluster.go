// Package localcluster runs the local Kubernetes control plane built from
// source by hack/controlplane.sh: etcd and kube-apiserver (through envtest),
// and, for a cluster where workloads progress, kube-controller-manager,
// kube-scheduler and a kwok simulated node. Tests, `make cluster-up` and
// `make run` all start it through this package.
package localcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// NodeName is the simulated node that kwok manages.
const NodeName = "kwok-node-0"

// Options configure a local cluster.
type Options struct {
	// BinDir holds etcd, kube-apiserver, kube-controller-manager,
	// kube-scheduler, kwok and kwok-stages.yaml (see BinDir()).
	BinDir string

	// CRDDirs are folders of CRD YAML installed at start.
	CRDDirs []string

	// StateDir keeps etcd's data, the kubeconfig and component logs. When
	// empty, a temporary folder is used and removed on Stop.
	StateDir string

	// Kubeconfig is where the admin kubeconfig is written; empty means
	// <StateDir>/kubeconfig.
	Kubeconfig string

	// Workloads also starts the controller manager, the scheduler and the
	// simulated node, so Deployments become Ready and CronJobs run Jobs.
	// Without it only the API server runs (enough for API tests).
	Workloads bool

	// Progress receives one line per step; nil discards them.
	Progress io.Writer
}

// Cluster is a running local control plane.
type Cluster struct {
	// Config reaches the API server as a cluster admin.
	Config *rest.Config
	// KubeconfigPath is a kubeconfig file for kubectl and other components.
	KubeconfigPath string

	env      *envtest.Environment
	opts     Options
	tempDir  string
	children []*child
}

type child struct {
	name string
	cmd  *exec.Cmd
	done chan error
}

// Start brings up the control plane and waits until it serves.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if err := checkBinaries(opts); err != nil {
		return nil, err
	}
	c := &Cluster{opts: opts}
	if opts.StateDir == "" {
		dir, err := os.MkdirTemp("", "bellwork-cluster-")
		if err != nil {
			return nil, fmt.Errorf("create state folder: %w", err)
		}
		c.tempDir = dir
		c.opts.StateDir = dir
	}
	if err := os.MkdirAll(filepath.Join(c.opts.StateDir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("create state folder: %w", err)
	}

	fmt.Fprintln(opts.Progress, "Starting etcd and kube-apiserver...")
	c.env = &envtest.Environment{
		BinaryAssetsDirectory: opts.BinDir,
		CRDDirectoryPaths:     opts.CRDDirs,
		ErrorIfCRDPathMissing: true,
		// envtest's default of 20 s is too short on a busy 2-core machine,
		// where a cold kube-apiserver alone can take longer to answer.
		ControlPlaneStartTimeout: 3 * time.Minute,
		ControlPlaneStopTimeout:  time.Minute,
		// Likewise its 10 s for installed CRDs to be served (seen: the
		// platform failing there with the machine's load at 25).
		CRDInstallOptions: envtest.CRDInstallOptions{MaxTime: 2 * time.Minute},
	}
	c.env.ControlPlane.Etcd = &envtest.Etcd{DataDir: filepath.Join(c.opts.StateDir, "etcd")}
	if err := os.MkdirAll(c.env.ControlPlane.Etcd.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create etcd folder: %w", err)
	}
	cfg, err := c.env.Start()
	if err != nil {
		// envtest leaves etcd and kube-apiserver running when a later
		// step (the CRDs) fails.
		_ = c.env.Stop()
		c.cleanup()
		return nil, fmt.Errorf("start etcd and kube-apiserver: %w", err)
	}
	c.Config = cfg

	if err := c.writeKubeconfig(); err != nil {
		_ = c.Stop()
		return nil, err
	}
	fmt.Fprintf(opts.Progress, "API server ready at %s\n", cfg.Host)

	if opts.Workloads {
		if err := c.startWorkloads(ctx); err != nil {
			_ = c.Stop()
			return nil, err
		}
	}
	return c, nil
}

func checkBinaries(opts Options) error {
	need := []string{"etcd", "kube-apiserver"}
	if opts.Workloads {
		need = append(need, "kube-controller-manager", "kube-scheduler", "kwok", "kwok-stages.yaml")
	}
	var missing []string
	for _, name := range need {
		if _, err := os.Stat(filepath.Join(opts.BinDir, name)); err != nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("local control plane binaries missing in %s (%s): run `make controlplane` to build them", opts.BinDir, strings.Join(missing, ", "))
	}
	return nil
}

func (c *Cluster) writeKubeconfig() error {
	user, err := c.env.AddUser(envtest.User{Name: "bellwork-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("create admin user: %w", err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		return fmt.Errorf("render kubeconfig: %w", err)
	}
	c.KubeconfigPath = c.opts.Kubeconfig
	if c.KubeconfigPath == "" {
		c.KubeconfigPath = filepath.Join(c.opts.StateDir, "kubeconfig")
	}
	if err := os.WriteFile(c.KubeconfigPath, data, 0o600); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return nil
}

func (c *Cluster) startWorkloads(ctx context.Context) error {
	kc := "--kubeconfig=" + c.KubeconfigPath
	bin := c.opts.BinDir
	steps := []struct {
		name string
		args []string
	}{
		{"kube-controller-manager", []string{kc, "--leader-elect=false", "--controllers=*,-serviceaccount-token",
			"--use-service-account-credentials=false", "--secure-port=0"}},
		{"kube-scheduler", []string{kc, "--leader-elect=false", "--secure-port=0"}},
		{"kwok", []string{kc, "--config=" + filepath.Join(bin, "kwok-stages.yaml"), "--manage-all-nodes=false",
			"--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake", "--node-ip=127.0.0.1",
			"--node-port=0", "--cidr=10.0.0.1/24",
			// The heartbeat stage we use renews node status only every ten
			// minutes and relies on kwok keeping the node's Lease; without
			// one the node controller marks the node NotReady after ~50s
			// and every pod on it unready for good.
			"--node-lease-duration-seconds=40"}},
	}
	for _, s := range steps {
		fmt.Fprintf(c.opts.Progress, "Starting %s...\n", s.name)
		if err := c.spawn(s.name, filepath.Join(bin, s.name), s.args...); err != nil {
			return err
		}
	}
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return fmt.Errorf("kubernetes client: %w", err)
	}
	if err := ensureNode(ctx, cs); err != nil {
		return err
	}
	fmt.Fprintln(c.opts.Progress, "Waiting for the simulated node to be Ready...")
	return c.waitNodeReady(ctx, cs)
}

func (c *Cluster) spawn(name, path string, args ...string) error {
	logPath := filepath.Join(c.opts.StateDir, "logs", name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open %s log: %w", name, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group: an interrupt at the terminal reaches the
	// supervisor, which then stops the components in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start %s: %w", name, err)
	}
	ch := &child{name: name, cmd: cmd, done: make(chan error, 1)}
	go func() { ch.done <- cmd.Wait(); logFile.Close() }()
	c.children = append(c.children, ch)
	return nil
}

func ensureNode(ctx context.Context, cs kubernetes.Interface) error {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        NodeName,
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
			Labels: map[string]string{
				"type": "kwok", "kubernetes.io/hostname": NodeName, "kubernetes.io/os": "linux",
				"kubernetes.io/arch": "amd64", "node-role.kubernetes.io/agent": "",
			},
		},
		Status: corev1.NodeStatus{
			Allocatable: simulatedCapacity(),
			Capacity:    simulatedCapacity(),
		},
	}
	_, err := cs.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{})
	if err == nil {
		return nil
	}
	if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create simulated node: %w", err)
	}
	return nil
}

func simulatedCapacity() corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("64"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("500"),
	}
}

func (c *Cluster) waitNodeReady(ctx context.Context, cs kubernetes.Interface) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		if exited := c.exitedChild(); exited != "" {
			return fmt.Errorf("%s exited during start; see %s", exited, filepath.Join(c.opts.StateDir, "logs", exited+".log"))
		}
		node, err := cs.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{})
		if err == nil {
			for _, cond := range node.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("simulated node not Ready after 60s; see %s", filepath.Join(c.opts.StateDir, "logs", "kwok.log"))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// exitedChild names a component that has exited, or returns "".
func (c *Cluster) exitedChild() string {
	for _, ch := range c.children {
		select {
		case err := <-ch.done:
			ch.done <- err
			return ch.name
		default:
		}
	}
	return ""
}

// Exited returns a channel that receives the name of the first component
// that exits unexpectedly.
func (c *Cluster) Exited() <-chan string {
	out := make(chan string, 1)
	for _, ch := range c.children {
		go func() {
			err := <-ch.done
			ch.done <- err
			select {
			case out <- ch.name:
			default:
			}
		}()
	}
	return out
}

// LogDir is where component logs are written.
func (c *Cluster) LogDir() string { return filepath.Join(c.opts.StateDir, "logs") }

// Stop stops every component, newest first. Data in a given StateDir is kept.
func (c *Cluster) Stop() error {
	var errs []error
	for i := len(c.children) - 1; i >= 0; i-- {
		ch := c.children[i]
		_ = ch.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-ch.done:
		case <-time.After(10 * time.Second):
			_ = ch.cmd.Process.Kill()
			<-ch.done
		}
	}
	c.children = nil
	if c.env != nil {
		if err := c.env.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop etcd and kube-apiserver: %w", err))
		}
	}
	c.cleanup()
	return errors.Join(errs...)
}

func (c *Cluster) cleanup() {
	if c.tempDir != "" {
		_ = os.RemoveAll(c.tempDir)
	}
}
