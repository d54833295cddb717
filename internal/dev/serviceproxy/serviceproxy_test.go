package serviceproxy_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"bellwork.dev/bellwork/internal/dev/echoserver"
	"bellwork.dev/bellwork/internal/dev/localrunner"
	"bellwork.dev/bellwork/internal/dev/serviceproxy"
	"bellwork.dev/bellwork/internal/dev/testenv"
)

func TestMain(m *testing.M) {
	echoserver.ServeIfAsked()
	os.Exit(m.Run())
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

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

// A marked Service answers on 127.0.0.1 at its annotated port through its
// Ready pods. Switching its selector from blue to green, then scaling blue
// down, drops no request of a client that requests it all along, and a
// request in flight on blue during the switch completes.
func TestBlueGreenSwitchDropsNoRequest(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	env, err := testenv.Start(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Stop()
	cs := kubernetes.NewForConfigOrDie(env.Config)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	runner := &localrunner.Runner{Client: cs, Images: map[string]string{"echoserver": os.Args[0]}, Log: quiet}
	var piped sync.Map // client address -> endpoint address
	proxy := &serviceproxy.Proxy{Client: cs, Log: quiet, Connected: func(service string, client, endpoint net.Addr) {
		if service != "default/echo" {
			t.Errorf("Connected named the Service %q", service)
		}
		piped.Store(client.String(), endpoint.String())
	}}
	wg.Add(2)
	go func() { defer wg.Done(); _ = runner.Run(runCtx) }()
	go func() {
		defer wg.Done()
		if err := proxy.Run(runCtx); err != nil {
			t.Errorf("proxy: %v", err)
		}
	}()

	port := freePort(t)
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "echo", Namespace: "default", Annotations: map[string]string{serviceproxy.Annotation: strconv.Itoa(port)}},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "blue"}, Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}}}}
	for _, o := range []client.Object{echoserver.Deployment("default", "blue", 2), echoserver.Deployment("default", "green", 2), svc} {
		if err := env.Client.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	get := func(c *http.Client, path string) (string, error) {
		res, err := c.Get(url + path)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err == nil && res.StatusCode != 200 {
			err = &net.AddrError{Err: res.Status}
		}
		return string(b), err
	}
	fresh := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	kept := &http.Client{Timeout: 10 * time.Second}
	waitUntil(ctx, t, "the Service to answer from blue", func() bool {
		body, err := get(fresh, "/")
		return err == nil && strings.HasSuffix(body, " blue")
	})
	// Connected says which pod a connection was piped to: here a blue one.
	var local string
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { local = i.Conn.LocalAddr().String() }}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, url+"/", nil)
	res, err := fresh.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	endpoint, ok := piped.Load(local)
	if !ok {
		t.Fatalf("Connected was not told of %s", local)
	}
	ip, _, _ := net.SplitHostPort(endpoint.(string))
	var blue corev1.PodList
	if err := env.Client.List(ctx, &blue, client.InNamespace("default"), client.MatchingLabels{"app": "blue"}); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(blue.Items, func(p corev1.Pod) bool { return p.Status.PodIP == ip }) {
		t.Errorf("Connected piped %s to %s, not to a blue pod", local, endpoint)
	}
	waitUntil(ctx, t, "green to be Ready", func() bool {
		var d appsv1.Deployment
		return env.Client.Get(ctx, client.ObjectKey{Namespace: "default", Name: "green"}, &d) == nil && d.Status.ReadyReplicas == 2
	})

	// Clients request all along: one on a new connection each time, one
	// keeping its connections alive.
	var requests, failures atomic.Int64
	var seen sync.Map
	clientCtx, stopClients := context.WithCancel(ctx)
	var clients sync.WaitGroup
	for _, c := range []*http.Client{fresh, kept} {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for clientCtx.Err() == nil {
				body, err := get(c, "/")
				requests.Add(1)
				if err != nil {
					failures.Add(1)
					t.Logf("request failed: %v", err)
				} else {
					seen.Store(body[strings.LastIndexByte(body, ' ')+1:], true)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	slow := make(chan string, 1)
	go func() {
		body, err := get(fresh, "/slow?ms=3000")
		if err != nil {
			body = "error: " + err.Error()
		}
		slow <- body
	}()
	time.Sleep(500 * time.Millisecond)

	// The switch.
	patch := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"selector":{"app":"green"}}}`))
	if err := env.Client.Patch(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "echo"}}, patch); err != nil {
		t.Fatal(err)
	}
	waitUntil(ctx, t, "new connections to reach green", func() bool {
		body, err := get(fresh, "/")
		return err == nil && strings.HasSuffix(body, " green")
	})
	if body := <-slow; !strings.HasSuffix(body, " blue") {
		t.Errorf("the request in flight on blue during the switch got %q", body)
	}
	scale := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"replicas":0}}`))
	if err := env.Client.Patch(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "blue"}}, scale); err != nil {
		t.Fatal(err)
	}
	waitUntil(ctx, t, "blue's pods to go", func() bool {
		list, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=blue"})
		return err == nil && len(list.Items) == 0
	})
	time.Sleep(time.Second)
	stopClients()
	clients.Wait()
	t.Logf("%d requests through the switch and blue's scale-down, %d failed", requests.Load(), failures.Load())
	if failures.Load() != 0 {
		t.Errorf("%d of %d requests failed", failures.Load(), requests.Load())
	}
	if requests.Load() < 20 {
		t.Errorf("only %d requests were made", requests.Load())
	}
	if backends := proxy.Backends("default/echo"); len(backends) != 2 {
		t.Errorf("backends %v, want green's two pods", backends)
	}
}
