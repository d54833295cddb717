package controllers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/pgadmin"
	"bellwork.dev/bellwork/pkg/directory"
)

// writeCounter counts every write a reconciler makes: API writes, SQL
// statements and Events.
type writeCounter struct {
	mu     sync.Mutex
	writes []string
}

func (w *writeCounter) add(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, fmt.Sprintf(format, args...))
}

func (w *writeCounter) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.writes)
}

// countingClient passes reads through and counts writes.
type countingClient struct {
	client.Client
	w *writeCounter
}

func (c countingClient) Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error {
	c.w.add("create %T %s", obj, obj.GetName())
	return c.Client.Create(ctx, obj, opts...)
}
func (c countingClient) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	c.w.add("update %T %s", obj, obj.GetName())
	return c.Client.Update(ctx, obj, opts...)
}
func (c countingClient) Patch(ctx context.Context, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
	c.w.add("patch %T %s", obj, obj.GetName())
	return c.Client.Patch(ctx, obj, p, opts...)
}
func (c countingClient) Delete(ctx context.Context, obj client.Object, opts ...client.DeleteOption) error {
	c.w.add("delete %T %s", obj, obj.GetName())
	return c.Client.Delete(ctx, obj, opts...)
}
func (c countingClient) DeleteAllOf(ctx context.Context, obj client.Object, opts ...client.DeleteAllOfOption) error {
	c.w.add("delete all %T", obj)
	return c.Client.DeleteAllOf(ctx, obj, opts...)
}
func (c countingClient) Status() client.SubResourceWriter {
	return countingStatus{c.Client.Status(), c.w}
}
func (c countingClient) SubResource(name string) client.SubResourceClient {
	c.w.add("subresource %s", name)
	return c.Client.SubResource(name)
}

type countingStatus struct {
	client.SubResourceWriter
	w *writeCounter
}

func (s countingStatus) Create(ctx context.Context, obj client.Object, sub client.Object, opts ...client.SubResourceCreateOption) error {
	s.w.add("status create %T %s", obj, obj.GetName())
	return s.SubResourceWriter.Create(ctx, obj, sub, opts...)
}
func (s countingStatus) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	s.w.add("status update %T %s", obj, obj.GetName())
	return s.SubResourceWriter.Update(ctx, obj, opts...)
}
func (s countingStatus) Patch(ctx context.Context, obj client.Object, p client.Patch, opts ...client.SubResourcePatchOption) error {
	s.w.add("status patch %T %s", obj, obj.GetName())
	return s.SubResourceWriter.Patch(ctx, obj, p, opts...)
}

// countingConnector counts SQL writes (Session.Exec); reads pass.
type countingConnector struct {
	pgadmin.Connector
	w *writeCounter
}

func (c countingConnector) Open(ctx context.Context, t pgadmin.Target) (pgadmin.Session, error) {
	s, err := c.Connector.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	return countingSession{s, c.w, t.Database}, nil
}

type countingSession struct {
	pgadmin.Session
	w  *writeCounter
	db string
}

func (s countingSession) Exec(ctx context.Context, sql string, args ...any) error {
	s.w.add("SQL in %s: %s", s.db, strings.SplitN(sql, " PASSWORD ", 2)[0])
	return s.Session.Exec(ctx, sql, args...)
}

// countingRecorder counts Events.
type countingRecorder struct{ w *writeCounter }

func (r countingRecorder) Event(_ runtime.Object, typ, reason, msg string) {
	r.w.add("event %s %s: %s", typ, reason, msg)
}
func (r countingRecorder) Eventf(_ runtime.Object, typ, reason, format string, args ...any) {
	r.w.add("event %s %s: %s", typ, reason, fmt.Sprintf(format, args...))
}
func (r countingRecorder) AnnotatedEventf(_ runtime.Object, _ map[string]string, typ, reason, format string, args ...any) {
	r.w.add("event %s %s: %s", typ, reason, fmt.Sprintf(format, args...))
}

