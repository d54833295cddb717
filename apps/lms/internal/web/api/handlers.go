// Package api is the JSON API under /api/v1: each endpoint names its request and response types (docs.go), from which the OpenAPI document is generated. Errors are problem+json.
package api

import "bellwork.dev/bellwork/apps/lms/internal/web/kit"

// Handlers serve this area's pages; web/routes.go lists their routes, each
// with its permission and templates.
type Handlers struct{ *kit.Kit }

// New gives the area what every handler needs.
func New(k *kit.Kit) *Handlers { return &Handlers{Kit: k} }
