package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/internal/backup"
	"bellwork.dev/bellwork/pkg/directory"
)

// scrape reads the probe listener's /metrics.
func (d *district) scrape() string {
	d.t.Helper()
	ps := httptest.NewServer(d.srv.ProbeHandler())
	defer ps.Close()
	res, err := http.Get(ps.URL + "/metrics")
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		d.t.Fatal(err)
	}
	return string(b)
}

// series finds a sample line: the metric with exactly these labels (in
// the exposition's sorted order), and returns its value text.
func series(body, metric, labels string) (string, bool) {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(metric+"{"+labels+"}") + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// stuckJob queues a job no worker takes (a queue nobody works), ready
// since age ago.
func (d *district) stuckJob(age time.Duration) {
	d.t.Helper()
	_, err := d.db.Pool().Exec(context.Background(), `INSERT INTO river_job (args, kind, max_attempts, queue, scheduled_at)
		VALUES ('{}', 'health_test_stuck', 1, 'nobody_works_this', now() - make_interval(secs => $1))`, age.Seconds())
	if err != nil {
		d.t.Fatal(err)
	}
}

// onlyTestJobs removes the jobs the district's queue enqueued by itself at
// start (the periodic import expiry and guardian digest), so the queue
// holds only what a test puts there; whether those ran yet depends on
// how busy the machine is.
func (d *district) onlyTestJobs() {
	d.t.Helper()
	if _, err := d.db.Pool().Exec(context.Background(), `DELETE FROM river_job WHERE kind <> 'health_test_stuck'`); err != nil {
		d.t.Fatal(err)
	}
}

// Requests are counted by route pattern (not URL), district and status;
// the health series carry the district too, after real requests and a
// real sample of its database and job queue.
func TestMetricsAreLabelledByTenantAndRoute(t *testing.T) {
	d := newDistrict(t, "labelled")
	// A second district whose database refuses connections: its pages
	// answer 503, a real server error labelled with that district.
	broken := *d.entry
	broken.Tenant, broken.Hosts = "refused", []string{"refused.localhost"}
	broken.Database.Host, broken.Database.Port, broken.Database.DirectHost, broken.Database.DirectPort = "127.0.0.1", 1, "127.0.0.1", 1
	d.srv.Registry.Replace([]*directory.Entry{d.entry, &broken})

	admin, _ := d.session(db.DistrictAdmin)
	for range 3 {
		if res, _ := admin.get("/admin/users/" + d.users[db.Teacher].ID); res.StatusCode != http.StatusOK {
			t.Fatalf("admin user page: %d", res.StatusCode)
		}
	}
	d.client().get("/signin")
	d.client().get("/no/such/page")
	other := &district{t: t, http: d.http, host: "refused.localhost"}
	if res, _ := other.client().get("/signin"); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("district with a refusing database: %d, want 503", res.StatusCode)
	}
	d.onlyTestJobs()
	d.stuckJob(time.Hour)
	d.srv.Health.Sample(context.Background())

	body := d.scrape()
	want := map[string]string{
		`lms_http_requests_total|route="GET /admin/users/{id}",status="200",tenant="labelled"`:    "3",
		`lms_http_requests_total|route="GET /signin",status="200",tenant="labelled"`:              "1",
		`lms_http_requests_total|route="/",status="404",tenant="labelled"`:                        "1",
		`lms_http_requests_total|route="GET /signin",status="503",tenant="refused"`:               "1",
		`lms_http_request_duration_seconds_count|route="GET /admin/users/{id}",tenant="labelled"`: "3",
		`lms_db_up|tenant="labelled"`:                   "1",
		`lms_jobs_queued|tenant="labelled"`:             "1",
		`lms_db_pool_max_connections|tenant="labelled"`: "5",
	}
	for k, v := range want {
		metric, labels, _ := strings.Cut(k, "|")
		got, ok := series(body, metric, labels)
		if !ok || got != v {
			t.Errorf("%s{%s} = %q (present %v), want %s", metric, labels, got, ok, v)
		}
	}
	for _, metric := range []string{"lms_db_ping_seconds", "lms_db_pool_saturation", "lms_jobs_oldest_age_seconds"} {
		if _, ok := series(body, metric, `tenant="labelled"`); !ok {
			t.Errorf("no %s for the district", metric)
		}
	}
	if v, _ := series(body, "lms_jobs_oldest_age_seconds", `tenant="labelled"`); !strings.HasPrefix(v, "36") {
		t.Errorf("oldest job age %s, want about 3600 s", v)
	}
	if !regexp.MustCompile(`(?m)^lms_directory_age_seconds \d`).MatchString(body) {
		t.Error("no lms_directory_age_seconds")
	}
	// The route pattern, never the URL: no user id in any label.
	if strings.Contains(body, d.users[db.Teacher].ID) {
		t.Error("a URL's id leaked into the metrics' labels")
	}
	// The sample rules' expressions read these very series.
	for _, name := range []string{"lms_http_requests_total", "lms_jobs_oldest_age_seconds", "lms_http_request_duration_seconds_bucket"} {
		if !strings.Contains(body, name+"{") {
			t.Errorf("no %s series", name)
		}
	}
}

