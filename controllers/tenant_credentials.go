package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/pgadmin"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/pkg/directory"
)

// A credential Secret is the source of truth for its password: the Secret
// is written first and Postgres follows it. These annotations on it record
// what the operator needs to stay level-triggered across restarts.
const (
	// annChecksum is a digest of the user and password Postgres was last
	// given; when it does not match the Secret's data, Postgres is behind.
	annChecksum = "platform.bellwork.dev/password-checksum"
	// annVerified is a digest of the verifier Postgres holds together with
	// the user and password it was seen to accept: while Postgres holds
	// that verifier, the password is not checked again (see passwordMatches).
	annVerified = "platform.bellwork.dev/verified-checksum"
	// annRotationRequest is the spec.database.credentials.rotationRequest
	// the password was generated for.
	annRotationRequest = "platform.bellwork.dev/rotation-request"
	// annRotatedAt is when the password was generated (RFC 3339).
	annRotatedAt = "platform.bellwork.dev/rotated-at"
	// annRetiringLogin and annRetireAfter, on db-app only, name the app
	// login used before the last rotation and when its password is dropped.
	annRetiringLogin = "platform.bellwork.dev/retiring-login"
	annRetireAfter   = "platform.bellwork.dev/retire-after"
)

// reconcileCredentials keeps each role's password in its Secret and in
// Postgres, rotates passwords when asked to or when due, and retires the
// previous app login once the grace period has passed.
func (r *TenantReconciler) reconcileCredentials(ctx context.Context, p *tenantPass) error {
	p.creds = map[builders.CredentialKind]builders.Credential{}
	s, err := p.maintenanceSession(ctx)
	if err != nil {
		return err
	}
	if p.verifiers, p.verifiable, err = pgadmin.InspectPasswords(ctx, s, p.names.Roles()); err != nil {
		return p.Fail(platformv1.TenantCredentialsReady, platformv1.ReasonDatabaseUnreachable, err, "%v", err)
	}
	for _, kind := range builders.CredentialKinds {
		c, err := r.reconcileCredential(ctx, p, kind)
		if err != nil {
			return p.Fail(platformv1.TenantCredentialsReady, platformv1.ReasonProvisioningFailed, err,
				"Secret %s: %v", kind.SecretName(), err)
		}
		p.creds[kind] = c
	}
	p.status.Credentials = credentialsStatus(p)
	// Passwords are the last of the spec the database holds: it is applied
	// in full, and what differs there from now on was changed by hand.
	p.status.AppliedGeneration = p.tenant.Generation
	app := p.creds[builders.CredentialApp]
	if retiring := app.Annotations[annRetiringLogin]; retiring != "" {
		p.Condition(platformv1.TenantCredentialsReady, true, platformv1.ReasonRotating,
			"The LMS now uses %s; %s keeps its password until %s", app.User, retiring, app.Annotations[annRetireAfter])
		return nil
	}
	p.Condition(platformv1.TenantCredentialsReady, true, platformv1.ReasonReconciled,
		"Passwords are in Secrets db-owner, db-app (%s), db-system, db-readonly and db-backup", app.User)
	return nil
}

// reconcileCredential brings one credential to where it should be, in
// crash-safe steps: (1) decide the login and password and write them to the
// Secret; (2) give Postgres the password and record that on the Secret;
// (3) for the app login, retire the previous login after the grace period.
// A pass interrupted anywhere resumes from the Secret.
func (r *TenantReconciler) reconcileCredential(ctx context.Context, p *tenantPass, kind builders.CredentialKind) (builders.Credential, error) {
	// A Secret the cache does not show (it lost the operator's label) is
	// still the source of truth: look it up before taking it for missing.
	secret := &corev1.Secret{}
	err := p.objects.Lookup(ctx, inNamespace(p.tenant, kind.SecretName()), secret)
	if apierrors.IsNotFound(err) {
		secret = nil
	} else if err != nil {
		return builders.Credential{}, err
	}
	c := r.decideCredential(ctx, p, kind, secret)

	if _, err := writeCredentialSecret(ctx, p, c); err != nil {
		return c, err
	}
	s, err := p.maintenanceSession(ctx)
	if err != nil {
		return c, err
	}
	// Postgres is behind the Secret when the Secret changed since Postgres
	// was last told, when the role was just (re)created, or when the stored
	// verifier does not accept the Secret's password (changed by hand, a
	// restored server).
	applied := c.Annotations[annChecksum] == checksum(c.User, c.Password)
	stored := p.verifiers[c.User]
	stale := p.createdRoles[c.User] || (p.verifiable && !passwordMatches(c, stored))
	verified := c.Annotations[annVerified]
	if p.verifiable && !stale {
		verified = verifiedChecksum(stored, c.User, c.Password)
	}
	if !applied || stale {
		verifier := pgadmin.SCRAMVerifier(c.Password)
		change := pgadmin.SetVerifier(c.User, verifier)
		if applied {
			change.Drift = fmt.Sprintf("the password of role %s did not match Secret %s; set again", c.User, kind.SecretName())
		}
		if err := r.run(ctx, p, s, []pgadmin.Change{change}); err != nil {
			return c, err
		}
		verified = verifiedChecksum(verifier, c.User, c.Password)
	}
	if !applied || verified != c.Annotations[annVerified] {
		c.Annotations[annChecksum] = checksum(c.User, c.Password)
		if verified != "" {
			c.Annotations[annVerified] = verified
		}
		if _, err = writeCredentialSecret(ctx, p, c); err != nil {
			return c, err
		}
	}
	if kind == builders.CredentialApp {
		if c, err = r.retireAppLogin(ctx, p, s, c); err != nil {
			return c, err
		}
	}
	if every := p.tenant.Spec.Database.Credentials.RotateEvery; every != nil && every.Duration > 0 {
		p.WakeIn(rotatedAt(c).Add(every.Duration).Sub(p.Now))
	}
	return c, nil
}

