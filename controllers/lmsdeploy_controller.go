package controllers

import (
	"context"
	"net/http"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/notify"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/pkg/directory"
)

// +kubebuilder:rbac:groups=platform.bellwork.dev,resources=deployments,verbs=get;list;watch
// +kubebuilder:rbac:groups=platform.bellwork.dev,resources=deployments/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=services,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch
// +kubebuilder:rbac:groups=discovery.k8s.io,resources=endpointslices,verbs=get;list;watch

// LMSDeployReconciler runs the LMS fleet of each lmsdeploy (the
// platform.bellwork.dev Deployment) and rolls it out blue-green. The
// rollout's decisions are internal/rollout's pure step function; this
// controller observes, measures, writes the status the step decided, and
// then makes the objects match it.
type LMSDeployReconciler struct {
	Client    client.Client
	APIReader client.Reader
	Events    record.EventRecorder
	Platform  Platform
	Options   LMSDeployOptions
	// HTTP takes web and metrics measurements.
	HTTP *http.Client
	// Notifier delivers rollout messages.
	Notifier *notify.Webhook
}

// Reconcile is the table of contents: read the lmsdeploy, find out where
// its rollout stands and act on it, and turn the outcome into a result.
// Children go with it through their owner references when it is deleted.
func (r *LMSDeployReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	d := &platformv1.Deployment{}
	if err := r.Client.Get(ctx, req.NamespacedName, d); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !d.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	p := newLMSDeployPass(d, r.now())
	err := r.reconcile(ctx, p)
	if err != nil && !reconcile.IsSentinel(err) {
		if apierrors.IsNotFound(err) {
			return ctrl.Result{}, nil
		}
		log.FromContext(ctx).Error(err, "Reconcile failed", "phase", p.Phase())
	}
	p.RecordChanges(r.Events, d, "Reconciled")
	return reconcile.Result(err, r.Platform.RetryInterval, p.Next(r.Options.ResyncInterval))
}

// reconcile moves the rollout on, phase by phase.
func (r *LMSDeployReconciler) reconcile(ctx context.Context, p *lmsDeployPass) error {
	phases := []reconcile.Phase[*lmsDeployPass]{
		// The fleet lives where the tenant directory is.
		{Name: "validate", Run: r.validate},
		// What runs: the colours, the active Service's endpoints, the
		// Jobs of the rollout, the affected tenants and their schools.
		{Name: "observe", Run: r.observe},
		// The web and metrics checks that are due.
		{Name: "measure", Run: r.measure},
		// The step function decides; its status is written first.
		{Name: "decide", Run: r.decide},
		// Colour Deployments, Services and the PDB follow the written status.
		{Name: "apply", Run: r.apply},
		// Migration and check Jobs the step asked for; old ones go.
		{Name: "jobs", Run: r.jobs},
		// Rollout messages to the webhook.
		{Name: "notify", Run: r.notify},
	}
	return reconcile.RunPhases(ctx, p, phases)
}

func (r *LMSDeployReconciler) now() time.Time {
	if r.Options.Clock != nil {
		return r.Options.Clock()
	}
	return time.Now()
}

// SetupWithManager watches lmsdeploys, what they own, the active Service's
// endpoints, and the tenants, schools and directory entries that decide
// migrations and deploy windows.
func (r *LMSDeployReconciler) SetupWithManager(mgr ctrl.Manager) error {
	c := mgr.GetClient()
	all := func(ctx context.Context, ns string) []ctrl.Request {
		var list platformv1.DeploymentList
		var opts []client.ListOption
		if ns != "" {
			opts = append(opts, client.InNamespace(ns))
		}
		if err := c.List(ctx, &list, opts...); err != nil {
			return nil
		}
		out := make([]ctrl.Request, 0, len(list.Items))
		for _, d := range list.Items {
			out = append(out, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(&d)})
		}
		return out
	}
	everyFleet := handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, _ client.Object) []ctrl.Request { return all(ctx, "") })
	return ctrl.NewControllerManagedBy(mgr).
		Named("lmsdeploy").
		For(&platformv1.Deployment{}).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.Service{}).
		Owns(&batchv1.Job{}).
		Owns(&policyv1.PodDisruptionBudget{}).
		Watches(&discoveryv1.EndpointSlice{}, handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []ctrl.Request {
			svc := o.GetLabels()[discoveryv1.LabelServiceName]
			if o.GetLabels()[builders.ManagedByLabel] != builders.ManagedByValue || svc == "" {
				return nil
			}
			return []ctrl.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: strings.TrimSuffix(svc, "-preview")}}}
		})).
		Watches(&platformv1.Tenant{}, everyFleet).
		Watches(&platformv1.School{}, everyFleet).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
			if o.GetLabels()[directory.LabelKey] != directory.LabelValue {
				return nil
			}
			return all(ctx, o.GetNamespace())
		})).
		Complete(r)
}