// /admin/health is for district admins of the district only; it shows
// each check now, an empty state before any history, and once sampled a
// server-drawn SVG chart with no inline style or script.
func TestAdminHealthPage(t *testing.T) {
	d := newDistrict(t, "healthy")
	for _, role := range []db.Role{db.SchoolAdmin, db.Teacher, db.Student, db.Guardian} {
		c, _ := d.session(role)
		if res, _ := c.get("/admin/health"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", role, res.StatusCode)
		}
	}
	if res, _ := d.client().get("/admin/health"); res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusFound {
		t.Errorf("signed out: %d, want a redirect to sign in", res.StatusCode)
	}
	admin, _ := d.session(db.DistrictAdmin)
	d.onlyTestJobs()
	res, body := admin.get("/admin/health")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("district admin: %d", res.StatusCode)
	}
	for _, want := range []string{"No history yet", "Database", "Answering in", "Connection pool", "None waiting", "File storage", "Saving in", `href="/admin/health" aria-current="page"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "<svg") {
		t.Error("a chart before any sample")
	}
	// The school admin's tabs do not offer a page they cannot open.
	sa, _ := d.session(db.SchoolAdmin)
	if _, b := sa.get("/admin/users"); strings.Contains(b, `href="/admin/health"`) {
		t.Error("school admin's tabs link to /admin/health")
	}

	d.srv.Health.Sample(context.Background())
	d.stuckJob(20 * time.Minute)
	d.srv.Health.Sample(context.Background())
	res, body = admin.get("/admin/health")
	if strings.Contains(body, "No history yet") || strings.Count(body, "<svg") != 5 || !strings.Contains(body, "<polyline") {
		t.Errorf("after two samples want five charts, got %d\n%s", strings.Count(body, "<svg"), snippet(body))
	}
	if !regexp.MustCompile(`id="check-jobs"[^>]*>\s*<h2>Background jobs <span class="status status-red">Red`).MatchString(body) ||
		!strings.Contains(body, "What to do:") {
		t.Errorf("a 20-minute-old job should make the job check red with advice\n%s", snippet(body))
	}
	if strings.Contains(body, "style=") || regexp.MustCompile(`<script(?:\s+nonce="[^"]*")?>`).MatchString(body) {
		t.Error("inline style or script on the health page")
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
}