// decideCredential reads the credential a Secret holds and decides the one
// it should hold: a fresh password when there is none, or when a rotation
// is requested or due. Rotating the app credential switches to the other
// app login and schedules the current one for retirement.
func (r *TenantReconciler) decideCredential(ctx context.Context, p *tenantPass, kind builders.CredentialKind, secret *corev1.Secret) builders.Credential {
	spec := p.tenant.Spec.Database.Credentials
	fresh := func(user string) builders.Credential {
		return builders.Credential{Kind: kind, User: user, Password: pgadmin.GeneratePassword(), Annotations: map[string]string{
			annRotationRequest: spec.RotationRequest,
			annRotatedAt:       p.Now.UTC().Format(time.RFC3339),
		}}
	}
	switchTo := func(from string) builders.Credential {
		c := fresh(p.names.OtherAppLogin(from))
		c.Annotations[annRetiringLogin] = from
		c.Annotations[annRetireAfter] = p.Now.Add(r.Options.RotationGrace).UTC().Format(time.RFC3339)
		r.Events.Eventf(p.tenant, corev1.EventTypeNormal, eventRotated,
			"Switching the LMS from %s to %s; %s keeps its password for %s", from, c.User, from, r.Options.RotationGrace)
		return c
	}

	cur, ok := credentialFrom(kind, secret, p.names)
	if !ok {
		if kind != builders.CredentialApp {
			return fresh(roleOf(kind, p.names))
		}
		// The LMS may still be using the login the status names: move it
		// to the other one, gracefully, rather than pull its password.
		if prev := p.before.Credentials; prev != nil && prev.ActiveAppLogin != "" && secret == nil {
			return switchTo(prev.ActiveAppLogin)
		}
		return fresh(p.names.Blue)
	}
	due := cur.Annotations[annRotationRequest] != spec.RotationRequest
	if every := spec.RotateEvery; every != nil && every.Duration > 0 && !p.Now.Before(rotatedAt(cur).Add(every.Duration)) {
		due = true
	}
	if !due {
		return cur
	}
	if kind != builders.CredentialApp {
		r.Events.Eventf(p.tenant, corev1.EventTypeNormal, eventRotated, "Rotating the password of %s", cur.User)
		c := fresh(cur.User)
		c.Annotations[annChecksum] = cur.Annotations[annChecksum]
		return c
	}
	if cur.Annotations[annRetiringLogin] != "" {
		// One rotation at a time: the previous login retires first.
		log.FromContext(ctx).Info("Deferred app rotation until the previous login retires", "login", cur.Annotations[annRetiringLogin])
		return cur
	}
	c := switchTo(cur.User)
	c.Annotations[annChecksum] = cur.Annotations[annChecksum]
	return c
}

// retireAppLogin replaces the previous app login's password with one
// nobody knows once the grace period has passed. Sessions it has open stay
// open; new ones are refused.
func (r *TenantReconciler) retireAppLogin(ctx context.Context, p *tenantPass, s pgadmin.Session, c builders.Credential) (builders.Credential, error) {
	retiring := c.Annotations[annRetiringLogin]
	if retiring == "" {
		return c, nil
	}
	after, err := time.Parse(time.RFC3339, c.Annotations[annRetireAfter])
	if err == nil && p.Now.Before(after) {
		p.WakeIn(after.Sub(p.Now))
		return c, nil
	}
	// Never while the directory still carries the old login (publishing
	// may have been held up past the grace period).
	if published, err := r.publishedAppLogin(ctx, p); err != nil {
		return c, err
	} else if published != "" && published != c.User {
		p.WakeIn(r.Platform.RetryInterval)
		return c, nil
	}
	if retiring != c.User && p.names.IsRole(retiring) {
		if err := r.run(ctx, p, s, []pgadmin.Change{pgadmin.SetPassword(retiring, pgadmin.GeneratePassword())}); err != nil {
			return c, err
		}
		r.Events.Eventf(p.tenant, corev1.EventTypeNormal, eventRotated,
			"Retired app login %s: its password was replaced by one nobody knows", retiring)
	}
	delete(c.Annotations, annRetiringLogin)
	delete(c.Annotations, annRetireAfter)
	_, err = writeCredentialSecret(ctx, p, c)
	return c, err
}

