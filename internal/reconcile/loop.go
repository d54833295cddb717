package reconcile

import (
	"errors"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
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
func Result(err error, retry, next time.Duration) (ctrl.Result, error) {
	switch {
	case err == nil, errors.Is(err, ErrTerminateLoop):
		return ctrl.Result{RequeueAfter: next}, nil
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
