package controllers

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/pkg/directory"
	"bellwork.dev/bellwork/pkg/flags"
)

// hostConflictRetry is how often a tenant blocked by another tenant's
// host looks again.
const hostConflictRetry = 30 * time.Second

// reconcilePublish writes the tenant's directory entry when its content
// changed, with the valid Schools of its namespace. A tenant that shares a
// host with one that has precedence is withdrawn; one whose entry cannot be
// made now keeps its last good entry.
func (r *TenantReconciler) reconcilePublish(ctx context.Context, p *tenantPass) error {
	t := p.tenant
	withhold := func(reason, format string, args ...any) error {
		p.Condition(platformv1.TenantPublished, false, reason, format, args...)
		return r.withdraw(ctx, p, fmt.Sprintf(format, args...))
	}
	// What the spec lacks now (a Secret, a valid time zone) does not take a
	// district off the air: the last good entry stays until it is fixed.
	keepLast := func(reason, format string, args ...any) error {
		if p.status.DirectorySecret == "" {
			p.Condition(platformv1.TenantPublished, false, reason, format, args...)
			return nil
		}
		meta.SetStatusCondition(&p.status.Conditions, metav1.Condition{
			Type: platformv1.TenantPublished, Status: metav1.ConditionUnknown, Reason: reason,
			Message:            fmt.Sprintf(format, args...) + "; the LMS keeps serving the last good entry " + p.status.DirectorySecret,
			ObservedGeneration: t.Generation, LastTransitionTime: metav1.NewTime(p.Now),
		})
		return nil
	}
	if other, host, err := r.hostConflict(ctx, t); err != nil {
		return err
	} else if other != "" {
		// Two districts cannot share a host: the one without precedence goes.
		p.WakeIn(hostConflictRetry)
		return withhold(platformv1.ReasonHostConflict, "Host %s is already served by tenant %s; choose another host", host, other)
	}
	if !builders.KnownTimeZone(string(t.Spec.TimeZone)) && t.Spec.TimeZone != "" {
		return keepLast(platformv1.ReasonInvalidSpec, "spec.timeZone %q is not in the IANA time zone database", t.Spec.TimeZone)
	}
	oidcSecret, err := r.oidcClientSecret(ctx, t)
	if err != nil {
		p.WakeIn(r.Platform.RetryInterval)
		return keepLast(platformv1.ReasonOIDCSecretMissing, "%v", err)
	}
	var rosteringSecret string
	if ro := t.Spec.Rostering; ro != nil {
		if rosteringSecret, err = r.tenantSecretValue(ctx, t, ro.ClientSecret, "spec.rostering.clientSecret"); err != nil {
			p.WakeIn(r.Platform.RetryInterval)
			return keepLast(platformv1.ReasonRosteringSecretMissing, "%v", err)
		}
	}
	published, err := r.publishedSchools(ctx, t)
	if err != nil {
		return err
	}
	features, err := r.tenantFlags(ctx, t)
	if err != nil {
		return err
	}
	entry := builders.BuildEntry(t, builders.EntryInput{
		Topology: p.top, Database: p.names.Database,
		App:              directory.Credentials{User: p.creds[builders.CredentialApp].User, Password: p.creds[builders.CredentialApp].Password},
		System:           directory.Credentials{User: p.creds[builders.CredentialSystem].User, Password: p.creds[builders.CredentialSystem].Password},
		Owner:            directory.Credentials{User: p.creds[builders.CredentialOwner].User, Password: p.creds[builders.CredentialOwner].Password},
		Schools:          published,
		Admins:           p.admins,
		OIDCClientSecret: oidcSecret,
		RosteringSecret:  rosteringSecret,
		Features:         features,
		FlagTokens:       p.flagTokens,
	})
	data, err := directory.Marshal(entry)
	if err != nil {
		return keepLast(platformv1.ReasonInvalidSpec, "The directory entry would be invalid: %v", err)
	}
	want := builders.BuildDirectorySecret(t, r.Platform.LMSNamespace, data)
	_, wrote, err := reconcile.Ensure(ctx, p.objects, want, func(have, want *corev1.Secret) { have.Data = want.Data })
	if err != nil {
		if apierrors.IsNotFound(err) {
			p.Condition(platformv1.TenantPublished, false, platformv1.ReasonLMSNamespaceMissing,
				"Namespace %s, where the directory is published, does not exist", r.Platform.LMSNamespace)
			return reconcile.ErrNextLoop
		}
		return p.Fail(platformv1.TenantPublished, platformv1.ReasonProvisioningFailed, err, "%v", err)
	}
	hash := directory.Hash(data)
	if wrote != reconcile.Unchanged {
		r.Events.Eventf(t, corev1.EventTypeNormal, eventPublished,
			"Published directory entry %s/%s (%d schools, hash %s)", want.Namespace, want.Name, len(published), hash)
	}
	p.status.DirectorySecret = want.Namespace + "/" + want.Name
	p.status.DirectoryHash = hash
	p.status.Schools = int32(len(published))
	p.published = published
	p.Condition(platformv1.TenantPublished, true, platformv1.ReasonReconciled,
		"Directory entry %s lists %d schools", p.status.DirectorySecret, len(published))
	return nil
}

