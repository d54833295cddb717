// Package reconcile is the kit every Bellwork controller builds its passes
// from, so that each controller reads the same way and none re-invents a
// status writer or an object writer:
//
//   - Pass: what a controller's per-pass type shares: when the pass
//     started, the conditions it records (with ObservedGeneration and
//     LastTransitionTime), when it wants another look (WakeIn, Next), and
//     the changes it made (NoteChange).
//   - Phase and RunPhases: a controller's reconcile is a table of named
//     phases run in order; the pass remembers the phase it is in (Enter,
//     Phase) for the log line of a pass that fails.
//   - PatchStatus: the one status writer. It reads the object again from
//     the API server, applies the pass's mutation to that fresh copy, writes
//     nothing when nothing changed, and starts over on a conflict.
//   - Writer, Ensure, EnsureOrRemove, Remove: the one way to write child
//     objects: create what is missing, update only what differs in the
//     fields the controller owns, delete what should not exist.
//   - ErrNextLoop, ErrTerminateLoop and Result: how a phase ends a pass
//     early, and how Reconcile turns that into controller-runtime's answer.
//
// # Logs and Events
//
// Every write of a child object is logged by the Writer in Kubernetes
// style, a capitalised past-tense message naming the kind, with the object
// under the kind as key ("Created Secret" Secret={name: db-app, namespace:
// tenant-x}), and
// noted on the pass. Reconcile emits one Normal Event per pass that changed
// something, summarising the notes (Pass.RecordChanges); controllers do not
// emit an Event per object. Events of their own are for what a user must
// see beyond that: a Warning for something refused, lost or repaired (a
// School refused, a tenant not Ready, drift put back) and a Normal Event
// for a milestone (published, recovered, rotated). Status changes decided
// from the fresh object are announced only after PatchStatus wrote them, so
// a new leader starting from that status neither repeats nor misses one.
package reconcile
