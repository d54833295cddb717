package rollout

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// TemplateHash identifies the pod template a spec asks for with image:
// what a change of starts a rollout. Replicas and rollout settings are not
// part of it.
func TemplateHash(spec platformv1.DeploymentSpec, image string) string {
	spec = spec.WithDefaults()
	data, _ := json.Marshal(struct {
		Image          string
		Env            any
		Resources      any
		Probes         any
		ServiceAccount string
	}{image, spec.Env, spec.Resources, spec.Probes, spec.ServiceAccountName})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:10]
}

// target is the version the spec asks to serve.
type target struct {
	image, hash string
	trigger     platformv1.RolloutTrigger
	// revision is the recorded revision for a rollback or revert, else 0.
	revision int64
	// refused explains a rollbackTo that cannot be done; the target is
	// then the active version.
	refused string
}

// desiredTarget reads the spec against the history.
func desiredTarget(spec platformv1.DeploymentSpec, st *platformv1.DeploymentStatus, now time.Time) target {
	if spec.RollbackTo != nil {
		n := *spec.RollbackTo
		rec, reason := rollbackRecord(spec, st, now, func(r platformv1.RolloutRecord) bool { return r.Revision == n })
		if reason != "" {
			t := activeTarget(st)
			t.refused = fmt.Sprintf("rollbackTo revision %d refused: %s", n, reason)
			return t
		}
		return target{image: rec.Image, hash: TemplateHash(spec, rec.Image), trigger: platformv1.TriggerRollback, revision: n}
	}
	hash := TemplateHash(spec, spec.Image)
	if st.Active == nil {
		return target{image: spec.Image, hash: hash, trigger: platformv1.TriggerInitial}
	}
	if hash == st.Active.TemplateHash {
		return activeTarget(st)
	}
	if rec, reason := rollbackRecord(spec, st, now, func(r platformv1.RolloutRecord) bool { return r.TemplateHash == hash }); reason == "" {
		return target{image: spec.Image, hash: hash, trigger: platformv1.TriggerRevert, revision: rec.Revision}
	}
	return target{image: spec.Image, hash: hash, trigger: platformv1.TriggerSpecChange}
}

func activeTarget(st *platformv1.DeploymentStatus) target {
	if st.Active == nil {
		return target{}
	}
	return target{image: st.Active.Image, hash: st.Active.TemplateHash, revision: st.Active.Revision}
}

// rollbackRecord finds the newest succeeded rollout matching, and says why
// it cannot be rolled back to when it cannot: it never served, it stopped
// serving longer ago than the rollback window, or a later revision's
// contract migration removed what it used.
func rollbackRecord(spec platformv1.DeploymentSpec, st *platformv1.DeploymentStatus, now time.Time, match func(platformv1.RolloutRecord) bool) (platformv1.RolloutRecord, string) {
	for i, r := range st.History {
		if !match(r) || r.Outcome != platformv1.OutcomeSucceeded {
			continue
		}
		if r.RetiredTime != nil && now.Sub(r.RetiredTime.Time) > spec.RollbackWindow.Duration {
			return r, fmt.Sprintf("it stopped serving at %s, longer ago than rollbackWindow (%s)", r.RetiredTime.UTC().Format(time.RFC3339), spec.RollbackWindow.Duration)
		}
		for _, later := range st.History[:i] {
			if later.Contracted && later.Revision != r.Revision {
				return r, fmt.Sprintf("revision %d's contract migration has run since, so its schema no longer fits; roll forward instead", later.Revision)
			}
		}
		return r, ""
	}
	return platformv1.RolloutRecord{}, "it is not a succeeded rollout in status.history"
}
