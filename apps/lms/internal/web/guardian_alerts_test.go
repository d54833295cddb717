package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"bellwork.dev/bellwork/apps/lms/internal/app"
	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
)

// digestWorker is the district's digest job as the process wires it, with
// its clock pinned to at.
func (d *district) digestWorker(at *time.Time) *jobs.DigestWorker {
	t, _ := d.srv.Registry.Get(d.entry.Tenant)
	return &jobs.DigestWorker{
		DB: func(context.Context, string) (*db.DB, error) { return d.db, nil },
		District: func(string) (jobs.District, error) {
			return jobs.District{Name: d.entry.DisplayName, TimeZone: d.entry.TimeZone, Site: app.SiteOf(d.entry, 8080), LinkKey: d.srv.LinkKey(t)}, nil
		},
		Mailer: d.mailbox, Now: func() time.Time { return *at }}
}

func (d *district) runDigests(t *testing.T, w *jobs.DigestWorker) {
	t.Helper()
	if err := w.Work(context.Background(), &river.Job[jobs.DigestArgs]{Args: jobs.DigestArgs{Tenant: d.entry.Tenant}}); err != nil {
		t.Fatal(err)
	}
}

// digestsTo lists the digests mailed to an address, newest first.
func (d *district) digestsTo(to string) []mail.Message {
	var out []mail.Message
	for _, m := range d.mailbox.Messages(d.entry.Tenant) {
		if m.To == to && strings.Contains(m.Subject, "summary") {
			out = append(out, m)
		}
	}
	return out
}

// nextEvening is the first 18:00 in the district's zone after now: a time
// a daily digest is due.
func nextEvening(t *testing.T, now time.Time) time.Time {
	local := now.In(mustZone(t, "America/Chicago"))
	at := time.Date(local.Year(), local.Month(), local.Day(), 18, 0, 0, 0, local.Location())
	if !at.After(now) {
		at = at.AddDate(0, 0, 1)
	}
	return at
}

// The settings page: defaults, a refused threshold with a clear message
// (and the form kept), then saved settings shown again.
func TestGuardianAlertSettingsPage(t *testing.T) {
	d := newDistrict(t, "alertspage")
	g, csrf := d.session(db.Guardian)
	res, body := g.get("/guardian/alerts")
	mustStatus(t, "alerts page", res, body, 200)
	mustContain(t, "alerts page", body, "<h1>Alerts</h1>", `value="off" checked`, `name="missing" value="1" checked`,
		"No summary has been sent to you yet.", `href="/guardian/alerts"`)

	res, body = g.post("/guardian/alerts", url.Values{"_csrf": {csrf}, "frequency": {"daily"}, "grade_below": {"150"}, "missing": {"1"}})
	mustStatus(t, "a threshold above 100", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "a threshold above 100", body, "at most 100", `value="150"`, `aria-invalid="true"`, `value="daily" checked`)

	res, body = g.post("/guardian/alerts", url.Values{"_csrf": {csrf}, "frequency": {"weekly"}, "grade_below": {"72.5%"}, "grade_posted": {"1"}})
	mustStatus(t, "save", res, body, http.StatusSeeOther)
	_, body = g.get(res.Header.Get("Location"))
	mustContain(t, "saved settings", body, `value="weekly" checked`, `value="72.5"`, `name="grade_posted" value="1" checked`, "Your alert settings are saved.")
	if strings.Contains(body, `name="missing" value="1" checked`) {
		t.Error("missing work is still checked after saving it off")
	}

	stranger := d.newcomer(db.Guardian)
	_, body = stranger.get("/guardian/alerts")
	mustContain(t, "a guardian without children", body, "No children linked yet", `value="off" checked`)
}

