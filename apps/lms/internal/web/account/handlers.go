// Package account is everything about a person's own access: signing in
// (password or the district's OIDC provider) and out, invitations,
// password resets, their profile and the role they act in.
package account

import "bellwork.dev/bellwork/apps/lms/internal/web/kit"

// Handlers serve this area's pages; web/routes.go lists their routes, each
// with its permission and templates.
type Handlers struct {
	*kit.Kit
	oidc *oidcProviders
}

// New gives the area what every handler needs.
func New(k *kit.Kit) *Handlers { return &Handlers{Kit: k, oidc: newOIDCProviders()} }
