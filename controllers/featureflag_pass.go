package controllers

import (
	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/pkg/flags"
)

// flagPass is one reconcile of one FeatureFlag.
type flagPass struct {
	reconcile.Pass
	flag   *platformv1.FeatureFlag
	status platformv1.FeatureFlagStatus
	// usable is the flag as the Tenant controller publishes it, and the
	// verdict on it; set by the validate phase.
	usable  flags.Flag
	verdict builders.FlagVerdict
}

func newFlagPass(ff *platformv1.FeatureFlag) *flagPass {
	p := &flagPass{flag: ff, status: *ff.Status.DeepCopy()}
	p.Pass = reconcile.NewPass(ff.Generation, &p.status.Conditions)
	return p
}