// A pass over an unchanged, Ready Tenant (and a synced School) makes no
// API writes, no SQL writes and no Events: everything is compared first.
// Covers an external tenant with every optional part and a pooled
// tenant on a shared CloudNativePG cluster.
func TestUnchangedTenantWritesNothing(t *testing.T) {
	ctx := context.Background()
	sharedCluster(t, "postgres", "shared")
	fakeCNPG(t)
	overrides := map[string]string{"shared-rw.postgres.svc:5432": pgAddress()}
	mgr, _ := runManager(t, func(o *controllers.Options) { o.HostOverrides = overrides })

	full := externalTenant("still")
	full.Spec.Admins = []string{"a@still.example", "b@still.example"}
	full.Spec.Owners = []rbacv1.Subject{{Kind: "Group", Name: "still-it"}, {Kind: "User", Name: "pat"}}
	full.Spec.Namespace = platformv1.TenantNamespace{
		Quota:           corev1.ResourceList{corev1.ResourceRequestsCPU: resource.MustParse("4"), corev1.ResourceRequestsMemory: resource.MustParse("8Gi")},
		DefaultLimits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")},
		DefaultRequests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")},
	}
	full.Spec.Database.Credentials.RotateEvery = &metav1.Duration{Duration: 90 * 24 * time.Hour}
	pooled := cnpgTenant("still-pooled", &platformv1.PoolerSettings{Instances: 2, DefaultPoolSize: 10})
	create(t, full, pooled)
	waitTenant(t, "still", metav1.ConditionTrue, 60*time.Second)
	create(t, school("still", "one", "ONE"))
	waitTenant(t, "still-pooled", metav1.ConditionTrue, 60*time.Second)

	// The LMS has stored the school, so it is Ready too.
	report := statusTable(t, "bw_still", secretData(t, "tenant-still", "db-owner"))
	one := getSchool(t, "tenant-still", "one")
	report(directory.SchoolKey("ONE"), directory.SchoolStatus{Hash: builders.SchoolHash(one), SyncedAt: time.Now()})
	waitSchoolCondition(t, "tenant-still", "one", platformv1.ConditionReady, metav1.ConditionTrue, platformv1.ReasonReconciled)
	eventually(t, 20*time.Second, func() (bool, string) {
		st := getTenant(t, "still").Status
		return st.OnboardingProgress == "1/10" && st.Schools == 1, "onboarding " + st.OnboardingProgress
	})
	time.Sleep(time.Second) // let passes already queued finish

	w := &writeCounter{}
	opts := testOptions()
	opts.HostOverrides = overrides
	opts.Postgres = countingConnector{pgadmin.NewDialer(), w}
	tenants := &controllers.TenantReconciler{Client: countingClient{mgr.GetClient(), w}, APIReader: mgr.GetAPIReader(),
		Events: countingRecorder{w}, Platform: opts.Platform, Options: opts.Tenant}
	for _, name := range []string{"still", "still-pooled"} {
		res, err := tenants.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKey{Name: name}})
		if err != nil {
			t.Fatalf("reconcile %s: %v", name, err)
		}
		if res.RequeueAfter <= 0 {
			t.Errorf("reconcile %s asks for no periodic drift check", name)
		}
	}
	schools := &controllers.SchoolReconciler{Client: countingClient{mgr.GetClient(), w}, APIReader: mgr.GetAPIReader(),
		Events: countingRecorder{w}, Platform: opts.Platform, Options: opts.School}
	if _, err := schools.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(one)}); err != nil {
		t.Fatal(err)
	}
	if writes := w.list(); len(writes) > 0 {
		t.Errorf("a pass over unchanged objects wrote %d times:\n%s", len(writes), strings.Join(writes, "\n"))
	}

	// The counters do count: a role changed by hand is one SQL write and
	// one Event on the next pass.
	mustExec(t, superuser(t, "postgres"), "ALTER ROLE bw_still_app_blue BYPASSRLS")
	if _, err := tenants.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKey{Name: "still"}}); err != nil {
		t.Fatal(err)
	}
	writes := strings.Join(w.list(), "\n")
	if !strings.Contains(writes, "SQL in postgres: ALTER ROLE \"bw_still_app_blue\" NOBYPASSRLS") || !strings.Contains(writes, "event Warning RoleDriftRepaired") {
		t.Errorf("drift repair not counted:\n%s", writes)
	}
}