// The digest: only posted grades appear (an unposted score, its comment
// and its effect on the course grade never do); a period is mailed once
// however often the job runs; an empty digest is not sent; the mail
// carries RFC 8058 one-click unsubscribe headers.
func TestDigestShowsPostedGradesOnceAndSkipsEmptyOnes(t *testing.T) {
	d := newDistrict(t, "digest")
	teacher, tcsrf := d.session(db.Teacher)
	g, gcsrf := d.session(db.Guardian)
	child := d.users[db.Student].ID
	email := d.users[db.Guardian].Email

	shown := newAssignment(t, teacher, tcsrf, d.section, "Posted essay", time.Now().Add(72*time.Hour))
	hidden := newAssignment(t, teacher, tcsrf, d.section, "Hidden quiz", time.Now().Add(72*time.Hour))
	for a, score := range map[string]string{shown: "7", hidden: "10"} {
		res, body := teacher.post("/teach/assignments/"+a+"/grade/"+child, url.Values{"_csrf": {tcsrf}, "score": {score},
			"comment": {"remark on " + score}, "reason": {"graded"}})
		mustStatus(t, "grade", res, body, http.StatusSeeOther)
	}
	// Post only the essay: grade it again with "post".
	res, body := teacher.post("/teach/assignments/"+shown+"/post", url.Values{"_csrf": {tcsrf}})
	mustStatus(t, "post the essay", res, body, http.StatusSeeOther)

	at := nextEvening(t, time.Now())
	w := d.digestWorker(&at)
	d.runDigests(t, w)
	if n := len(d.digestsTo(email)); n != 0 {
		t.Fatalf("%d digests sent to a guardian whose digest is off", n)
	}
	res, body = g.post("/guardian/alerts", url.Values{"_csrf": {gcsrf}, "frequency": {"daily"}, "grade_below": {"80"}, "missing": {"1"}, "grade_posted": {"1"}})
	mustStatus(t, "turn the digest on", res, body, http.StatusSeeOther)
	// A second guardian with no children asks for a digest too: theirs is empty, so never sent.
	lonely := d.newcomer(db.Guardian)
	lcsrf := lonely.formToken("/guardian/alerts")
	res, body = lonely.post("/guardian/alerts", url.Values{"_csrf": {lcsrf}, "frequency": {"daily"}, "missing": {"1"}, "grade_posted": {"1"}})
	mustStatus(t, "lonely guardian's settings", res, body, http.StatusSeeOther)

	before := at.Add(-2 * time.Hour) // 16:00: not yet due
	w.Now = func() time.Time { return before }
	d.runDigests(t, w)
	if n := len(d.digestsTo(email)); n != 0 {
		t.Fatalf("a digest went out before %d:00", 17)
	}
	w.Now = func() time.Time { return at }
	d.runDigests(t, w)
	d.runDigests(t, w) // the same period again: nothing more
	later := at.Add(3 * time.Hour)
	w.Now = func() time.Time { return later }
	d.runDigests(t, w)
	got := d.digestsTo(email)
	if len(got) != 1 {
		t.Fatalf("%d digests for one period, want 1", len(got))
	}
	m := got[0]
	mustContain(t, "digest", m.Body, "Student Test", "Posted essay", "7 / 10", "Algebra I - P1: 70.00%",
		"/guardian/children/"+child+"/assignments/"+shown, "/unsubscribe/")
	for _, leak := range []string{"Hidden quiz", "10 / 10", "remark on 10", "85.00%"} {
		if strings.Contains(m.Body, leak) {
			t.Errorf("the digest shows %q from an unposted grade:\n%s", leak, m.Body)
		}
	}
	if !strings.HasPrefix(m.Headers["List-Unsubscribe"], "<http://digest.localhost:8080/unsubscribe/") ||
		m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Errorf("unsubscribe headers %v", m.Headers)
	}
	if n := len(d.digestsTo("new.guardian@" + d.host + ".org")); n != 0 {
		t.Errorf("an empty digest was sent %d times", n)
	}
	_, body = g.get("/guardian/alerts")
	mustContain(t, "alerts page after a digest", body, "Last summary sent")
}

