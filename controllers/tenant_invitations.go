package controllers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/pkg/directory"
)

// InvitationLifetime is how long an admin's sign-in link works.
const InvitationLifetime = 14 * 24 * time.Hour

// reconcileInvitations gives each admin a one-time token, kept as a
// sign-in link in the admin-invitations Secret; the directory carries only
// the token's SHA-256. Tokens stay the same across passes and are replaced
// only when missing or expired.
func (r *TenantReconciler) reconcileInvitations(ctx context.Context, p *tenantPass) error {
	t := p.tenant
	fail := func(err error) error {
		return p.Fail(platformv1.TenantCredentialsReady, platformv1.ReasonProvisioningFailed, err, "Secret %s: %v", builders.InvitationSecretName, err)
	}
	// Tokens already handed out must never be replaced because the cache
	// did not show their Secret: look it up before taking it for missing.
	have := &corev1.Secret{}
	err := p.objects.Lookup(ctx, inNamespace(t, builders.InvitationSecretName), have)
	if apierrors.IsNotFound(err) {
		have = nil
	} else if err != nil {
		return fail(err)
	}
	if len(t.Spec.Admins) == 0 {
		p.admins, p.status.AdminInvitationSecret = nil, ""
		if have != nil && have.Labels[builders.TenantLabel] == t.Name {
			if _, err := reconcile.Remove(ctx, p.objects, have); err != nil {
				return fail(err)
			}
		}
		return nil
	}

	expiry := map[string]string{}
	if have != nil {
		_ = json.Unmarshal([]byte(have.Annotations[builders.InvitationExpiryAnnotation]), &expiry)
	}
	links, newExpiry := map[string]string{}, map[string]string{}
	p.admins = nil
	for _, email := range t.Spec.Admins {
		key := builders.InvitationKey(email)
		var token string
		if have != nil {
			token = builders.InvitationToken(string(have.Data[key]))
		}
		expires, err := time.Parse(time.RFC3339, expiry[key])
		if token == "" || err != nil || !p.Now.Before(expires) {
			token, expires = newToken(), p.Now.Add(InvitationLifetime).UTC()
		}
		links[key] = directory.InvitationURL(t.Spec.Hosts[0], r.Options.LMSPort, token)
		newExpiry[key] = expires.UTC().Format(time.RFC3339)
		sum := sha256.Sum256([]byte(token))
		p.admins = append(p.admins, directory.Admin{Email: email, TokenSHA256: hex.EncodeToString(sum[:]), ExpiresAt: expires.UTC()})
		p.WakeIn(expires.Sub(p.Now))
	}
	expiryJSON, err := json.Marshal(newExpiry)
	if err != nil {
		return fail(err)
	}
	want := builders.BuildInvitationSecret(t, links, string(expiryJSON))
	if _, _, err := reconcile.Ensure(ctx, p.objects, want, func(have, want *corev1.Secret) { have.Data = want.Data }); err != nil {
		return fail(err)
	}
	p.status.AdminInvitationSecret = builders.InvitationSecretName
	return nil
}

// newToken is 32 bytes from crypto/rand, base64url encoded.
func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
