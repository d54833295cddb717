package reconcile

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/record"
)

// Pass is the part every controller's per-pass type shares. A controller
// embeds it in its own pass type, beside the copy of the status the pass
// fills in, and hands NewPass that copy's conditions.
type Pass struct {
	// Now is when the pass started, to the second (the resolution of
	// status times), so every time the pass records agrees.
	Now time.Time

	generation int64
	phase      string
	conditions *[]metav1.Condition
	wake       time.Duration
	changes    []string
}

// NewPass starts a pass over an object at generation whose conditions, in
// the pass's copy of its status, are conditions.
func NewPass(generation int64, conditions *[]metav1.Condition) Pass {
	return Pass{Now: time.Now().Truncate(time.Second), generation: generation, conditions: conditions}
}

// SetCondition records a condition observed for this pass's generation. Its
// LastTransitionTime moves only when its status changes.
func (p *Pass) SetCondition(typ string, status metav1.ConditionStatus, reason, format string, args ...any) {
	meta.SetStatusCondition(p.conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: fmt.Sprintf(format, args...),
		ObservedGeneration: p.generation, LastTransitionTime: metav1.NewTime(p.Now),
	})
}

// Condition records a True (ok) or False condition.
func (p *Pass) Condition(typ string, ok bool, reason, format string, args ...any) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	p.SetCondition(typ, status, reason, format, args...)
}

// Fail records a False condition and returns err, or ErrNextLoop when err
// is nil (the condition says what is awaited).
func (p *Pass) Fail(typ, reason string, err error, format string, args ...any) error {
	p.Condition(typ, false, reason, format, args...)
	if err == nil {
		return ErrNextLoop
	}
	return err
}

// ConditionsOnto writes the pass's conditions onto conditions as the API
// server has them (dst, in the fresh copy a status mutation is given): a
// condition whose status dst already holds keeps dst's LastTransitionTime;
// one whose status changes transitions now. Conditions of dst the pass did
// not set stay as they are.
func (p *Pass) ConditionsOnto(dst *[]metav1.Condition) {
	for _, c := range *p.conditions {
		if have := meta.FindStatusCondition(*dst, c.Type); have == nil || have.Status != c.Status {
			c.LastTransitionTime = metav1.NewTime(p.Now)
		}
		meta.SetStatusCondition(dst, c)
	}
}

// FindCondition is the condition of type typ this pass holds, or nil.
func (p *Pass) FindCondition(typ string) *metav1.Condition {
	return meta.FindStatusCondition(*p.conditions, typ)
}

// IsTrue says whether this pass holds condition typ as True.
func (p *Pass) IsTrue(typ string) bool {
	return meta.IsStatusConditionTrue(*p.conditions, typ)
}

// WakeIn asks for another look within d; the soonest wish wins.
func (p *Pass) WakeIn(d time.Duration) {
	if d <= 0 {
		d = time.Second
	}
	if p.wake == 0 || d < p.wake {
		p.wake = d
	}
}

// Next is when to look again: the soonest wish, or periodic.
func (p *Pass) Next(periodic time.Duration) time.Duration {
	if p.wake > 0 && p.wake < periodic {
		return p.wake
	}
	return periodic
}

// NoteChange records something this pass created or changed ("Created
// Secret tenant-x/db-app"); each note is kept once.
func (p *Pass) NoteChange(what string) {
	if !slices.Contains(p.changes, what) {
		p.changes = append(p.changes, what)
	}
}

// Changes are the pass's notes, in the order they were made.
func (p *Pass) Changes() []string { return slices.Clone(p.changes) }

// maxEventMessage keeps a summary well inside what an Event may hold.
const maxEventMessage = 1000

// RecordChanges emits the pass's one Normal Event with reason, summarising
// its notes; a pass that changed nothing emits none.
func (p *Pass) RecordChanges(rec record.EventRecorder, obj runtime.Object, reason string) {
	if len(p.changes) == 0 {
		return
	}
	msg := strings.Join(p.changes, "; ")
	if len(msg) > maxEventMessage {
		cut := maxEventMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	rec.Event(obj, corev1.EventTypeNormal, reason, msg)
}