// withdraw removes the tenant's directory entry, so the LMS stops serving
// it, and records why.
func (r *TenantReconciler) withdraw(ctx context.Context, p *tenantPass, why string) error {
	s := &corev1.Secret{}
	s.Namespace, s.Name = r.Platform.LMSNamespace, directory.SecretName(p.tenant.Name)
	removed, err := reconcile.Remove(ctx, p.objects, s)
	if err != nil {
		return err
	}
	if removed {
		r.Events.Eventf(p.tenant, corev1.EventTypeWarning, eventWithdrawn,
			"Removed directory entry %s/%s: %s", s.Namespace, s.Name, why)
	}
	p.status.DirectorySecret, p.status.DirectoryHash = "", ""
	return nil
}

// holdLastEntry ends a failed pass. A tenant the LMS already serves keeps
// its last entry: the credentials in it still work, and when the database
// itself is down the LMS answers with its own per-tenant 503 page. Taking the
// entry away would turn a passing problem (a switchover, a lost admin Secret,
// the operator's own connection failing) into "no district here" for every
// school of the district. Only deletion, a host conflict and an invalid spec
// withdraw an entry (reconcilePublish and finalize).
func (r *TenantReconciler) holdLastEntry(p *tenantPass, passErr error) error {
	deps := p.dependencies()
	for _, typ := range deps[:len(deps)-1] {
		c := meta.FindStatusCondition(p.status.Conditions, typ)
		if c == nil || c.Status != metav1.ConditionFalse {
			continue
		}
		why := fmt.Sprintf("%s: %s", typ, c.Message)
		if p.status.DirectorySecret == "" {
			p.Condition(platformv1.TenantPublished, false, platformv1.ReasonNotServable, "Not published while %s", why)
			break
		}
		meta.SetStatusCondition(&p.status.Conditions, metav1.Condition{
			Type: platformv1.TenantPublished, Status: metav1.ConditionUnknown, Reason: platformv1.ReasonKeptLastEntry,
			Message:            fmt.Sprintf("The LMS keeps serving the last good entry %s while %s", p.status.DirectorySecret, why),
			ObservedGeneration: p.tenant.Generation, LastTransitionTime: metav1.NewTime(p.Now),
		})
		break
	}
	return passErr
}

// tenantHostIndex indexes Tenants in the manager's cache by each host of
// spec.hosts, so the host-conflict check looks up the few tenants sharing a
// host instead of listing (and copying) every tenant on every pass, which
// made a full resync quadratic in the number of tenants.
const tenantHostIndex = "spec.hosts"

func indexTenantHosts(o client.Object) []string {
	t, ok := o.(*platformv1.Tenant)
	if !ok {
		return nil
	}
	return t.Spec.Hosts
}

// hostConflict names a tenant that has precedence over t for one of t's
// hosts: one already published wins over one that is not (a serving district
// never loses its host to a newcomer), then the older one.
func (r *TenantReconciler) hostConflict(ctx context.Context, t *platformv1.Tenant) (string, string, error) {
	checked := map[string]bool{t.Name: true}
	for _, h := range t.Spec.Hosts {
		var sharing platformv1.TenantList
		if err := r.Client.List(ctx, &sharing, client.MatchingFields{tenantHostIndex: h}); err != nil {
			return "", "", err
		}
		for i := range sharing.Items {
			o := &sharing.Items[i]
			if checked[o.Name] || !o.DeletionTimestamp.IsZero() {
				continue
			}
			// A tenant sharing several hosts is judged once, on the first.
			checked[o.Name] = true
			// Precedence hangs on both tenants' status, which the cache
			// may not have caught up with: read them from the API.
			fresh, self := &platformv1.Tenant{}, &platformv1.Tenant{}
			if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(o), fresh); err != nil {
				if apierrors.IsNotFound(err) {
					continue
				}
				return "", "", err
			}
			if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(t), self); err != nil {
				return "", "", err
			}
			if fresh.DeletionTimestamp.IsZero() && precedes(fresh, self) {
				return o.Name, h, nil
			}
		}
	}
	return "", "", nil
}