// One-click unsubscribe: the GET confirms and changes nothing; a POST
// without any session (as a mail client sends it) turns the digest off;
// a tampered or expired link gets a clear error page and changes nothing.
func TestOneClickUnsubscribe(t *testing.T) {
	d := newDistrict(t, "unsub")
	g, gcsrf := d.session(db.Guardian)
	res, body := g.post("/guardian/alerts", url.Values{"_csrf": {gcsrf}, "frequency": {"weekly"}, "missing": {"1"}})
	mustStatus(t, "turn the digest on", res, body, http.StatusSeeOther)
	tenant, _ := d.srv.Registry.Get(d.entry.Tenant)
	key := d.srv.LinkKey(tenant)
	guardianID := d.users[db.Guardian].ID
	token := auth.SignLink(key, auth.LinkClaims{Subject: guardianID, Purpose: jobs.UnsubscribePurpose, Expires: time.Now().Add(time.Hour)})

	anon := d.client()
	res, body = anon.get("/unsubscribe/" + token)
	mustStatus(t, "confirmation page", res, body, 200)
	mustContain(t, "confirmation page", body, "<h1>Unsubscribe</h1>", `<form method="post" action="/unsubscribe/`+token+`"`)
	_, body = g.get("/guardian/alerts")
	mustContain(t, "after the GET", body, `value="weekly" checked`)

	tampered := token[:len(token)-3] + "AAA"
	if strings.HasSuffix(token, "AAA") {
		tampered = token[:len(token)-3] + "BBB"
	}
	res, body = anon.do("POST", "/unsubscribe/"+tampered, url.Values{"List-Unsubscribe": {"One-Click"}}, nil)
	mustStatus(t, "tampered link", res, body, http.StatusBadRequest)
	mustContain(t, "tampered link", body, "This link does not work")
	other := auth.SignLink(key, auth.LinkClaims{Subject: guardianID, Purpose: "something-else", Expires: time.Now().Add(time.Hour)})
	res, body = anon.get("/unsubscribe/" + other)
	mustStatus(t, "a link signed for another purpose", res, body, http.StatusBadRequest)
	expired := auth.SignLink(key, auth.LinkClaims{Subject: guardianID, Purpose: jobs.UnsubscribePurpose, Expires: time.Now().Add(-time.Minute)})
	res, body = anon.do("POST", "/unsubscribe/"+expired, url.Values{"List-Unsubscribe": {"One-Click"}}, nil)
	mustStatus(t, "expired link", res, body, http.StatusGone)
	mustContain(t, "expired link", body, "This link has expired")
	foreign := auth.SignLink(auth.LinkKey([]byte("another district's secret"), d.entry.Tenant),
		auth.LinkClaims{Subject: guardianID, Purpose: jobs.UnsubscribePurpose, Expires: time.Now().Add(time.Hour)})
	res, body = anon.get("/unsubscribe/" + foreign)
	mustStatus(t, "a link signed with another key", res, body, http.StatusBadRequest)
	_, body = g.get("/guardian/alerts")
	mustContain(t, "after refused links", body, `value="weekly" checked`)

	// RFC 8058: the mail client's POST, no cookie, no CSRF token.
	res, body = anon.do("POST", "/unsubscribe/"+token, url.Values{"List-Unsubscribe": {"One-Click"}}, nil)
	mustStatus(t, "one-click POST", res, body, 200)
	mustContain(t, "one-click POST", body, "You are unsubscribed")
	_, body = g.get("/guardian/alerts")
	mustContain(t, "after unsubscribing", body, `value="off" checked`, "You unsubscribed from the summary e-mail")
	res, body = anon.do("POST", "/unsubscribe/"+token, url.Values{"List-Unsubscribe": {"One-Click"}}, nil)
	mustStatus(t, "a second click", res, body, 200)
}
