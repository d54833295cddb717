//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"bellwork.dev/bellwork/internal/dev/browser"
	"bellwork.dev/bellwork/internal/dev/platform"
)

// kubectl runs the real kubectl against the platform; stdin may be empty.
func kubectl(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("kubectl", append([]string{"--kubeconfig", plat.Kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// kubectlRefused runs kubectl expecting the API server to refuse, and
// returns what kubectl printed.
func kubectlRefused(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("kubectl", append([]string{"--kubeconfig", plat.Kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("kubectl %s succeeded, want a refusal:\n%s", strings.Join(args, " "), out)
	}
	return string(out)
}

var tenantSeq atomic.Int64

// district is a fresh tenant of the running platform.
type district struct {
	Name, Host, Base, AdminEmail string
}

// newTenant applies a Tenant and a School with kubectl, as a platform
// engineer would, and waits for both to be healthy.
func newTenant(t *testing.T, prefix string) *district {
	t.Helper()
	name := fmt.Sprintf("%s-%d-%d", prefix, os.Getpid()%1000, tenantSeq.Add(1))
	d := &district{Name: name, Host: name + ".localhost", AdminEmail: "admin@" + name + ".example"}
	d.Base = fmt.Sprintf("http://%s:%d", d.Host, plat.Opts.LMSPort)
	kubectl(t, fmt.Sprintf(`apiVersion: platform.bellwork.dev/v1
kind: Tenant
metadata:
  name: %s
spec:
  displayName: %s Unified School District
  hosts: [%s]
  timeZone: America/Chicago
  admins: [%s]
  database:
    external:
      host: 127.0.0.1
      port: %d
      adminSecret: %s
      adminSecretNamespace: %s
      sslMode: disable
  reclaimPolicy: Retain
`, name, strings.ToUpper(prefix[:1])+prefix[1:], d.Host, d.AdminEmail, plat.Opts.PostgresPort, platform.AdminSecret, platform.Namespace), "apply", "-f", "-")
	kubectl(t, "", "wait", "--for=condition=Ready", "tenant/"+name, "--timeout=120s")
	kubectl(t, fmt.Sprintf(`apiVersion: platform.bellwork.dev/v1
kind: School
metadata:
  name: middle
  namespace: tenant-%s
spec:
  tenant: %s
  code: SCH-1
  displayName: E2E Middle School
  timeZone: America/Chicago
  gradeBands: [{name: Middle, grades: ["6", "7", "8"]}]
  branding: {primaryColor: "#7c3aed", motto: "Curiosity first"}
  calendar:
    hours: [{days: [Monday, Tuesday, Wednesday, Thursday, Friday], start: "08:00", end: "15:00"}]
`, name, name), "apply", "-f", "-")
	kubectl(t, "", "wait", "--for=condition=Ready", "-n", "tenant-"+name, "school/middle", "--timeout=120s")
	return d
}

// adminLink reads the first admin's one-time sign-in link from the Secret
// the operator keeps in the tenant namespace.
func (d *district) adminLink(t *testing.T) string {
	t.Helper()
	s, err := plat.Kube.CoreV1().Secrets("tenant-"+d.Name).Get(context.Background(), "admin-invitations", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range s.Data {
		return string(v)
	}
	t.Fatal("no invitation link in the Secret")
	return ""
}

// tab is a browser tab with a test's artifacts folder.
type tab struct {
	t   *testing.T
	b   *browser.Browser
	dir string
}

// newTab starts Chromium for a test. When the test fails, the last page's
// screenshot and HTML and the platform's logs are kept beside it.
func newTab(t *testing.T) *tab {
	t.Helper()
	b, err := browser.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tb := &tab{t: t, b: b, dir: filepath.Join(artifacts, t.Name())}
	if err := os.MkdirAll(tb.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			tb.keepEvidence()
		}
		b.Close()
	})
	return tb
}

func (tb *tab) keepEvidence() {
	_ = tb.b.Screenshot(filepath.Join(tb.dir, "failure.png"))
	ctx, cancel := context.WithTimeout(tb.b.Ctx, 5*time.Second)
	defer cancel()
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
		_ = os.WriteFile(filepath.Join(tb.dir, "failure.html"), []byte(html), 0o644)
	}
}

// keepLogsOnFailure registers, at the start of every journey, that a
// failure keeps the platform's logs (operator, the LMS fleet's pods, local
// runner and the control plane's components) from the test's start on,
// whether or not it had opened a browser yet.
func keepLogsOnFailure(t *testing.T) {
	dir := filepath.Join(artifacts, t.Name())
	_ = os.RemoveAll(dir)
	logs := platformLogs()
	offsets := map[string]int64{}
	for _, l := range logs {
		if fi, err := os.Stat(l); err == nil {
			offsets[l] = fi.Size()
		}
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		_ = os.MkdirAll(dir, 0o755)
		for _, l := range platformLogs() {
			data, err := os.ReadFile(l)
			if err != nil {
				continue
			}
			if off := offsets[l]; off <= int64(len(data)) {
				data = data[off:]
			}
			_ = os.WriteFile(filepath.Join(dir, filepath.Base(filepath.Dir(l))+"-"+filepath.Base(l)), data, 0o644)
		}
		t.Logf("logs of this test kept in %s", dir)
	})
}

func platformLogs() []string {
	var out []string
	for _, pattern := range []string{"logs/*.log", "logs/pods/*.log", "cluster/logs/*.log"} {
		m, _ := filepath.Glob(filepath.Join(plat.Opts.StateDir, pattern))
		out = append(out, m...)
	}
	return out
}

func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.b.Ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

// open loads a page and waits for its main landmark.
func (tb *tab) open(url string) {
	tb.t.Helper()
	if err := tb.b.Visit(url); err != nil {
		tb.t.Fatalf("open %s: %v", url, err)
	}
}

// text is the visible text of the page's main landmark.
func (tb *tab) text() string {
	tb.t.Helper()
	s, err := tb.readText()
	if err != nil {
		tb.t.Fatalf("read page: %v", err)
	}
	return s
}

// readText is text for polling loops: a page reloading under the read is
// an error to retry, not a failure.
func (tb *tab) readText() (string, error) {
	ctx, cancel := context.WithTimeout(tb.b.Ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
}

// waitText waits until the page's main text holds phrase, reloading
// nothing: the page's own script refreshes it.
func (tb *tab) waitText(phrase string, timeout time.Duration) {
	tb.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		txt, err := tb.readText()
		if err == nil && strings.Contains(txt, phrase) {
			return
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("page never said %q; last: %v %s", phrase, err, txt)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (tb *tab) location() string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.b.Ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatal(err)
	}
	return s
}

// expect fails unless the page's main text holds every phrase.
func (tb *tab) expect(phrases ...string) {
	tb.t.Helper()
	txt := tb.text()
	for _, p := range phrases {
		if !strings.Contains(txt, p) {
			tb.t.Fatalf("page %s lacks %q; it says:\n%s", tb.location(), p, txt)
		}
	}
}

// shot keeps a screenshot of the current page as <name>.png.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	if err := tb.b.Screenshot(filepath.Join(tb.dir, name+".png")); err != nil {
		tb.t.Fatal(err)
	}
}

// submit fills fields (CSS selector → value, replacing what a field held)
// and clicks the button.
func (tb *tab) submit(fields map[string]string, button string) {
	tb.t.Helper()
	var acts []chromedp.Action[chromedp.Void]
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		acts = append(acts, chromedp.Clear(chromedp.CSS(k)), chromedp.SendKeys(chromedp.CSS(k), fields[k]))
	}
	tb.do(acts...)
	tb.clickAndWait(button)
}

// clickAndWait clicks and waits until the browser has loaded the next page.
func (tb *tab) clickAndWait(selector string) {
	tb.t.Helper()
	tb.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__bwOld = true`))
		return err
	}), chromedp.Click(chromedp.CSS(selector)))
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(tb.b.Ctx, 5*time.Second)
		fresh, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__bwOld !== true && document.readyState === "complete"`))
		cancel()
		if err == nil && fresh {
			return
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("no new page after clicking %s", selector)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// clearCookies signs the browser out of everything.
func (tb *tab) clearCookies() {
	tb.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
}

// setPassword finishes an invitation or reset page: name (if asked) and password twice.
func (tb *tab) setPassword(link, password string) {
	tb.t.Helper()
	tb.open(link)
	fields := map[string]string{"#password": password, "#confirm": password}
	ctx, cancel := context.WithTimeout(tb.b.Ctx, 10*time.Second)
	defer cancel()
	if has, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector("#name")`)); has {
		fields["#name"] = "Dana Admin"
	}
	tb.submit(fields, `button[type="submit"].primary`)
}

var resetLink = regexp.MustCompile(`http://[^\s"<]+/password/reset/[A-Za-z0-9_-]+`)

// mailedResetLink reads the newest reset link sent to an address from the
// LMS's development mailbox.
func (d *district) mailedResetLink(t *testing.T, email string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/dev/mailbox", plat.Opts.LMSPort), nil)
	req.Host = fmt.Sprintf("%s:%d", d.Host, plat.Opts.LMSPort)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			for _, block := range bytes.Split(body, []byte("<article")) {
				if bytes.Contains(block, []byte("To "+email)) {
					if m := resetLink.Find(block); m != nil {
						return string(m)
					}
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no reset link mailed to %s", email)
	return ""
}

func fixtureFiles(t *testing.T) []string { return rosterFiles(t, "oneroster-small") }

// rosterFiles are the CSV files of one of e2e/testdata's OneRoster bundles.
func rosterFiles(t *testing.T, bundle string) []string {
	files, err := filepath.Glob(filepath.Join(root, "e2e", "testdata", bundle, "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatal("test roster missing")
	}
	return files
}

// cookies are the browser's cookies for the current page.
func (tb *tab) cookies() []*network.Cookie {
	tb.t.Helper()
	var out []*network.Cookie
	tb.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{})
		out = res.Cookies
		return err
	}))
	return out
}

// apiIDs reads the ids of a JSON API list ({"items": [{"id": ...}]}) with
// the browser's session.
func (tb *tab) apiIDs(path string) []string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.b.Ctx, 10*time.Second)
	defer cancel()
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`fetch(`+strconv.Quote(path)+`).then(r => r.json()).then(j => j.items.map(i => i.id))`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("GET %s in the browser: %v", path, err)
	}
	return ids
}

// fetchStatus is the HTTP status of a GET from the current page.
func (tb *tab) fetchStatus(path string) int {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.b.Ctx, 10*time.Second)
	defer cancel()
	status, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`fetch(`+strconv.Quote(path)+`).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("GET %s in the browser: %v", path, err)
	}
	return int(status)
}

// fetchText is the body of a GET from the current page, with the browser's session.
func (tb *tab) fetchText(path string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.b.Ctx, 10*time.Second)
	defer cancel()
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+strconv.Quote(path)+`).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("GET %s in the browser: %v", path, err)
	}
	return body
}

// fetchJSON decodes the body of a GET from the current page into v.
func (tb *tab) fetchJSON(path string, v any) {
	tb.t.Helper()
	body := tb.fetchText(path)
	if err := json.Unmarshal([]byte(body), v); err != nil {
		tb.t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}
