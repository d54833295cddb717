package reconcile

import (
	"errors"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/handler"
)

var (
	// ErrNextLoop ends a pass early: something is not ready yet, status
	// says what, and the object is looked at again after the retry interval.
	ErrNextLoop = errors.New("waiting; try again in the next loop")
	// ErrTerminateLoop ends a pass with nothing more to do now; status is
	// written and no retry is scheduled beyond the pass's wake-up wishes.
	ErrTerminateLoop = errors.New("nothing more to do in this loop")
)

// IsSentinel says whether err is one of the sentinels: an expected end of
// a pass, not a failure to log.
func IsSentinel(err error) bool {
	return errors.Is(err, ErrNextLoop) || errors.Is(err, ErrTerminateLoop)
}

// Result turns what a pass returned into controller-runtime's answer: next
// is when the pass wants another look, retry how soon a waiting or racing
// pass tries again. Only Reconcile calls it.
//
// A look again after a finished pass (a periodic drift check, a poll for
// the LMS's report) goes back into the queue with low priority, as the
// objects listed when a manager starts do: when passes queue up, an object
// nobody has looked at yet, or one that just changed, goes before one that
// is only due for another look. Otherwise a few objects polling often keep
// every worker busy and a new leader never reaches the rest.
func Result(err error, retry, next time.Duration) (ctrl.Result, error) {
	switch {
	case err == nil, errors.Is(err, ErrTerminateLoop):
		return ctrl.Result{RequeueAfter: next, Priority: ptr.To(handler.LowPriority)}, nil
	case errors.Is(err, ErrNextLoop),
		// A write raced with another (or with a cache that lags behind the
		// API server): try again from fresh state, quietly.
		apierrors.IsConflict(err), apierrors.IsAlreadyExists(err):
		if next > 0 && next < retry {
			retry = next
		}
		return ctrl.Result{RequeueAfter: retry}, nil
	default:
		return ctrl.Result{}, err
	}
}
