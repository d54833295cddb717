// Package controllers holds one reconciler per Bellwork kind. Each
// reconciler's Reconcile is a table of contents; its phases live in
// <kind>_<phase>.go files beside their tests.
//
// Every file is named for its kind: tenant_*.go and school_*.go today, and
// for the kinds still to come lmsdeploy_*.go (the Deployment kind: a bare
// "deployment" would read as apps/v1), backuppolicy_*.go, alertrule_*.go
// and featureflag_*.go. Each controller has its options struct
// (TenantOptions, SchoolOptions, ...) beside Platform, the settings they
// share, in options.go.
//
// A controller builds its passes from internal/reconcile: its pass type
// embeds reconcile.Pass, child objects are written with reconcile.Ensure
// and Remove, status with reconcile.PatchStatus, and phases end a pass with
// reconcile.ErrNextLoop or ErrTerminateLoop. What a later pass decides from
// is kept in status or in the objects themselves, never only in the
// reconciler's memory, so a restarted operator or a new leader carries on
// as the old one would have.
package controllers

// The operator reads and writes its own kinds and their status.
// +kubebuilder:rbac:groups=platform.bellwork.dev,resources=tenants;schools;backuppolicies;alertrules;featureflags;deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=platform.bellwork.dev,resources=tenants/status;schools/status;backuppolicies/status;alertrules/status;featureflags/status;deployments/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=platform.bellwork.dev,resources=tenants/finalizers;schools/finalizers;backuppolicies/finalizers;alertrules/finalizers;featureflags/finalizers;deployments/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete
