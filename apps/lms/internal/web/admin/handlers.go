// Package admin is the district and school administrators' pages: people and their roles, schools, terms, roster imports and the audit log.
package admin

import "bellwork.dev/bellwork/apps/lms/internal/web/kit"

// Handlers serve this area's pages; web/routes.go lists their routes, each
// with its permission and templates.
type Handlers struct{ *kit.Kit }

// New gives the area what every handler needs.
func New(k *kit.Kit) *Handlers { return &Handlers{Kit: k} }
