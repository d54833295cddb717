// Package serviceproxy is make run's kube-proxy: it gives each Service
// annotated platform.bellwork.dev/local-port an address on 127.0.0.1 at
// that port and forwards every connection to one of the Service's Ready
// endpoints (round robin), following them as they change. A connection
// stays with the endpoint it was given: switching a Service's selector (a
// blue-green promotion) sends new connections to the new pods and leaves
// those in flight alone. A dial that fails (a pod that just stopped) is
// retried on the next endpoint before the client sees anything.
//
// The endpoints are worked out as the EndpointSlice controller does (the
// Ready, not terminating pods the selector matches, at the target port)
// rather than read from EndpointSlices: local pods have loopback IPs
// (127.0.0.N, see internal/dev/localrunner), and the API server refuses
// loopback addresses in EndpointSlices.
package serviceproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"bellwork.dev/bellwork/internal/builders"
)

// Annotation names the local port of a Service.
const Annotation = builders.LocalPortAnnotation

// Proxy serves annotated Services locally.
type Proxy struct {
	Client kubernetes.Interface
	// Host is the address listeners bind; 127.0.0.1 when empty.
	Host string
	Log  *slog.Logger
	// DialTimeout bounds each attempt to reach an endpoint.
	DialTimeout time.Duration
	// Connected, when set, is told which endpoint each client connection
	// was piped to before any byte flows, so a test can tell which pod
	// answered a request without the app saying so.
	Connected func(service string, client, endpoint net.Addr)

	mu       sync.Mutex
	services map[string]*service // by namespace/name
	pods     cache.Indexer
}

type service struct {
	key      string
	port     int
	svcPort  corev1.ServicePort
	selector labels.Selector
	listener net.Listener
	next     int
}

// Run proxies until ctx ends; connections in flight are then closed.
func (p *Proxy) Run(ctx context.Context) error {
	if p.Host == "" {
		p.Host = "127.0.0.1"
	}
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	if p.DialTimeout == 0 {
		p.DialTimeout = 2 * time.Second
	}
	p.services = map[string]*service{}
	factory := informers.NewSharedInformerFactory(p.Client, 0)
	svcInf := factory.Core().V1().Services().Informer()
	// The factory's pod informer indexes by namespace already.
	p.pods = factory.Core().V1().Pods().Informer().GetIndexer()
	sync := func(obj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		if svc, ok := obj.(*corev1.Service); ok {
			p.syncService(ctx, svc.Namespace+"/"+svc.Name, svcInf.GetIndexer())
		}
	}
	if _, err := svcInf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: sync, UpdateFunc: func(_, o any) { sync(o) }, DeleteFunc: sync}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	<-ctx.Done()
	factory.Shutdown()
	p.mu.Lock()
	for _, s := range p.services {
		s.listener.Close()
	}
	p.mu.Unlock()
	return nil
}

// syncService opens, moves or closes the listener of a Service to match
// its annotation.
func (p *Proxy) syncService(ctx context.Context, key string, store cache.Store) {
	obj, exists, _ := store.GetByKey(key)
	port := 0
	var svc *corev1.Service
	if exists {
		svc = obj.(*corev1.Service)
		port, _ = strconv.Atoi(svc.Annotations[Annotation])
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.services[key]
	if cur != nil && (port == 0 || cur.port != port) {
		cur.listener.Close()
		delete(p.services, key)
		p.Log.Info("Stopped serving Service", "service", key, "port", cur.port)
		cur = nil
	}
	if port == 0 || len(svc.Spec.Ports) == 0 {
		return
	}
	selector := labels.Nothing()
	if len(svc.Spec.Selector) > 0 {
		selector = labels.SelectorFromSet(svc.Spec.Selector)
	}
	if cur != nil {
		cur.svcPort, cur.selector = svc.Spec.Ports[0], selector
		return
	}
	l, err := net.Listen("tcp", net.JoinHostPort(p.Host, strconv.Itoa(port)))
	if err != nil {
		p.Log.Error("Could not serve Service", "service", key, "port", port, "err", err)
		return
	}
	s := &service{key: key, port: port, svcPort: svc.Spec.Ports[0], selector: selector, listener: l}
	p.services[key] = s
	p.Log.Info("Serving Service", "service", key, "address", l.Addr().String())
	go p.accept(ctx, s)
}

func (p *Proxy) accept(ctx context.Context, s *service) {
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				p.Log.Error("Accept failed", "service", s.key, "err", err)
			}
			return
		}
		go p.forward(ctx, s, conn)
	}
}

// Backends are the Ready endpoints of a Service as host:port.
func (p *Proxy) Backends(key string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.services[key]
	if s == nil {
		return nil
	}
	return p.backends(s)
}

// backends are the Ready, not terminating pods the Service selects, at its
// target port; the caller holds p.mu.
func (p *Proxy) backends(s *service) []string {
	ns := s.key[:strings.IndexByte(s.key, '/')]
	objs, _ := p.pods.ByIndex(cache.NamespaceIndex, ns)
	var out []string
	for _, obj := range objs {
		pod := obj.(*corev1.Pod)
		if pod.DeletionTimestamp != nil || pod.Status.PodIP == "" || !ready(pod) || !s.selector.Matches(labels.Set(pod.Labels)) {
			continue
		}
		if port := targetPort(pod, s.svcPort); port > 0 {
			out = append(out, net.JoinHostPort(pod.Status.PodIP, strconv.Itoa(port)))
		}
	}
	sort.Strings(out)
	return out
}

func ready(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// targetPort resolves a Service port's target on a pod: a number, or a
// container port's name.
func targetPort(pod *corev1.Pod, sp corev1.ServicePort) int {
	tp := sp.TargetPort
	if tp.StrVal == "" {
		if tp.IntVal == 0 {
			return int(sp.Port)
		}
		return int(tp.IntVal)
	}
	for _, c := range pod.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == tp.StrVal {
				return int(cp.ContainerPort)
			}
		}
	}
	return 0
}

// forward pipes a client connection to an endpoint, trying the next one
// when a dial fails.
func (p *Proxy) forward(ctx context.Context, s *service, client net.Conn) {
	defer client.Close()
	backend, err := p.dial(ctx, s)
	if err != nil {
		p.Log.Error("No endpoint answered", "service", s.key, "err", err)
		return
	}
	defer backend.Close()
	if p.Connected != nil {
		p.Connected(s.key, client.RemoteAddr(), backend.RemoteAddr())
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tcp, ok := dst.(*net.TCPConn); ok {
			_ = tcp.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(backend, client)
	go pipe(client, backend)
	select {
	case <-done:
		<-done
	case <-ctx.Done():
	}
}

func (p *Proxy) dial(ctx context.Context, s *service) (net.Conn, error) {
	// Endpoints can be empty for a moment during a switch; wait a little
	// for them rather than refuse the client.
	deadline := time.Now().Add(5 * time.Second)
	var lastErr error
	for {
		p.mu.Lock()
		backends := p.backends(s)
		start := s.next
		s.next++
		p.mu.Unlock()
		for i := range backends {
			addr := backends[(start+i)%len(backends)]
			d := net.Dialer{Timeout: p.DialTimeout}
			conn, err := d.DialContext(ctx, "tcp", addr)
			if err == nil {
				return conn, nil
			}
			lastErr = err
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			if lastErr == nil {
				lastErr = fmt.Errorf("no Ready endpoint")
			}
			return nil, lastErr
		}
		time.Sleep(100 * time.Millisecond)
	}
}
