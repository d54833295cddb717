// Package platform brings the whole of Bellwork up on one machine: a
// Postgres cluster of its own, the local Kubernetes control plane with the
// CRDs, the local kubelet (internal/dev/localrunner, which runs Jobs and
// the LMS fleet's pods as local processes on 127.0.0.N), the local service
// proxy (internal/dev/serviceproxy, the fleet's Services on 127.0.0.1),
// the operator, and the sample lmsdeploy: the LMS is the operator's
// workload here as in a cluster, and Up starts no LMS process itself.
// make run and the end-to-end suite both start it through Up.
package platform

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"bellwork.dev/bellwork/internal/dev/alertreceiver"
	"bellwork.dev/bellwork/internal/dev/localcluster"
	"bellwork.dev/bellwork/internal/dev/localrunner"
	"bellwork.dev/bellwork/internal/dev/pgserver"
	"bellwork.dev/bellwork/internal/dev/s3server"
	"bellwork.dev/bellwork/internal/dev/serviceproxy"
)

// Namespace is where the operator and the LMS's directory live.
const Namespace = "bellwork-system"

// AdminSecret holds the local Postgres superuser for external-provider Tenants.
const AdminSecret = "bellwork-postgres-admin"

// FleetSample is the lmsdeploy Up applies: the LMS fleet of config/samples.
const FleetSample = "config/samples/60_deployment.yaml"

// FleetName is the sample lmsdeploy's name (in Namespace).
const FleetName = "lms"

// Options configure a local platform.
type Options struct {
	Root         string // repository root
	StateDir     string // kept between runs: cluster, postgres, logs, mail
	LMSPort      int    // the fleet's active Service on 127.0.0.1
	PreviewPort  int    // the fleet's preview Service on 127.0.0.1
	PostgresPort int
	OperatorPort int // metrics; the health probe takes the next port, the admission webhook the one after
	S3Port       int // the local S3 server for backups; 0 picks a free port
	// AlertReceiverPort is the local alert receiver the sample AlertRules'
	// Secret (config/samples/39_alert_receiver_secret.yaml) points at.
	AlertReceiverPort int
	Out               io.Writer
}

// AlertSigningKey is the sample receiver Secret's signing-key.
const AlertSigningKey = "local-development-signing-key"

// Defaults are make run's settings.
func Defaults(root string) Options {
	return Options{Root: root, StateDir: filepath.Join(root, ".local"), LMSPort: 8080, PreviewPort: 8081,
		PostgresPort: 55432, OperatorPort: 18080, S3Port: 19000, AlertReceiverPort: 9095, Out: os.Stdout}
}

// Platform is a running local platform.
type Platform struct {
	Opts       Options
	Kubeconfig string
	Postgres   *pgserver.Server
	S3         *s3server.Server
	Cluster    *localcluster.Cluster
	Kube       kubernetes.Interface

	// Alerts is the local alert receiver: what it printed so far.
	Alerts *alertreceiver.Receiver

	procs   []*proc
	alerts  *http.Server
	cancel  context.CancelFunc
	exited  chan string
	runDone chan struct{}
}

type proc struct {
	name string
	cmd  *exec.Cmd
	done chan error
}

