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

// WaitDistrictServed waits until the fleet's active Service answers a
// district's sign-in page: its pods have read the directory entry and
// migrated the district's database.
func (p *Platform) WaitDistrictServed(ctx context.Context, host string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	url := fmt.Sprintf("http://127.0.0.1:%d/signin", p.Opts.LMSPort)
	status, err := 0, error(nil)
	for time.Now().Before(deadline) {
		if status, err = httpGetHost(ctx, url, host); err == nil && status == http.StatusOK {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case c := <-p.exited:
			return fmt.Errorf("%s exited; see its log in %s", c, p.Opts.logs())
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("http://%s:%d/signin did not answer 200 within %s (last: %d, %v; LMS pod logs in %s)", host, p.Opts.LMSPort, limit, status, err, p.Opts.PodLogs())
}

func httpGet(ctx context.Context, url string) (int, error) { return httpGetHost(ctx, url, "") }

func httpGetHost(ctx context.Context, url, host string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return 0, err
	}
	if host != "" {
		req.Host = host
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

var (
	tenantGVR = schema.GroupVersionResource{Group: "platform.bellwork.dev", Version: "v1", Resource: "tenants"}
	fleetGVR  = schema.GroupVersionResource{Group: "platform.bellwork.dev", Version: "v1", Resource: "deployments"}
)

// WaitFleetServing waits until the sample lmsdeploy has an active
// revision and its active Service answers HTTP on LMSPort through the
// local proxy, printing each change of its phase and step as progress. A
// rollout may still be under way, or waiting for a deploy window (a
// second make run re-applies the sample over a patched image): the active
// revision serves meanwhile.
func (p *Platform) WaitFleetServing(ctx context.Context, limit time.Duration) error {
	dyn, err := dynamic.NewForConfig(p.Cluster.Config)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		u, err := dyn.Resource(fleetGVR).Namespace(Namespace).Get(ctx, FleetName, metav1.GetOptions{})
		if err == nil {
			summary, serving := fleetSummary(u)
			if summary != last {
				fmt.Fprintf(p.Opts.Out, "    lmsdeploy %s: %s\n", FleetName, summary)
				last = summary
			}
			if serving {
				// Any answer will do: 127.0.0.1 is no district's host, so
				// the LMS says 404, but the proxy reached a Ready pod.
				if _, err := httpGet(ctx, fmt.Sprintf("http://127.0.0.1:%d/", p.Opts.LMSPort)); err == nil {
					return nil
				}
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
	return fmt.Errorf("the LMS fleet is not serving after %s: %s (kubectl describe lmsdeploy -n %s %s says more; pod logs in %s)",
		limit, last, Namespace, FleetName, p.Opts.PodLogs())
}

func fleetSummary(u *unstructured.Unstructured) (summary string, serving bool) {
	phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
	step, _, _ := unstructured.NestedString(u.Object, "status", "rollout", "step")
	msg, _, _ := unstructured.NestedString(u.Object, "status", "message")
	active, _, _ := unstructured.NestedString(u.Object, "status", "active", "image")
	if phase == "" {
		return "waiting for the operator", false
	}
	summary = "phase " + phase
	if step != "" {
		summary += ", step " + step
	}
	if msg != "" {
		summary += ": " + msg
	}
	return summary, active != ""
}

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
