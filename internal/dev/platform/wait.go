package platform

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

func httpGet(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

var tenantGVR = schema.GroupVersionResource{Group: "platform.bellwork.dev", Version: "v1", Resource: "tenants"}

// WaitTenantReady waits until the Tenant's Ready condition is True,
// printing each change of its conditions as progress.
func (p *Platform) WaitTenantReady(ctx context.Context, name string, limit time.Duration) error {
	dyn, err := dynamic.NewForConfig(p.Cluster.Config)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		u, err := dyn.Resource(tenantGVR).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			summary, ready := conditions(u)
			if summary != last {
				fmt.Fprintf(p.Opts.Out, "    tenant %s: %s\n", name, summary)
				last = summary
			}
			if ready {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case c := <-p.exited:
			return fmt.Errorf("%s exited; see its log in %s", c, p.Opts.logs())
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("tenant %s not Ready after %s: %s (kubectl describe tenant %s says more)", name, limit, last, name)
}

func conditions(u *unstructured.Unstructured) (summary string, ready bool) {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	var parts []string
	for _, c := range conds {
		m, _ := c.(map[string]any)
		t, s := fmt.Sprint(m["type"]), fmt.Sprint(m["status"])
		parts = append(parts, t+"="+s)
		if t == "Ready" {
			ready = s == "True"
		}
	}
	if len(parts) == 0 {
		return "waiting for the operator", false
	}
	return strings.Join(parts, " "), ready
}
