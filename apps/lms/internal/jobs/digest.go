package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/guardian"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
)

// DigestArgs asks for a district's guardian digests that are due to go out.
type DigestArgs struct {
	Tenant string `json:"tenant"`
}

// Kind names the job.
func (DigestArgs) Kind() string { return "guardian_digest" }

// DigestEvery is how often each tenant's queue looks for digests due.
const DigestEvery = 15 * time.Minute

// UnsubscribeLife is how long the one-click link in a digest works.
const UnsubscribeLife = 60 * 24 * time.Hour

// UnsubscribePurpose is the purpose a digest's unsubscribe token is signed for.
const UnsubscribePurpose = "guardian-digest-unsubscribe"

// District is what a digest needs to know of a tenant from the directory.
type District struct {
	Name     string // as people read it
	TimeZone string // IANA; digests are dated in it
	Site     string // scheme and host, for links
	LinkKey  []byte // signs the unsubscribe link
}

// DigestWorker builds and mails the digests of one tenant that are due.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]
	DB       func(ctx context.Context, tenant string) (*db.DB, error)
	District func(tenant string) (District, error)
	Mailer   mail.Mailer
	Now      func() time.Time
}

// Work sends each subscribed guardian's digest for the current period,
// once: the period is recorded in the same transaction that sends, so a
// second run (or a second process) finds it taken. An empty digest is not
// sent and not recorded, so something happening later in the period still
// goes out. One guardian's failure does not stop the others; the job then
// fails and River retries it, which skips the digests already recorded.
func (w *DigestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	tenant := job.Args.Tenant
	dist, err := w.District(tenant)
	if err != nil {
		return err
	}
	d, err := w.DB(ctx, tenant)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(dist.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	var subs []guardian.Subscriber
	err = d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		for _, f := range []guardian.Frequency{guardian.Daily, guardian.Weekly} {
			list, err := guardian.Subscribers(ctx, s, f)
			if err != nil {
				return err
			}
			subs = append(subs, list...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, sub := range subs {
		if _, err := w.send(ctx, d, tenant, dist, loc, sub, now); err != nil {
			errs = append(errs, fmt.Errorf("digest for %s: %w", sub.GuardianID, err))
		}
	}
	return errors.Join(errs...)
}

// send mails one guardian's digest if it is due, not yet sent and not
// empty, and reports whether it did.
func (w *DigestWorker) send(ctx context.Context, d *db.DB, tenant string, dist District, loc *time.Location, sub guardian.Subscriber,
	now time.Time) (bool, error) {
	period, due, length := guardian.DigestPeriod(sub.Alerts.Frequency, now, loc)
	if !due || period == sub.LastPeriod {
		return false, nil
	}
	since := now.Add(-length)
	if sub.LastSent != nil && sub.LastSent.After(since) {
		since = *sub.LastSent
	}
	// The children's work as the guardian sees it: row-level security
	// narrows this system work to the guardian, so unposted grades and
	// other families' children are out of reach.
	var digest guardian.Digest
	actor := db.Actor{UserID: sub.GuardianID, Role: db.Guardian, SchoolID: sub.SchoolID, OnBehalf: true}
	err := d.InTx(ctx, actor, func(s *db.Scope) error {
		kids, err := guardian.Overview(ctx, s, now)
		digest = guardian.BuildDigest(period, kids, sub.Alerts, since)
		return err
	})
	if err != nil || digest.Items() == 0 {
		return false, err
	}
	token := auth.SignLink(dist.LinkKey, auth.LinkClaims{Subject: sub.GuardianID, Purpose: UnsubscribePurpose, Expires: now.Add(UnsubscribeLife)})
	link := dist.Site + "/unsubscribe/" + token
	msg := mail.Message{Tenant: tenant, To: sub.Email, Subject: digest.Subject(sub.Alerts.Frequency), SentAt: now,
		Body: digest.Text(sub.Name, dist.Name, dist.Site, link, sub.Alerts.Frequency),
		// RFC 8058: mail clients offer a one-click unsubscribe that POSTs
		// "List-Unsubscribe=One-Click" to this address.
		Headers: map[string]string{"List-Unsubscribe": "<" + link + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}
	sent := false
	err = d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		claimed, err := guardian.ClaimDigest(ctx, s, sub.GuardianID, period, digest.Items(), now)
		if err != nil || !claimed {
			return err
		}
		if err := w.Mailer.Send(ctx, msg); err != nil {
			return err
		}
		sent = true
		return nil
	})
	return sent, err
}

// DigestPeriodic is the periodic job that looks for due digests every so
// often (DigestEvery when zero).
func DigestPeriodic(tenant string, every time.Duration) *river.PeriodicJob {
	if every <= 0 {
		every = DigestEvery
	}
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return DigestArgs{Tenant: tenant}, &river.InsertOpts{MaxAttempts: 3}
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
