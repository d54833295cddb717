package reconcile

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/handler"
)

// A condition carries the pass's generation; its transition time moves
// only when its status does.
func TestConditionsKeepTheirTransitionTime(t *testing.T) {
	var conds []metav1.Condition
	first := NewPass(3, &conds)
	first.Now = time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	first.Condition("Ready", false, "Waiting", "waiting for %s", "the database")

	second := NewPass(4, &conds)
	second.Now = first.Now.Add(time.Hour)
	second.Condition("Ready", false, "Unreachable", "cannot connect")
	c := meta.FindStatusCondition(conds, "Ready")
	if c.Reason != "Unreachable" || c.Message != "cannot connect" || c.ObservedGeneration != 4 || !c.LastTransitionTime.Time.Equal(first.Now) {
		t.Errorf("same status: %+v; want the new reason and generation, the first transition time", c)
	}
	second.Condition("Ready", true, "Reconciled", "ok")
	if c := second.FindCondition("Ready"); c.Status != metav1.ConditionTrue || !c.LastTransitionTime.Time.Equal(second.Now) || !second.IsTrue("Ready") {
		t.Errorf("new status: %+v; want True from %s", c, second.Now)
	}
	second.SetCondition("Published", metav1.ConditionUnknown, "KeptLastEntry", "kept")
	if second.FindCondition("Published").Status != metav1.ConditionUnknown || second.IsTrue("Published") {
		t.Error("Unknown condition not recorded as Unknown")
	}
}

func TestFailRecordsAndEndsThePass(t *testing.T) {
	var conds []metav1.Condition
	p := NewPass(1, &conds)
	if err := p.Fail("DatabaseReady", "ClusterNotReady", nil, "no primary"); !errors.Is(err, ErrNextLoop) {
		t.Errorf("Fail without an error = %v, want ErrNextLoop", err)
	}
	boom := errors.New("boom")
	if err := p.Fail("DatabaseReady", "Unreachable", boom, "%v", boom); err != boom {
		t.Errorf("Fail with an error = %v, want it back", err)
	}
	if c := p.FindCondition("DatabaseReady"); c.Status != metav1.ConditionFalse || c.Reason != "Unreachable" || c.Message != "boom" {
		t.Errorf("condition = %+v", c)
	}
}

func TestTheSoonestWakeUpWins(t *testing.T) {
	var p Pass
	if got := p.Next(time.Minute); got != time.Minute {
		t.Errorf("no wish: next %s, want the periodic minute", got)
	}
	p.WakeIn(30 * time.Second)
	p.WakeIn(10 * time.Second)
	p.WakeIn(20 * time.Second)
	if got := p.Next(time.Minute); got != 10*time.Second {
		t.Errorf("next %s, want 10s", got)
	}
	if got := p.Next(5 * time.Second); got != 5*time.Second {
		t.Errorf("next %s, want the periodic 5s when sooner", got)
	}
	p.WakeIn(-time.Hour) // overdue: as soon as sensible, not never
	if got := p.Next(time.Minute); got != time.Second {
		t.Errorf("overdue wish: next %s, want 1s", got)
	}
}

// A pass's changes become one Normal Event; a pass without changes emits none.
func TestChangesBecomeOneEvent(t *testing.T) {
	rec := record.NewFakeRecorder(10)
	var p Pass
	p.RecordChanges(rec, &corev1.Namespace{}, "Provisioned")
	if len(rec.Events) != 0 {
		t.Fatalf("a pass without changes emitted %q", <-rec.Events)
	}
	p.NoteChange("Created Namespace tenant-a")
	p.NoteChange("Created Secret tenant-a/db-app")
	p.NoteChange("Created Namespace tenant-a")
	if got := p.Changes(); len(got) != 2 {
		t.Errorf("changes %q, want each once", got)
	}
	p.RecordChanges(rec, &corev1.Namespace{}, "Provisioned")
	if got := <-rec.Events; got != "Normal Provisioned Created Namespace tenant-a; Created Secret tenant-a/db-app" {
		t.Errorf("event %q", got)
	}
	var long Pass
	for i := range 200 {
		long.NoteChange(fmt.Sprintf("Granted é%03d", i))
	}
	long.RecordChanges(rec, &corev1.Namespace{}, "Provisioned")
	got := <-rec.Events
	if len(got) > maxEventMessage+len("Normal Provisioned ")+len("…") || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("long summary not cut to a valid %d bytes: %d bytes, valid %v", maxEventMessage, len(got), utf8.ValidString(got))
	}
}

func TestResultTurnsSentinelsIntoRequeues(t *testing.T) {
	conflict := apierrors.NewConflict(schema.GroupResource{Resource: "secrets"}, "db-app", errors.New("changed"))
	boom := errors.New("boom")
	for _, c := range []struct {
		name      string
		err       error
		retry     time.Duration
		next      time.Duration
		wantAfter time.Duration
		wantErr   error
	}{
		{"done", nil, time.Second, time.Minute, time.Minute, nil},
		{"terminate", fmt.Errorf("phase: %w", ErrTerminateLoop), time.Second, time.Minute, time.Minute, nil},
		{"next loop", ErrNextLoop, time.Second, time.Minute, time.Second, nil},
		{"next loop, sooner wish", ErrNextLoop, time.Second, 100 * time.Millisecond, 100 * time.Millisecond, nil},
		{"conflict, wrapped", fmt.Errorf("update Secret: %w", conflict), time.Second, time.Minute, time.Second, nil},
		{"failure", boom, time.Second, time.Minute, 0, boom},
	} {
		res, err := Result(c.err, c.retry, c.next)
		if res.RequeueAfter != c.wantAfter || err != c.wantErr {
			t.Errorf("%s: requeue after %s, err %v; want %s, %v", c.name, res.RequeueAfter, err, c.wantAfter, c.wantErr)
		}
		// Another look after a finished pass yields to objects not looked at
		// yet; a pass waiting or racing keeps its place.
		finished := c.err == nil || errors.Is(c.err, ErrTerminateLoop)
		if low := res.Priority != nil && *res.Priority == handler.LowPriority; low != finished {
			t.Errorf("%s: priority %v, want low only after a finished pass", c.name, res.Priority)
		}
	}
	if !IsSentinel(fmt.Errorf("x: %w", ErrNextLoop)) || IsSentinel(boom) {
		t.Error("IsSentinel")
	}
}

// The pass's conditions go onto the API server's copy with transition
// times true to that copy, whatever the (possibly stale) copy the pass
// started from said.
func TestConditionsOntoTheFreshCopy(t *testing.T) {
	early, late := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	stale := []metav1.Condition{{Type: "Ready", Status: metav1.ConditionFalse, Reason: "Waiting", LastTransitionTime: metav1.NewTime(early)}}
	p := NewPass(2, &stale)
	p.Now = late
	p.Condition("Ready", false, "Waiting", "still waiting")
	p.Condition("Published", true, "Reconciled", "published")
	fresh := []metav1.Condition{
		{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Reconciled", LastTransitionTime: metav1.NewTime(early)},
		{Type: "Published", Status: metav1.ConditionTrue, Reason: "Reconciled", LastTransitionTime: metav1.NewTime(early)},
		{Type: "Synced", Status: metav1.ConditionTrue, Reason: "Synced", LastTransitionTime: metav1.NewTime(early)},
	}
	p.ConditionsOnto(&fresh)
	if c := meta.FindStatusCondition(fresh, "Ready"); c.Status != metav1.ConditionFalse || !c.LastTransitionTime.Time.Equal(late) || c.ObservedGeneration != 2 {
		t.Errorf("Ready = %+v: True on the server, False now, so it transitions now", c)
	}
	if c := meta.FindStatusCondition(fresh, "Published"); !c.LastTransitionTime.Time.Equal(early) || c.Message != "published" {
		t.Errorf("Published = %+v: unchanged status keeps the server's transition time", c)
	}
	if meta.FindStatusCondition(fresh, "Synced") == nil {
		t.Error("a condition the pass did not set was dropped")
	}
}
