package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// lms serve answers the kubelet and Prometheus on --probe-addr only: the
// tenant listener, which the Services expose, says 404 to the probe paths.
func TestServeKeepsProbesOffTheTenantListener(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr, probeAddr := freeAddr(t), freeAddr(t)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", addr, "--probe-addr", probeAddr, "--tenant-directory", t.TempDir()})
	}()
	t.Cleanup(func() { cancel(); <-done })
	get := func(url string) (int, string) {
		res, err := http.Get(url)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if status, _ := get("http://" + probeAddr + "/readyz"); status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the probe listener never answered /readyz")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if status, body := get("http://" + probeAddr + path); status != http.StatusOK {
			t.Errorf("probe listener %s: %d %s", path, status, body)
		}
		if status, body := get("http://" + addr + path); status != http.StatusNotFound || strings.Contains(body, "lms_") || strings.Contains(body, `"tenants"`) {
			t.Errorf("tenant listener %s: %d, want 404\n%s", path, status, body)
		}
	}
}
