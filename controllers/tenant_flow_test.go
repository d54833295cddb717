package controllers_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/pkg/directory"
)

// A Tenant and its Schools on an external server become a namespace with
// its guard rails, a database with roles and grants, credentials that
// work, a directory entry and a status that says so.
func TestExternalTenantProvisionsEverything(t *testing.T) {
	ctx := context.Background()
	startManager(t, nil)
	ensureNamespace(t, "tenant-flow") // adopted, as the samples create it
	tn := externalTenant("flow")
	tn.Spec.Admins = []string{"super@flow.example", "it@flow.example"}
	tn.Spec.Owners = []rbacv1.Subject{{Kind: "Group", Name: "flow-it"}}
	tn.Spec.Namespace = platformv1.TenantNamespace{
		Quota:         corev1.ResourceList{corev1.ResourcePods: resource.MustParse("40")},
		DefaultLimits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")},
	}
	create(t, tn, school("flow", "high", "FHS-1"), school("flow", "elementary", "FES-2"))
	waitTenant(t, "flow", metav1.ConditionTrue, 60*time.Second)
	eventually(t, 20*time.Second, func() (bool, string) {
		tn = getTenant(t, "flow")
		return tn.Status.Schools == 2, "schools not published yet"
	})

	// Status.
	if tn.Status.Phase != platformv1.PhaseReady || tn.Status.Schools != 2 || tn.Status.Namespace != "tenant-flow" {
		t.Errorf("status: phase %s, schools %d, namespace %s", tn.Status.Phase, tn.Status.Schools, tn.Status.Namespace)
	}
	for _, typ := range []string{platformv1.TenantNamespaceReady, platformv1.TenantDatabaseReady, platformv1.TenantRolesReady,
		platformv1.TenantCredentialsReady, platformv1.TenantPublished} {
		if !meta.IsStatusConditionTrue(tn.Status.Conditions, typ) {
			t.Errorf("condition %s is not True: %s", typ, conditions(tn.Status.Conditions))
		}
	}
	if db := tn.Status.Database; db == nil || db.Name != "bw_flow" || db.Provider != builders.ProviderExternal ||
		db.Endpoint != pg.Host+":"+itoa(pg.Port) || db.CredentialsSecrets["app"] != "db-app" {
		t.Errorf("status.database = %+v", tn.Status.Database)
	}
	if tn.Status.Credentials == nil || tn.Status.Credentials.ActiveAppLogin != "bw_flow_app_blue" || tn.Status.Credentials.LastRotationTime == nil {
		t.Errorf("status.credentials = %+v", tn.Status.Credentials)
	}
	if tn.Status.AdminInvitationSecret != "admin-invitations" || len(tn.Status.Onboarding) != 10 || tn.Status.OnboardingProgress != "0/10" {
		t.Errorf("invitations %q, onboarding %v %q", tn.Status.AdminInvitationSecret, tn.Status.Onboarding, tn.Status.OnboardingProgress)
	}

	// Namespace and guard rails.
	ns := &corev1.Namespace{}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: "tenant-flow"}, ns); err != nil {
		t.Fatal(err)
	}
	if ns.Labels[builders.TenantLabel] != "flow" || len(ns.OwnerReferences) != 1 || ns.OwnerReferences[0].UID != tn.UID {
		t.Errorf("namespace not adopted: labels %v, owners %v", ns.Labels, ns.OwnerReferences)
	}
	quota := &corev1.ResourceQuota{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "tenant-flow", Name: "tenant-quota"}, quota); err != nil {
		t.Error(err)
	} else if q := quota.Spec.Hard[corev1.ResourcePods]; q.Value() != 40 {
		t.Errorf("quota = %v", quota.Spec.Hard)
	}
	limits := &corev1.LimitRange{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "tenant-flow", Name: "tenant-limits"}, limits); err != nil {
		t.Error(err)
	}
	var policies networkingv1.NetworkPolicyList
	if err := env.Client.List(ctx, &policies, client.InNamespace("tenant-flow")); err != nil {
		t.Fatal(err)
	}
	var policyNames []string
	for _, p := range policies.Items {
		policyNames = append(policyNames, p.Name)
	}
	slices.Sort(policyNames)
	if strings.Join(policyNames, ",") != "allow-lms-and-backups,default-deny" {
		t.Errorf("network policies = %v", policyNames)
	}
	rb := &rbacv1.RoleBinding{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "tenant-flow", Name: "tenant-owners"}, rb); err != nil {
		t.Error(err)
	} else if rb.RoleRef.Name != "bellwork-tenant-owner" || len(rb.Subjects) != 1 || rb.Subjects[0].Name != "flow-it" {
		t.Errorf("role binding = %+v", rb)
	}

	// Roles and grants, as Postgres sees them.
	su := superuser(t, "postgres")
	type role struct {
		login, bypass, super bool
		limit                int
		memberOf             string
	}
	roles := map[string]role{}
	rows, err := su.Query(ctx, `SELECT r.rolname, r.rolcanlogin, r.rolbypassrls, r.rolsuper, r.rolconnlimit,
		coalesce((SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid), '')
		FROM pg_roles r WHERE r.rolname LIKE 'bw\_flow\_%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var r role
		if err := rows.Scan(&name, &r.login, &r.bypass, &r.super, &r.limit, &r.memberOf); err != nil {
			t.Fatal(err)
		}
		roles[name] = r
	}
	want := map[string]role{
		"bw_flow_owner":     {login: true, limit: -1},
		"bw_flow_app":       {limit: -1},
		"bw_flow_app_blue":  {login: true, limit: 20, memberOf: "bw_flow_app"},
		"bw_flow_app_green": {login: true, limit: 20, memberOf: "bw_flow_app"},
		"bw_flow_system":    {login: true, limit: 20, memberOf: "bw_flow_app"},
		"bw_flow_readonly":  {login: true, limit: -1},
		"bw_flow_backup":    {login: true, bypass: true, limit: -1},
	}
	for name, w := range want {
		if roles[name] != w {
			t.Errorf("role %s = %+v, want %+v", name, roles[name], w)
		}
	}
	if len(roles) != len(want) {
		t.Errorf("roles = %v", roles)
	}

	// Credentials Secrets work; the entry's app login works and is the
	// db-app Secret's; readonly may read and not write; the app may use
	// tables the owner creates later (default privileges).
	creds := map[string]map[string]string{}
	for _, k := range []string{"owner", "app", "readonly", "backup"} {
		creds[k] = secretData(t, "tenant-flow", "db-"+k)
		c := creds[k]
		for _, key := range []string{"username", "password", "host", "port", "dbname", "uri"} {
			if c[key] == "" {
				t.Errorf("Secret db-%s lacks %s", k, key)
			}
		}
		if err := login("bw_flow", c["username"], c["password"]); err != nil {
			t.Errorf("db-%s login: %v", k, err)
		}
	}
	entry := entryOf(t, "flow")
	if entry == nil {
		t.Fatal("no directory entry")
	}
	if entry.Database.App.User != "bw_flow_app_blue" || entry.Database.App.Password != creds["app"]["password"] ||
		entry.Database.Owner.User != "bw_flow_owner" || entry.Database.Name != "bw_flow" || entry.Database.Port != pg.Port {
		t.Errorf("entry database = %+v", entry.Database)
	}
	ownerConn := connectAs(t, "bw_flow", creds["owner"])
	mustExec(t, ownerConn, "CREATE TABLE lessons (id serial PRIMARY KEY, title text)")
	appConn := connectAs(t, "bw_flow", creds["app"])
	mustExec(t, appConn, "INSERT INTO lessons (title) VALUES ('fractions')")
	roConn := connectAs(t, "bw_flow", creds["readonly"])
	mustExec(t, roConn, "SELECT count(*) FROM lessons")
	if _, err := roConn.Exec(ctx, "INSERT INTO lessons (title) VALUES ('x')"); err == nil {
		t.Error("readonly could insert")
	}
	if _, err := appConn.Exec(ctx, "CREATE TABLE sneaky (id int)"); err == nil {
		t.Error("app could create a table")
	}

	// The entry: schools, admins (hash of the token in the link), labels.
	if len(entry.Schools) != 2 || entry.Schools[0].Code != "FES-2" || entry.Schools[1].Code != "FHS-1" || entry.Schools[1].TimeZone != "America/Denver" {
		t.Errorf("entry schools = %+v", entry.Schools)
	}
	links := secretData(t, "tenant-flow", "admin-invitations")
	if len(entry.Admins) != 2 || len(links) != 2 {
		t.Fatalf("admins %+v, links %v", entry.Admins, links)
	}
	for _, a := range entry.Admins {
		link := links[builders.InvitationKey(a.Email)]
		token := builders.InvitationToken(link)
		sum := sha256.Sum256([]byte(token))
		if token == "" || hex.EncodeToString(sum[:]) != a.TokenSHA256 || !strings.HasPrefix(link, "http://flow.localhost/invitations/") {
			t.Errorf("admin %s: link %q does not match hash %s", a.Email, link, a.TokenSHA256)
		}
		if d := time.Until(a.ExpiresAt); d < 13*24*time.Hour || d > 15*24*time.Hour {
			t.Errorf("admin %s expires at %s", a.Email, a.ExpiresAt)
		}
	}
	dirSecret := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: lmsNamespace, Name: directory.SecretName("flow")}, dirSecret); err != nil {
		t.Fatal(err)
	}
	if dirSecret.Labels[directory.LabelKey] != directory.LabelValue || dirSecret.Labels[directory.TenantLabel] != "flow" ||
		directory.Hash(dirSecret.Data[directory.EntryKey]) != tn.Status.DirectoryHash {
		t.Errorf("directory Secret labels %v, hash %s vs status %s", dirSecret.Labels, directory.Hash(dirSecret.Data[directory.EntryKey]), tn.Status.DirectoryHash)
	}

	// Tokens are stable across passes: touch the tenant and compare.
	before := links
	patch := client.MergeFrom(tn.DeepCopy())
	tn.Spec.DisplayName = "Flow District"
	if err := env.Client.Patch(ctx, tn, patch); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, func() (bool, string) {
		e := entryOf(t, "flow")
		return e != nil && e.DisplayName == "Flow District", "display name not republished"
	})
	if after := secretData(t, "tenant-flow", "admin-invitations"); !maps.Equal(before, after) {
		t.Errorf("invitation links changed: %v -> %v", before, after)
	}
}