// publishedAppLogin is the app login in the tenant's directory entry, or "".
func (r *TenantReconciler) publishedAppLogin(ctx context.Context, p *tenantPass) (string, error) {
	s := &corev1.Secret{}
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: r.Platform.LMSNamespace, Name: directory.SecretName(p.tenant.Name)}, s)
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	e, err := directory.Unmarshal(s.Data[directory.EntryKey])
	if err != nil {
		return "", nil
	}
	return e.Database.App.User, nil
}

// writeCredentialSecret writes a credential to its Secret; the operator's
// annotations are replaced as a set, others are kept.
func writeCredentialSecret(ctx context.Context, p *tenantPass, c builders.Credential) (*corev1.Secret, error) {
	want := builders.BuildCredentialsSecret(p.tenant, p.top, p.names.Database, c)
	have, _, err := reconcile.Ensure(ctx, p.objects, want, func(have, want *corev1.Secret) {
		have.Data = want.Data
		for _, k := range credentialAnnotations {
			if _, ok := want.Annotations[k]; !ok {
				delete(have.Annotations, k)
			}
		}
	})
	return have, err
}

// credentialAnnotations are the annotations the operator keeps on a
// credential Secret.
var credentialAnnotations = []string{annChecksum, annVerified, annRotationRequest, annRotatedAt, annRetiringLogin, annRetireAfter}

// credentialFrom reads a credential Secret; ok is false when it holds no
// usable login for kind.
func credentialFrom(kind builders.CredentialKind, s *corev1.Secret, n pgadmin.Names) (builders.Credential, bool) {
	if s == nil {
		return builders.Credential{}, false
	}
	c := builders.Credential{Kind: kind, User: string(s.Data[builders.KeyUsername]), Password: string(s.Data[builders.KeyPassword]),
		Annotations: map[string]string{}}
	for _, k := range credentialAnnotations {
		if v, ok := s.Annotations[k]; ok {
			c.Annotations[k] = v
		}
	}
	if _, ok := c.Annotations[annRotatedAt]; !ok {
		c.Annotations[annRotatedAt] = s.CreationTimestamp.UTC().Format(time.RFC3339)
	}
	validUser := c.User == roleOf(kind, n)
	if kind == builders.CredentialApp {
		validUser = c.User == n.Blue || c.User == n.Green
	}
	return c, validUser && pgadmin.ValidPassword(c.Password)
}

func roleOf(kind builders.CredentialKind, n pgadmin.Names) string {
	switch kind {
	case builders.CredentialOwner:
		return n.Owner
	case builders.CredentialSystem:
		return n.System
	case builders.CredentialReadonly:
		return n.Readonly
	case builders.CredentialBackup:
		return n.Backup
	}
	return n.Blue
}

func rotatedAt(c builders.Credential) time.Time {
	t, err := time.Parse(time.RFC3339, c.Annotations[annRotatedAt])
	if err != nil {
		return time.Time{}
	}
	return t
}

// passwordMatches says whether the stored verifier accepts the
// credential's password. A SCRAM check costs thousands of hash rounds and
// every pass of every tenant asks, so a Secret records the verifier the
// operator last saw accept its password (annVerified): while Postgres
// holds that verifier the answer is known without the rounds, after a
// restart too.
func passwordMatches(c builders.Credential, stored string) bool {
	if v := c.Annotations[annVerified]; v != "" && v == verifiedChecksum(stored, c.User, c.Password) {
		return true
	}
	return pgadmin.PasswordMatches(stored, c.User, c.Password)
}

// verifiedChecksum identifies a stored verifier together with the user and
// password it accepts, without revealing either.
func verifiedChecksum(stored, user, password string) string {
	sum := sha256.Sum256([]byte(stored + "\x00" + user + "\x00" + password))
	return hex.EncodeToString(sum[:8])
}

// checksum identifies a user and password without revealing the password.
func checksum(user, password string) string {
	sum := sha256.Sum256([]byte(user + "\x00" + password))
	return hex.EncodeToString(sum[:8])
}

// credentialsStatus summarises the credentials for status: never a password.
func credentialsStatus(p *tenantPass) *platformv1.CredentialsStatus {
	st := &platformv1.CredentialsStatus{}
	observed := p.tenant.Spec.Database.Credentials.RotationRequest
	for _, c := range p.creds {
		if t := rotatedAt(c); !t.IsZero() && (st.LastRotationTime == nil || t.After(st.LastRotationTime.Time)) {
			st.LastRotationTime = &metav1.Time{Time: t}
		}
		if c.Annotations[annRotationRequest] != observed {
			observed = ""
			if p.before.Credentials != nil {
				observed = p.before.Credentials.ObservedRotationRequest
			}
		}
	}
	st.ObservedRotationRequest = observed
	app := p.creds[builders.CredentialApp]
	st.ActiveAppLogin = app.User
	st.RetiringAppLogin = app.Annotations[annRetiringLogin]
	if t, err := time.Parse(time.RFC3339, app.Annotations[annRetireAfter]); err == nil && st.RetiringAppLogin != "" {
		st.RetireAfter = &metav1.Time{Time: t}
	}
	return st
}
