//go:build lmsdeploykit

// Package rollouttest proves lmsdeploy rollouts on the local control plane:
// the scheduler and a kwok node place the pods, the local kubelet runs
// them as processes on their own loopback addresses, the local service
// proxy serves the Services, and the operator (the Tenant, School and
// lmsdeploy controllers) runs in the test.
package rollouttest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
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
	fixed  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fixed.IsZero() {
		return c.fixed
	}
	return time.Now().Add(c.offset)
}

// Set pins the operator's clock; zero lets it run again.
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fixed = t
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
		if err := setup(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "setup: %v\n", err)
			return 1
		}
		var wg sync.WaitGroup
		defer wg.Wait()
		defer cancel()
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
	return env.Client.Create(ctx, s)
}

// startPlatform runs the operator, the local kubelet (the lms image is
// this test binary, acting as fakelms) and the local service proxy.
func startPlatform(ctx context.Context, wg *sync.WaitGroup) error {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("BELLWORK_TEST_LOG") != "" {
		quiet = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	runner := &localrunner.Runner{Client: kube, Images: map[string]string{"lms": os.Args[0]}, Kubeconfig: env.KubeconfigPath, Log: quiet,
		LogDir: os.TempDir() + "/bellwork-rollouttest-pods"}
	proxy := &serviceproxy.Proxy{Client: kube, Log: quiet}
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
	wg.Add(3)
	go func() { defer wg.Done(); _ = runner.Run(ctx) }()
	go func() { defer wg.Done(); _ = proxy.Run(ctx) }()
	go func() {
		defer wg.Done()
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "manager: %v\n", err)
		}
	}()
	return nil
}