// Up builds what is missing and starts everything; on error it stops what
// it started. Each step says what it does and how long it took.
func Up(ctx context.Context, o Options) (_ *Platform, err error) {
	p := &Platform{Opts: o, exited: make(chan string, 8)}
	defer func() {
		if err != nil {
			p.Down()
		}
	}()
	if pid, err := os.ReadFile(filepath.Join(o.StateDir, "cluster", "ready")); err == nil {
		if n, _ := strconv.Atoi(string(bytesTrim(pid))); n > 0 && syscall.Kill(n, 0) == nil {
			return nil, fmt.Errorf("the control plane from make cluster-up is running on the same data: stop it with make cluster-down first")
		}
	}
	if err := o.checkPorts(); err != nil {
		return nil, err
	}
	for _, dir := range []string{o.StateDir, o.logs()} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	// The fleet's file store: the LMS's storage probe (and the sample
	// file-storage-down rule) treat a missing folder as storage down.
	if err := os.MkdirAll(o.FilesDir(), 0o700); err != nil {
		return nil, err
	}
	if err := p.step("Building the local control plane (first time: 8 to 25 minutes on 2 cores; then cached)", func() error {
		return o.stream("hack/controlplane.sh", "build")
	}); err != nil {
		return nil, fmt.Errorf("build the control plane: %w (the output above says why; check free disk space with df -h)", err)
	}
	if err := p.step("Building the operator and the LMS", func() error {
		return o.stream("go", "build", "-o", filepath.Join(o.Root, "bin")+"/", "./", "./apps/lms")
	}); err != nil {
		return nil, fmt.Errorf("build the operator and the LMS: %w (the Go compiler's output above says what to fix)", err)
	}
	if err := p.step(fmt.Sprintf("Starting Postgres on 127.0.0.1:%d (data in %s)", o.PostgresPort, filepath.Join(o.StateDir, "postgres")), func() (err error) {
		p.Postgres, err = pgserver.Start(ctx, pgserver.Options{Dir: filepath.Join(o.StateDir, "postgres"), Port: o.PostgresPort, Durable: true})
		return err
	}); err != nil {
		return nil, err
	}
	if err := p.step("Building the local S3 server (first time: about 2 minutes; then cached)", func() error {
		return o.stream("hack/s3server.sh", "build")
	}); err != nil {
		return nil, fmt.Errorf("build the S3 server: %w (the output above says why)", err)
	}
	if err := p.step(fmt.Sprintf("Starting the S3 server for backups (data in %s)", filepath.Join(o.StateDir, "s3")), func() error {
		return p.startS3(ctx)
	}); err != nil {
		return nil, err
	}
	bin, err := localcluster.BinDir(o.Root)
	if err != nil {
		return nil, err
	}
	crds, err := localcluster.CRDDirs(o.Root)
	if err != nil {
		return nil, err
	}
	if err := p.step("Starting the local Kubernetes control plane and installing CRDs", func() (err error) {
		p.Cluster, err = localcluster.Start(ctx, localcluster.Options{BinDir: bin, CRDDirs: crds,
			StateDir: filepath.Join(o.StateDir, "cluster"), Kubeconfig: filepath.Join(o.StateDir, "kubeconfig"), Workloads: true})
		return err
	}); err != nil {
		return nil, fmt.Errorf("start the control plane: %w", err)
	}
	p.Kubeconfig = p.Cluster.KubeconfigPath
	if p.Kube, err = kubernetes.NewForConfig(p.Cluster.Config); err != nil {
		return nil, err
	}
	if err := p.step("Publishing the local Postgres admin Secret", func() error { return p.ensureAdminSecret(ctx) }); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p.cancel = cancel
	p.runDone = make(chan struct{})
	// The local kubelet runs the lms binary for the LMS image, whatever
	// its registry and tag; KUBECONFIG stands in for the service account
	// token the pods would read the directory Secrets with.
	runner := &localrunner.Runner{Client: p.Kube, LogDir: o.PodLogs(), Kubeconfig: p.Kubeconfig,
		Binaries: map[string]string{"lms": o.binary("lms"), "bellwork": o.binary("bellwork")},
		Images:   map[string]string{"lms": o.binary("lms")},
		Log:      slog.New(slog.NewTextHandler(o.logFile("local-runner"), nil))}
	proxy := &serviceproxy.Proxy{Client: p.Kube, Log: slog.New(slog.NewTextHandler(o.logFile("service-proxy"), nil))}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = runner.Run(runCtx) }()
	go func() { defer wg.Done(); _ = proxy.Run(runCtx) }()
	go func() { wg.Wait(); close(p.runDone) }()

	if err := p.step(fmt.Sprintf("Starting the alert receiver on 127.0.0.1:%d (it prints the messages it gets here)", o.AlertReceiverPort), func() error {
		return p.startAlertReceiver()
	}); err != nil {
		return nil, err
	}
	// The operator evaluates AlertRule expressions over its own metrics
	// and (found by itself) the LMS fleet's pods'.
	scrape := []string{"--alert-scrape-target=bellwork-operator=http://127.0.0.1:" + strconv.Itoa(o.OperatorPort) + "/metrics"}
	if err := p.step("Starting the operator (log: "+filepath.Join(o.logs(), "operator.log")+")", func() error {
		return p.spawn("operator", o.binary("bellwork"), append(scrape, "--lms-namespace="+Namespace, "--operator-namespace="+Namespace,
			"--lms-port="+strconv.Itoa(o.LMSPort), "--metrics-bind-address=127.0.0.1:"+strconv.Itoa(o.OperatorPort),
			"--health-probe-bind-address=127.0.0.1:"+strconv.Itoa(o.OperatorPort+1),
			// The API server reaches the webhook of an operator outside the
			// cluster by URL.
			"--webhook-host=127.0.0.1", "--webhook-port="+strconv.Itoa(o.OperatorPort+2),
			"--webhook-url=https://127.0.0.1:"+strconv.Itoa(o.OperatorPort+2),
			// The fleet's pods run on the local kubelet, its Services on
			// the local proxy at these ports, its mail in one folder.
			"--run-locally", "--local-active-port="+strconv.Itoa(o.LMSPort), "--local-preview-port="+strconv.Itoa(o.PreviewPort),
			"--lms-dev-mailbox-dir="+o.MailDir(), "--lms-dev-files-dir="+o.FilesDir(),
			// Backup Jobs run here as local processes, verified against the local Postgres.
			"--backup-run-locally", "--backup-verification-secret="+BackupVerifierSecret)...)
	}); err != nil {
		return nil, err
	}
	if err := p.step("Applying the LMS fleet ("+FleetSample+") and waiting for the operator to run it", func() error {
		if err := p.kubectl(ctx, "apply", "-f", filepath.Join(o.Root, FleetSample)); err != nil {
			return err
		}
		return p.WaitFleetServing(ctx, 4*time.Minute)
	}); err != nil {
		return nil, err
	}
	return p, nil
}

