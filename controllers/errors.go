package controllers

import (
	"errors"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
)

var (
	// ErrNextLoop ends a pass early: something is not ready yet, status
	// says what, and the object is looked at again after RetryInterval.
	ErrNextLoop = errors.New("waiting; try again in the next loop")
	// ErrTerminateLoop ends a pass with nothing more to do now; status is
	// written and no retry is scheduled beyond the periodic one.
	ErrTerminateLoop = errors.New("nothing more to do in this loop")
)

// result turns what a pass returned into controller-runtime's answer.
// Only Reconcile calls it.
func result(err error, retry, next time.Duration) (ctrl.Result, error) {
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