// The sample AlertRules' expressions (config/samples) read series the LMS
// really exports, with the labels they filter on: a renamed metric would
// leave a rule Inactive for ever.
func TestSampleRulesReadExportedSeries(t *testing.T) {
	d := newDistrict(t, "lincoln-usd")
	admin, _ := d.session(db.DistrictAdmin)
	admin.get("/admin/users")
	d.srv.Health.Sample(context.Background())
	body := d.scrape()
	files, err := filepath.Glob("../../../../config/samples/4*_alertrule_*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample rules: %v", err)
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rule struct {
			Spec struct{ Expr string } `json:"spec"`
		}
		if err := yaml.Unmarshal(data, &rule); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if rule.Spec.Expr == "" {
			continue // a typed check
		}
		expr, err := parser.NewParser(parser.Options{}).ParseExpr(rule.Spec.Expr)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, vs := range parser.ExtractSelectors(expr) {
			var name string
			var labels []string
			for _, m := range vs {
				if m.Name == "__name__" {
					name = m.Value
				} else {
					labels = append(labels, m.Name)
				}
			}
			line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `(?:\{[^}]*\})? `).FindString(body)
			if line == "" {
				t.Errorf("%s reads %s, which the LMS does not export", filepath.Base(f), name)
				continue
			}
			for _, l := range labels {
				if !strings.Contains(line, l+`="`) {
					t.Errorf("%s filters %s on %q, which its series lack: %s", filepath.Base(f), name, l, line)
				}
			}
			checked++
		}
	}
	if checked < 3 {
		t.Errorf("checked %d selectors, want the latency, job queue and 5xx rules' (at least 3)", checked)
	}
}

// unlabelled finds a sample line of a metric without labels.
func unlabelled(body, metric string) (string, bool) {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(metric) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// Health means what an SRE needs: a database that stops letting the LMS
// in is down (lms_db_up 0) even while the pool's old sessions still
// answer, and a files folder that is gone is storage down (lms_storage_up
// 0), which /admin/health shows red with what to do. Both recover.
func TestHealthSeesRefusedConnectionsAndUnwritableStorage(t *testing.T) {
	ctx := context.Background()
	d := newDistrict(t, "failing")
	admin, _ := d.session(db.DistrictAdmin)
	if res, _ := admin.get("/admin/users"); res.StatusCode != http.StatusOK {
		t.Fatalf("admin users: %d", res.StatusCode)
	}
	sample := func(what string, want map[string]string) {
		t.Helper()
		d.srv.Health.Sample(ctx)
		body := d.scrape()
		for metric, v := range want {
			got, ok := unlabelled(body, metric)
			if metric == "lms_db_up" {
				got, ok = series(body, metric, `tenant="failing"`)
			}
			if v == "" {
				if ok {
					t.Errorf("%s: %s = %s, want it absent", what, metric, got)
				}
				continue
			}
			if !ok || got != v {
				t.Errorf("%s: %s = %q (present %v), want %s", what, metric, got, ok, v)
			}
		}
	}
	sample("healthy", map[string]string{"lms_db_up": "1", "lms_storage_up": "1"})
	if _, ok := unlabelled(d.scrape(), "lms_storage_check_seconds"); !ok {
		t.Error("no lms_storage_check_seconds while storage is up")
	}

	conn, err := pgx.Connect(ctx, lmstest.Server.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	limit := func(n int) {
		t.Helper()
		if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s CONNECTION LIMIT %d", pgx.Identifier{d.entry.Database.Name}.Sanitize(), n)); err != nil {
			t.Fatal(err)
		}
	}
	limit(0)
	sample("database refusing new connections", map[string]string{"lms_db_up": "0"})
	limit(-1)
	sample("database let in again", map[string]string{"lms_db_up": "1"})

	folder, ok := d.srv.Config.Files.(*backup.FolderStore)
	if !ok {
		t.Fatalf("the harness's files are a %T, want a folder", d.srv.Config.Files)
	}
	if err := os.RemoveAll(folder.Dir); err != nil {
		t.Fatal(err)
	}
	sample("files folder removed", map[string]string{"lms_storage_up": "0", "lms_storage_check_seconds": "", "lms_db_up": "1"})
	_, body := admin.get("/admin/health")
	if !regexp.MustCompile(`id="check-storage"[^>]*>\s*<h2>File storage <span class="status status-red">Red`).MatchString(body) ||
		!strings.Contains(body, "Cannot save files") || !strings.Contains(body, "cannot write to its file storage") {
		t.Errorf("a removed files folder should make the storage check red with advice\n%s", snippet(body))
	}
	if err := os.Mkdir(folder.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sample("files folder back", map[string]string{"lms_storage_up": "1"})
}
