//go:build e2e

package rollouttest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"bellwork.dev/bellwork/controllers"
	"bellwork.dev/bellwork/internal/dev/fakelms"
	"bellwork.dev/bellwork/internal/dev/localrunner"
	"bellwork.dev/bellwork/internal/dev/pgserver"
	"bellwork.dev/bellwork/internal/dev/serviceproxy"
	"bellwork.dev/bellwork/internal/dev/testenv"
)

const (
	lmsNamespace = "bellwork-system"
	adminSecret  = "pg-admin"
	// probeSecret is the smoke checks' probe account (the fake lms's
	// smoke ignores it; the default check needs one named).
	probeSecret = "lms-probe"
)

var (
	env  *testenv.Env
	pg   *pgserver.Server
	kube kubernetes.Interface
	// clock is the operator's time; tests move it to reach windows.
	clock = &testClock{}
)

type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Set moves the operator's clock to t, from where it runs on; zero puts
// it back to the real time.
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
	if !t.IsZero() {
		c.offset = time.Until(t)
	}
}

func TestMain(m *testing.M) {
	fakelms.RunIfAsked()
	if os.Getenv("BELLWORK_TEST_LOG") != "" {
		log.SetLogger(zap.New(zap.UseDevMode(true)))
	} else {
		log.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	}
	testenv.Main(func() int {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var err error
		if pg, err = pgserver.Start(ctx, pgserver.Options{}); err != nil {
			fmt.Fprintf(os.Stderr, "pgserver: %v\n", err)
			return 1
		}
		defer pg.Stop()
		kube = kubernetes.NewForConfigOrDie(env.Config)
		if err := buildLMS(); err != nil {
			fmt.Fprintf(os.Stderr, "build the lms: %v\n", err)
			return 1
		}
		if err := setup(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "setup: %v\n", err)
			return 1
		}
		var wg sync.WaitGroup
		defer wg.Wait()
		defer cancel()
		defer operator.kill()
		if err := startPlatform(ctx, &wg); err != nil {
			fmt.Fprintf(os.Stderr, "platform: %v\n", err)
			return 1
		}
		return m.Run()
	}, true, &env)
}

func setup(ctx context.Context) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: lmsNamespace}}
	if err := env.Client.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: adminSecret, Namespace: lmsNamespace},
		StringData: map[string]string{"username": pgserver.SuperUser, "password": pg.SuperPassword}}
	if err := env.Client.Create(ctx, s); err != nil {
		return err
	}
	probe := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: probeSecret, Namespace: lmsNamespace},
		StringData: map[string]string{"host": "alpha.localhost", "email": "probe@alpha.org", "password": "not-used-by-the-fake"}}
	return env.Client.Create(ctx, probe)
}

// lmsBinary is the real lms, built for the run: the local kubelet runs it
// for images named lms (fakelms images run this test binary instead).
var lmsBinary string

func buildLMS() error {
	dir, err := os.MkdirTemp("", "bellwork-rollouttest-bin-")
	if err != nil {
		return err
	}
	lmsBinary = filepath.Join(dir, "lms")
	cmd := exec.Command("go", "build", "-o", lmsBinary, "./apps/lms")
	cmd.Dir = env.Root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// startPlatform runs the operator, the local kubelet (the lms image is
// this test binary, acting as fakelms) and the local service proxy.
func startPlatform(ctx context.Context, wg *sync.WaitGroup) error {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("BELLWORK_TEST_LOG") != "" {
		quiet = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	runner := &localrunner.Runner{Client: kube, Images: map[string]string{"fakelms": os.Args[0], "lms": lmsBinary}, Kubeconfig: env.KubeconfigPath, Log: quiet,
		LogDir: os.TempDir() + "/bellwork-rollouttest-pods"}
	proxy := &serviceproxy.Proxy{Client: kube, Log: quiet}
	wg.Add(2)
	go func() { defer wg.Done(); _ = runner.Run(ctx) }()
	go func() { defer wg.Done(); _ = proxy.Run(ctx) }()
	return operator.start()
}

// operator is the operator under test, which a test may kill and start
// again (a new leader starting from the status the old one left).
var operator = &operatorProcess{}

type operatorProcess struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

func (op *operatorProcess) start() error {
	op.mu.Lock()
	defer op.mu.Unlock()
	o := controllers.DefaultOptions()
	o.LMSNamespace, o.OperatorNamespace = lmsNamespace, lmsNamespace
	o.RetryInterval = 200 * time.Millisecond
	o.LMSDeploy.RunLocally = true
	o.LMSDeploy.ResyncInterval = 2 * time.Second
	o.LMSDeploy.Clock = clock.Now
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{Scheme: testenv.Scheme(), Cache: controllers.CacheOptions(),
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: config.Controller{SkipNameValidation: ptr.To(true)}})
	if err != nil {
		return err
	}
	if err := controllers.Setup(mgr, o); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	op.cancel, op.done = cancel, make(chan struct{})
	go func() {
		defer close(op.done)
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "manager: %v\n", err)
		}
	}()
	return nil
}

// kill stops the operator at once, mid-pass or not.
func (op *operatorProcess) kill() {
	op.mu.Lock()
	defer op.mu.Unlock()
	if op.cancel != nil {
		op.cancel()
		<-op.done
		op.cancel = nil
	}
}