func precedes(a, b *platformv1.Tenant) bool {
	if ap, bp := published(a), published(b); ap != bp {
		return ap
	}
	return olderThan(a, b)
}

// published says whether a tenant's entry is in the directory, including
// a last good entry kept through a failure.
func published(t *platformv1.Tenant) bool {
	return t.Status.DirectorySecret != ""
}

// olderThan orders by creation time, which has one-second resolution; ties
// go by name so both tenants agree.
func olderThan(a, b *platformv1.Tenant) bool {
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Name < b.Name
}

// oidcClientSecret reads the OIDC client secret from the tenant namespace.
func (r *TenantReconciler) oidcClientSecret(ctx context.Context, t *platformv1.Tenant) (string, error) {
	o := t.Spec.SignIn.OIDC
	if o == nil {
		return "", nil
	}
	s := &corev1.Secret{}
	key := types.NamespacedName{Namespace: t.NamespaceName(), Name: o.ClientSecret.Name}
	if err := r.APIReader.Get(ctx, key, s); err != nil {
		if apierrors.IsNotFound(err) {
			return "", fmt.Errorf("Secret %s (spec.signIn.oidc.clientSecret) does not exist", key)
		}
		return "", err
	}
	v := string(s.Data[o.ClientSecret.Key])
	if v == "" {
		return "", fmt.Errorf("Secret %s has no key %q (spec.signIn.oidc.clientSecret)", key, o.ClientSecret.Key)
	}
	return v, nil
}

// tenantSecretValue reads a key of a Secret in the tenant namespace that
// field (such as spec.rostering.clientSecret) names.
func (r *TenantReconciler) tenantSecretValue(ctx context.Context, t *platformv1.Tenant, ref platformv1.SecretKeyReference, field string) (string, error) {
	s := &corev1.Secret{}
	key := types.NamespacedName{Namespace: t.NamespaceName(), Name: ref.Name}
	if err := r.APIReader.Get(ctx, key, s); err != nil {
		if apierrors.IsNotFound(err) {
			return "", fmt.Errorf("Secret %s (%s) does not exist", key, field)
		}
		return "", err
	}
	v := string(s.Data[ref.Key])
	if v == "" {
		return "", fmt.Errorf("Secret %s has no key %q (%s)", key, ref.Key, field)
	}
	return v, nil
}

// publishedSchools are the valid Schools of the tenant's namespace.
func (r *TenantReconciler) publishedSchools(ctx context.Context, t *platformv1.Tenant) ([]platformv1.School, error) {
	var schools platformv1.SchoolList
	if err := r.Client.List(ctx, &schools, client.InNamespace(t.NamespaceName())); err != nil {
		return nil, err
	}
	published, _ := builders.SelectSchools(t.NamespaceName(), schools.Items)
	return published, nil
}

// tenantFlags are the feature flags the tenant's entry carries: the
// platform's (FeatureFlags in the operator's namespace) and the tenant's own,
// resolved for it. A flag that does not validate is published with its
// default or left out (the FeatureFlag's status says which); it never holds
// the entry back.
func (r *TenantReconciler) tenantFlags(ctx context.Context, t *platformv1.Tenant) (flags.Set, error) {
	var platform, own platformv1.FeatureFlagList
	if err := r.Client.List(ctx, &platform, client.InNamespace(r.Platform.OperatorNamespace)); err != nil {
		return nil, fmt.Errorf("list platform FeatureFlags: %w", err)
	}
	if err := r.Client.List(ctx, &own, client.InNamespace(t.NamespaceName())); err != nil {
		return nil, fmt.Errorf("list FeatureFlags of %s: %w", t.NamespaceName(), err)
	}
	set, _ := builders.TenantFlags(t.Name, platform.Items, own.Items)
	return set, nil
}
