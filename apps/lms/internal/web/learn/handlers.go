// Package learn is what a student (or a guardian, for each child) is enrolled in.
package learn

import "bellwork.dev/bellwork/apps/lms/internal/web/kit"

// Handlers serve this area's pages; web/routes.go lists their routes, each
// with its permission and templates.
type Handlers struct{ *kit.Kit }

// New gives the area what every handler needs.
func New(k *kit.Kit) *Handlers { return &Handlers{Kit: k} }