// MailDir holds the mail the LMS fleet sends (one file per message).
func (o Options) MailDir() string { return filepath.Join(o.StateDir, "mail") }

// FilesDir holds the files uploaded to the LMS fleet (attachments,
// submissions): every local pod shares it, as they would share a bucket.
func (o Options) FilesDir() string { return filepath.Join(o.StateDir, "files") }

// PodLogs holds each local pod's output, <namespace>_<pod>.log.
func (o Options) PodLogs() string { return filepath.Join(o.logs(), "pods") }

// kubectl runs the real kubectl against the platform, its output to Out.
func (p *Platform) kubectl(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", p.Kubeconfig}, args...)...)
	cmd.Stdout, cmd.Stderr = p.Opts.Out, p.Opts.Out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("kubectl %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

func (p *Platform) step(what string, fn func() error) error {
	fmt.Fprintf(p.Opts.Out, "==> %s\n", what)
	start := time.Now()
	if err := fn(); err != nil {
		return err
	}
	fmt.Fprintf(p.Opts.Out, "    done in %s\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}

func (o Options) logs() string { return filepath.Join(o.StateDir, "logs") }

func (o Options) binary(name string) string { return filepath.Join(o.Root, "bin", name) }

func (o Options) logFile(name string) io.Writer {
	if f := o.logFileHandle(name); f != nil {
		return f
	}
	return io.Discard
}

// logFileHandle is the log file itself, or nil when it cannot be opened.
func (o Options) logFileHandle(name string) *os.File {
	f, err := os.OpenFile(filepath.Join(o.logs(), name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil
	}
	return f
}

// stream runs a build command in the repository, its output to Out.
func (o Options) stream(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = o.Root
	cmd.Stdout, cmd.Stderr = o.Out, o.Out
	return cmd.Run()
}

// checkPorts fails early, naming the port, when another program holds one.
func (o Options) checkPorts() error {
	ports := map[int]string{o.PostgresPort: "Postgres", o.OperatorPort: "the operator's metrics", o.OperatorPort + 1: "the operator's health probe",
		o.OperatorPort + 2: "the operator's admission webhook", o.AlertReceiverPort: "the alert receiver"}
	if o.S3Port != 0 {
		ports[o.S3Port] = "the S3 server"
	}
	ports[o.LMSPort] = "the LMS fleet's active Service"
	ports[o.PreviewPort] = "the LMS fleet's preview Service"
	for port, what := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			return fmt.Errorf("port %d (for %s) is in use by another program: stop it (ss -ltnp 'sport = :%d' shows which) and run again", port, what, port)
		}
		l.Close()
	}
	return nil
}

func (p *Platform) ensureAdminSecret(ctx context.Context) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}}
	if _, err := p.Kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: AdminSecret, Namespace: Namespace},
		StringData: map[string]string{"username": pgserver.SuperUser, "password": p.Postgres.SuperPassword}}
	_, err := p.Kube.CoreV1().Secrets(Namespace).Create(ctx, s, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		_, err = p.Kube.CoreV1().Secrets(Namespace).Update(ctx, s, metav1.UpdateOptions{})
	}
	return err
}

func (p *Platform) spawn(name, path string, args ...string) error {
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+p.Kubeconfig)
	out := p.Opts.logFile(name)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	pr := &proc{name: name, cmd: cmd, done: make(chan error, 1)}
	go func() {
		pr.done <- cmd.Wait()
		select {
		case p.exited <- name:
		default:
		}
	}()
	p.procs = append(p.procs, pr)
	return nil
}

// startAlertReceiver serves the local alert receiver in this process.
func (p *Platform) startAlertReceiver() error {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p.Opts.AlertReceiverPort))
	if err != nil {
		return err
	}
	p.Alerts = &alertreceiver.Receiver{Out: p.Opts.Out, SigningKey: []byte(AlertSigningKey)}
	p.alerts = &http.Server{Handler: p.Alerts, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.alerts.Serve(l) }()
	return nil
}

// Exited names a component that stopped on its own.
func (p *Platform) Exited() <-chan string { return p.exited }

// Down stops everything it started, newest first; data stays in StateDir.
func (p *Platform) Down() {
	for i := len(p.procs) - 1; i >= 0; i-- {
		pr := p.procs[i]
		_ = pr.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-pr.done:
		case <-time.After(15 * time.Second):
			_ = pr.cmd.Process.Kill()
		}
	}
	p.procs = nil
	if p.alerts != nil {
		_ = p.alerts.Close()
	}
	if p.cancel != nil {
		p.cancel()
		<-p.runDone
	}
	if p.Cluster != nil {
		_ = p.Cluster.Stop()
	}
	if p.S3 != nil {
		_ = p.S3.Stop()
	}
	if p.Postgres != nil {
		_ = p.Postgres.Stop()
	}
}

func bytesTrim(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
