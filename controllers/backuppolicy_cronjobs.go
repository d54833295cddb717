package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// findTenant reads the Tenant whose namespace holds the policy.
func (r *BackupPolicyReconciler) findTenant(ctx context.Context, p *backupPass) error {
	name := tenantOf(p.policy)
	if name == "" {
		return p.Fail(platformv1.ConditionReady, platformv1.ReasonInvalidSpec, reconcile.ErrTerminateLoop,
			"a BackupPolicy belongs in a tenant namespace (%s<tenant>), not %s", platformv1.TenantNamespacePrefix, p.policy.Namespace)
	}
	t := &platformv1.Tenant{}
	if err := r.Client.Get(ctx, client.ObjectKey{Name: name}, t); err != nil {
		if apierrors.IsNotFound(err) {
			return p.Fail(platformv1.ConditionReady, platformv1.ReasonTenantNotFound, reconcile.ErrTerminateLoop,
				"no Tenant %s for namespace %s", name, p.policy.Namespace)
		}
		return err
	}
	p.tenant = t
	return nil
}

// ensureCronJobs puts the backup CronJob and, when verification is on and
// has a server, the verification CronJob in place.
func (r *BackupPolicyReconciler) ensureCronJobs(ctx context.Context, p *backupPass) error {
	zone := string(p.policy.Spec.TimeZone)
	if zone == "" {
		zone = string(p.tenant.Spec.TimeZone)
	}
	o := builders.BackupJobOptions{Tenant: p.tenant.Name, Image: r.Options.Image, TimeZone: zone,
		VerificationSecret: r.Options.VerificationSecret, RunLocally: r.Options.RunLocally}
	w := reconcile.NewWriter(r.Client, r.APIReader, p)
	backup := withSpecHash(builders.BuildBackupCronJob(p.policy, o))
	if _, _, err := reconcile.Ensure(ctx, w, backup, syncCronJob); err != nil {
		return p.Fail(platformv1.ConditionReady, platformv1.ReasonProgressing, err, "could not write CronJob %s: %v", backup.Name, err)
	}
	p.scheduled = append(p.scheduled, backup.Name)
	verify := withSpecHash(builders.BuildVerifyCronJob(p.policy, o))
	key := client.ObjectKey{Namespace: p.policy.Namespace, Name: builders.VerifyCronJobName(p.policy)}
	if err := reconcile.EnsureOrRemove(ctx, w, verify, key, func(have client.Object) bool {
		return ownedBy(have, p.policy.UID)
	}, syncCronJob); err != nil {
		return p.Fail(platformv1.ConditionReady, platformv1.ReasonProgressing, err, "could not write CronJob %s: %v", key.Name, err)
	}
	if verify != nil {
		p.scheduled = append(p.scheduled, verify.Name)
	}
	egress := builders.BuildBackupEgressPolicy(p.policy, o, r.verificationHost(ctx, p.policy.Namespace))
	egressKey := client.ObjectKey{Namespace: p.policy.Namespace, Name: builders.BackupEgressPolicyName(p.policy)}
	if err := reconcile.EnsureOrRemove(ctx, w, egress, egressKey, func(have client.Object) bool {
		return ownedBy(have, p.policy.UID)
	}, func(have, want *networkingv1.NetworkPolicy) { have.Spec = want.Spec }); err != nil {
		return p.Fail(platformv1.ConditionReady, platformv1.ReasonProgressing, err, "could not write NetworkPolicy %s: %v", egressKey.Name, err)
	}
	p.scheduleNext(zoneOr(zone), time.Now())
	msg := fmt.Sprintf("CronJobs %v scheduled", p.scheduled)
	if verify == nil {
		msg += "; verification is off (disabled, or the operator has no verification server)"
	}
	p.Condition(platformv1.ConditionReady, true, platformv1.ReasonReconciled, "%s", msg)
	return nil
}

// specHashAnnotation records the hash of the spec the operator last wrote:
// the API server fills in defaults, so comparing specs field by field
// would rewrite the CronJob on every pass.
const specHashAnnotation = "platform.bellwork.dev/spec-hash"

func withSpecHash(cj *batchv1.CronJob) *batchv1.CronJob {
	if cj == nil {
		return nil
	}
	b, _ := json.Marshal(cj.Spec)
	sum := sha256.Sum256(b)
	if cj.Annotations == nil {
		cj.Annotations = map[string]string{}
	}
	cj.Annotations[specHashAnnotation] = hex.EncodeToString(sum[:8])
	return cj
}

func syncCronJob(have, want *batchv1.CronJob) {
	if have.Annotations[specHashAnnotation] != want.Annotations[specHashAnnotation] {
		have.Spec = want.Spec
	}
}

func ownedBy(o client.Object, uid types.UID) bool {
	for _, ref := range o.GetOwnerReferences() {
		if ref.UID == uid && ref.Controller != nil && *ref.Controller {
			return true
		}
	}
	return false
}

func zoneOr(z string) string {
	if z == "" {
		return "UTC"
	}
	return z
}

// verificationHost is host:port of the verification server, from the
// verification Secret's URI, for the backup pods' egress; "" when there
// is none or it cannot be read (the Job then says it cannot connect).
func (r *BackupPolicyReconciler) verificationHost(ctx context.Context, ns string) string {
	if r.Options.VerificationSecret == "" {
		return ""
	}
	sec := &corev1.Secret{}
	if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: ns, Name: r.Options.VerificationSecret}, sec); err != nil {
		return ""
	}
	u, err := url.Parse(string(sec.Data["uri"]))
	if err != nil || u.Hostname() == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	return net.JoinHostPort(u.Hostname(), port)
}
