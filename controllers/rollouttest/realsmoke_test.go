//go:build e2e

package rollouttest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/pkg/directory"
)

// probeAccount accepts the operator's invitation of alpha's admin through
// the active Service, as a person would, and stores the account in a
// Secret the way a platform engineer sets up the smoke check's probe.
func probeAccount(t *testing.T, f *fleet, secret string) {
	t.Helper()
	var inv corev1.Secret
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: "tenant-alpha", Name: "admin-invitations"}, &inv); err != nil {
		t.Fatal(err)
	}
	token := ""
	for _, link := range inv.Data {
		token = builders.InvitationToken(string(link))
	}
	if token == "" {
		t.Fatalf("no invitation link in tenant-alpha/admin-invitations")
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: hostJar{jar}, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method string, form url.Values) (int, string) {
		req, _ := http.NewRequest(method, f.active+directory.InvitationPath+token, strings.NewReader(form.Encode()))
		req.Host = "alpha.localhost"
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := c.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	var page string
	eventually(t, 30*time.Second, func() (bool, string) {
		var status int
		status, page = do(http.MethodGet, nil)
		return status == http.StatusOK, fmt.Sprintf("the invitation page answers %d: %.200s", status, page)
	})
	csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("no CSRF token on the invitation page")
	}
	const password = "probe account password 42"
	if status, body := do(http.MethodPost, url.Values{"_csrf": {csrf[1]}, "name": {"Probe Account"}, "password": {password}, "confirm": {password}}); status != http.StatusSeeOther {
		t.Fatalf("accepting the invitation answered %d: %.300s", status, body)
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: secret, Namespace: lmsNamespace},
		StringData: map[string]string{"host": "alpha.localhost", "email": "admin@alpha.org", "password": password}}
	if err := env.Client.Create(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

// hostJar keeps the LMS's cookies whatever loopback address answered:
// requests go to the proxy's address with the district as Host.
type hostJar struct{ http.CookieJar }

func (j hostJar) key(u *url.URL) *url.URL {
	k := *u
	k.Host = "alpha.localhost"
	return &k
}

func (j hostJar) SetCookies(u *url.URL, cs []*http.Cookie) { j.CookieJar.SetCookies(j.key(u), cs) }

func (j hostJar) Cookies(u *url.URL) []*http.Cookie { return j.CookieJar.Cookies(j.key(u)) }

// The real LMS end to end: the default pre-promotion check, a real
// `lms smoke` Job with the probe account from its Secret, signs in on the
// preview Service and passes; after promotion a post-promotion check fails
// and the operator rolls back by itself, while a client loading a
// district's sign-in page through the active Service sees no failure.
func TestRealLMSSmokeJobAndAutomaticRollback(t *testing.T) {
	const v1, v2 = "registry.example/bellwork/lms:1", "registry.example/bellwork/lms:2"
	health := newEndpoint(t, http.StatusOK, `{"errorRate": 0}`)
	below := platformv1.Number("0.01")
	f := newFleet(t, "realsmoke", v1, nil)
	f.serving(v1)
	probeAccount(t, f, "alpha-probe")
	f.update(func(s *platformv1.DeploymentSpec) {
		s.Analysis.PrePromotion = []platformv1.AnalysisCheck{{Name: "smoke", Job: &platformv1.JobCheck{ProbeAccountSecret: "alpha-probe"}}}
		s.Analysis.PostPromotion = platformv1.PostPromotionAnalysis{Duration: metav1.Duration{Duration: time.Minute},
			Checks: []platformv1.AnalysisCheck{check("errors", platformv1.AnalysisCheck{Web: &platformv1.WebCheck{URL: health.URL,
				JSON: []platformv1.JSONCondition{{Path: "errorRate", LessThan: &below}}}})}}
	})
	load := f.load(t)
	time.Sleep(2 * time.Second)
	f.rollTo(v2, nil)
	d := f.waitFor("post-promotion analysis of revision 2", 3*time.Minute, func(d *platformv1.Deployment) bool {
		return step(d) == platformv1.StepPostPromotionAnalysis && d.Status.Rollout.Revision == 2
	})
	smoke := false
	for _, a := range d.Status.Rollout.Analysis {
		smoke = smoke || (a.Name == "smoke" && a.Stage == platformv1.PrePromotion && a.State == platformv1.AnalysisPassed)
	}
	if !smoke {
		t.Fatalf("the smoke Job did not pass before promotion: %+v", d.Status.Rollout.Analysis)
	}
	health.body.Store(`{"errorRate": 0.2}`)
	d = f.waitFor("the automatic rollback", time.Minute, func(d *platformv1.Deployment) bool {
		return step(d) == platformv1.StepRolledBack && !d.Status.Rollout.Draining
	})
	time.Sleep(time.Second)
	load.finish(t)
	if n := load.requests.Load(); n < 20 {
		t.Errorf("the client made only %d requests", n)
	}
	if d.Status.Active.Image != v1 || d.Status.Phase != platformv1.DeploymentDegraded ||
		!strings.Contains(d.Status.Message, "post-promotion check errors failed: errorRate = 0.2, want below 0.01") {
		t.Errorf("active %+v phase %s message %q", d.Status.Active, d.Status.Phase, d.Status.Message)
	}
	// The smoke Job's own output says what it walked through.
	var jobs corev1.PodList
	if err := env.Client.List(context.Background(), &jobs, client.InNamespace(lmsNamespace),
		client.MatchingLabels{builders.RoleLabel: builders.RoleCheck, builders.CheckLabel: "smoke"}); err != nil || len(jobs.Items) == 0 {
		t.Errorf("smoke Job pods: %v (%d)", err, len(jobs.Items))
	}
	for _, p := range jobs.Items {
		if p.Status.Phase != corev1.PodSucceeded {
			t.Errorf("smoke pod %s is %s", p.Name, p.Status.Phase)
		}
	}
}
