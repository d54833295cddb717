package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// reconcileFlagToken gives the district a token for the LMS's OFREP
// endpoint, kept in the flag-token Secret of its namespace for the
// district's services to mount; the directory carries only its SHA-256.
// The token stays across passes; deleting the Secret rotates it.
func (r *TenantReconciler) reconcileFlagToken(ctx context.Context, p *tenantPass) error {
	t := p.tenant
	have := &corev1.Secret{}
	err := p.objects.Lookup(ctx, inNamespace(t, builders.FlagTokenSecretName), have)
	token := ""
	switch {
	case err == nil:
		token = string(have.Data[builders.FlagTokenKey])
	case !apierrors.IsNotFound(err):
		return p.Fail(platformv1.TenantCredentialsReady, platformv1.ReasonProvisioningFailed, err, "Secret %s: %v", builders.FlagTokenSecretName, err)
	}
	if len(token) < 32 {
		token = newToken()
	}
	want := builders.BuildFlagTokenSecret(t, token)
	if _, _, err := reconcile.Ensure(ctx, p.objects, want, func(have, want *corev1.Secret) { have.Data = want.Data }); err != nil {
		return p.Fail(platformv1.TenantCredentialsReady, platformv1.ReasonProvisioningFailed, err, "Secret %s: %v", builders.FlagTokenSecretName, err)
	}
	sum := sha256.Sum256([]byte(token))
	p.flagTokens = []string{hex.EncodeToString(sum[:])}
	return nil
}
