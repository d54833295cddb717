// Package controllers holds one reconciler per Bellwork kind. Each
// reconciler's Reconcile is a table of contents; its phases live in
// <kind>_<phase>.go files beside their tests.
package controllers

// The operator reads and writes its own kinds and their status.
// +kubebuilder:rbac:groups=platform.bellwork.dev,resources=tenants;schools;backuppolicies;alertrules;featureflags;deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=platform.bellwork.dev,resources=tenants/status;schools/status;backuppolicies/status;alertrules/status;featureflags/status;deployments/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=platform.bellwork.dev,resources=tenants/finalizers;schools/finalizers;backuppolicies/finalizers;alertrules/finalizers;featureflags/finalizers;deployments/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete
