//go:build e2e

package rollouttest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/dev/fakelms"
)

var tenantsOnce sync.Once

// tenants makes two districts on the test's Postgres, published in the
// directory, once per run.
func tenants(t testing.TB) []string {
	t.Helper()
	names := []string{"alpha", "beta"}
	tenantsOnce.Do(func() {
		for _, n := range names {
			tn := &platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: n, Labels: map[string]string{"fleet": "test"}},
				Spec: platformv1.TenantSpec{DisplayName: "District " + n, Hosts: []string{n + ".localhost"}, TimeZone: "America/Chicago",
					Admins: []string{"admin@" + n + ".org"},
					Database: platformv1.TenantDatabase{External: &platformv1.ExternalDatabase{Host: pg.Host, Port: int32(pg.Port),
						AdminSecret: adminSecret, AdminSecretNamespace: lmsNamespace, SSLMode: "disable"}}}}
			if err := env.Client.Create(context.Background(), tn); err != nil {
				t.Fatal(err)
			}
		}
	})
	for _, n := range names {
		eventually(t, 2*time.Minute, func() (bool, string) {
			var s corev1.Secret
			err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: lmsNamespace, Name: "bellwork-tenant-" + n}, &s)
			return err == nil, fmt.Sprintf("directory entry of %s: %v", n, err)
		})
	}
	return names
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// fleet is an lmsdeploy under test with its local ports.
type fleet struct {
	t               testing.TB
	name            string
	active, preview string // base URLs through the local proxy
	logDir          string
}

// newFleet creates an lmsdeploy of image serving the test tenants, fast
// settings, no windows; mutate adjusts the spec.
func newFleet(t testing.TB, name, image string, mutate func(*platformv1.DeploymentSpec)) *fleet {
	t.Helper()
	tenants(t)
	f := &fleet{t: t, name: name, logDir: t.TempDir()}
	ap, pp := freePort(t), freePort(t)
	f.active, f.preview = "http://127.0.0.1:"+strconv.Itoa(ap), "http://127.0.0.1:"+strconv.Itoa(pp)
	d := &platformv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: lmsNamespace, Annotations: map[string]string{
			builders.LocalActivePortAnnotation: strconv.Itoa(ap), builders.LocalPreviewPortAnnotation: strconv.Itoa(pp)}},
		Spec: platformv1.DeploymentSpec{Image: image, Replicas: 2, PreviewReplicas: 1, AutoPromote: true,
			TenantSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"fleet": "test"}},
			ScaleDownDelay: metav1.Duration{Duration: 2 * time.Second},
			Probes:         platformv1.LMSProbes{Readiness: platformv1.ProbeTiming{PeriodSeconds: 1, FailureThreshold: 1, TimeoutSeconds: 1}},
			Env:            f.env(image, nil)},
	}
	if mutate != nil {
		mutate(&d.Spec)
	}
	if err := env.Client.Create(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return f
}

// newFleetB is a fleet of the fake lms with nothing to analyse, for benchmarks.
func newFleetB(b *testing.B, name string) *fleet {
	return newFleet(b, name, "registry.example/bellwork/fakelms:1", nil)
}

// servingB is serving, for benchmarks.
func (f *fleet) servingB(_ *testing.B, image string) { f.serving(image) }

// env is the fake lms's settings for an image, with extra variables.
func (f *fleet) env(image string, extra map[string]string) []corev1.EnvVar {
	vars := []corev1.EnvVar{{Name: fakelms.EnvFlag, Value: "1"}, {Name: "FAKE_IMAGE", Value: image}, {Name: "FAKE_LOG_DIR", Value: f.logDir},
		{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}}
	for k, v := range extra {
		vars = append(vars, corev1.EnvVar{Name: k, Value: v})
	}
	if !strings.Contains(image, "/fakelms:") {
		return nil // the real lms needs none of the fake's settings
	}
	return vars
}

// update changes the lmsdeploy's spec, retrying on conflicts.
func (f *fleet) update(change func(*platformv1.DeploymentSpec)) {
	f.t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		d := f.get()
		change(&d.Spec)
		return env.Client.Update(context.Background(), d)
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// rollTo changes the image (and the fake's settings with it).
func (f *fleet) rollTo(image string, extra map[string]string) {
	f.update(func(s *platformv1.DeploymentSpec) { s.Image, s.Env = image, f.env(image, extra) })
}

func (f *fleet) get() *platformv1.Deployment {
	f.t.Helper()
	d := &platformv1.Deployment{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: lmsNamespace, Name: f.name}, d); err != nil {
		f.t.Fatal(err)
	}
	return d
}

// waitFor waits until the lmsdeploy's status satisfies ok.
func (f *fleet) waitFor(what string, timeout time.Duration, ok func(*platformv1.Deployment) bool) *platformv1.Deployment {
	f.t.Helper()
	var d *platformv1.Deployment
	eventually(f.t, timeout, func() (bool, string) {
		d = f.get()
		return ok(d), fmt.Sprintf("%s: phase %s, step %s, message %q", what, d.Status.Phase, step(d), d.Status.Message)
	})
	return d
}

func step(d *platformv1.Deployment) platformv1.RolloutStep {
	if d.Status.Rollout == nil {
		return ""
	}
	return d.Status.Rollout.Step
}

// serving waits until the fleet is Healthy on image with no rollout under
// way (the last one completed, or was rolled back to it), and the active
// Service answers from it.
func (f *fleet) serving(image string) *platformv1.Deployment {
	f.t.Helper()
	d := f.waitFor("Healthy on "+image, 3*time.Minute, func(d *platformv1.Deployment) bool {
		r := d.Status.Rollout
		ended := r != nil && (r.Step == platformv1.StepCompleted || r.Step == platformv1.StepRolledBack || r.Step == platformv1.StepAborted)
		return d.Status.Phase == platformv1.DeploymentHealthy && d.Status.Active != nil && d.Status.Active.Image == image && ended && !r.Draining
	})
	eventually(f.t, 30*time.Second, func() (bool, string) {
		if !strings.Contains(image, "/fakelms:") {
			status, err := getHost(f.active+"/signin", "alpha.localhost")
			return err == nil && status == http.StatusOK, fmt.Sprintf("alpha's sign-in page answers %d, %v", status, err)
		}
		body, err := get(f.active + "/")
		return err == nil && strings.HasSuffix(body, " "+image), fmt.Sprintf("active answers %q, %v", body, err)
	})
	return d
}

func (f *fleet) ready() bool {
	c := meta.FindStatusCondition(f.get().Status.Conditions, platformv1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue
}

func get(url string) (string, error) {
	c := http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", res.StatusCode)
	}
	return string(b), err
}

// getHost GETs url with a district's Host and returns the status.
func getHost(url, host string) (int, error) {
	c := http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Host = host
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// client requests the active Service all along and counts failures.
type loadClient struct {
	requests, failures atomic.Int64
	// images maps each image the client was answered by to when it first
	// was (time.Time).
	images sync.Map
	stop   context.CancelFunc
	done   chan struct{}
}

func (f *fleet) load(t *testing.T) *loadClient {
	real := !strings.Contains(f.get().Spec.Image, "/fakelms:")
	ctx, cancel := context.WithCancel(context.Background())
	lc := &loadClient{stop: cancel, done: make(chan struct{})}
	t.Cleanup(func() { cancel(); <-lc.done })
	go func() {
		defer close(lc.done)
		for ctx.Err() == nil {
			var body string
			var err error
			if real {
				var status int
				if status, err = getHost(f.active+"/signin", "alpha.localhost"); err == nil && status != http.StatusOK {
					err = fmt.Errorf("status %d", status)
				}
			} else {
				body, err = get(f.active + "/")
			}
			lc.requests.Add(1)
			if err != nil && ctx.Err() == nil {
				lc.failures.Add(1)
				t.Logf("request to the active Service failed: %v", err)
			} else if i := strings.LastIndexByte(body, ' '); i >= 0 {
				lc.images.LoadOrStore(body[i+1:], time.Now())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return lc
}

// finish stops the client and fails the test on any failed request.
func (lc *loadClient) finish(t *testing.T) {
	t.Helper()
	lc.stop()
	<-lc.done
	t.Logf("continuous client: %d requests to the active Service, %d failed", lc.requests.Load(), lc.failures.Load())
	if lc.failures.Load() > 0 {
		t.Errorf("%d of %d requests to the active Service failed", lc.failures.Load(), lc.requests.Load())
	}
}

// migrations are the fake's recorded migration runs: "tenant phase image".
func (f *fleet) migrations() []string {
	data, _ := os.ReadFile(f.logDir + "/migrations.log")
	return strings.Fields(strings.ReplaceAll(string(data), " ", "|"))
}

func eventually(t testing.TB, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, msg := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s: %s", timeout, msg)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
