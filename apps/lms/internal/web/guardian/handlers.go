// Package guardian is the guardian portal: one page across all linked
// children (due and missing this week, recent posted grades, course
// grades, teacher comments) and a read-only page per child's assignment.
package guardian

import "bellwork.dev/bellwork/apps/lms/internal/web/kit"

// Handlers serve this area's pages; web/routes.go lists their routes, each
// with its permission and templates.
type Handlers struct{ *kit.Kit }

// New gives the area what every handler needs.
func New(k *kit.Kit) *Handlers { return &Handlers{Kit: k} }
