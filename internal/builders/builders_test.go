package builders

import (
	"os"
	"strings"
	"testing"
	"time"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/pgadmin"
	"bellwork.dev/bellwork/pkg/directory"
)

func tenant(name string, db platformv1.TenantDatabase) *platformv1.Tenant {
	return &platformv1.Tenant{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name)},
		Spec:       platformv1.TenantSpec{DisplayName: "D " + name, Hosts: []string{name + ".localhost"}, TimeZone: "America/Chicago", Database: db},
	}
}

func external() platformv1.TenantDatabase {
	return platformv1.TenantDatabase{External: &platformv1.ExternalDatabase{Host: "10.0.0.5", AdminSecret: "admin"}}
}

func shared(pooler *platformv1.PoolerSettings) platformv1.TenantDatabase {
	return platformv1.TenantDatabase{CloudNativePG: &platformv1.CloudNativePGDatabase{
		ClusterRef: &platformv1.ClusterReference{Name: "pg-a", Namespace: "postgres"}, Pooler: pooler}}
}

func dedicated() platformv1.TenantDatabase {
	return platformv1.TenantDatabase{CloudNativePG: &platformv1.CloudNativePGDatabase{Dedicated: &platformv1.DedicatedCluster{}}}
}

func TestTopologyOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		db   platformv1.TenantDatabase
		want Topology
	}{
		{"external with defaults", external(), Topology{
			Provider: ProviderExternal, DirectHost: "10.0.0.5", DirectPort: 5432, Host: "10.0.0.5", Port: 5432, SSLMode: "prefer",
			AdminSecret: types.NamespacedName{Namespace: "ops", Name: "admin"}, SQLCreatesDatabase: true}},
		{"shared", shared(nil), Topology{
			Provider: ProviderCloudNativePG, DirectHost: "pg-a-rw.postgres.svc", DirectPort: 5432, Host: "pg-a-rw.postgres.svc", Port: 5432,
			SSLMode: "require", AdminSecret: types.NamespacedName{Namespace: "postgres", Name: "pg-a-superuser"},
			Cluster: types.NamespacedName{Namespace: "postgres", Name: "pg-a"}}},
		{"shared with pooler", shared(&platformv1.PoolerSettings{}), Topology{
			Provider: ProviderCloudNativePG, DirectHost: "pg-a-rw.postgres.svc", DirectPort: 5432, Host: "pooler-t.postgres.svc", Port: 5432,
			SSLMode: "require", AdminSecret: types.NamespacedName{Namespace: "postgres", Name: "pg-a-superuser"},
			Cluster: types.NamespacedName{Namespace: "postgres", Name: "pg-a"}, Pooler: types.NamespacedName{Namespace: "postgres", Name: "pooler-t"}}},
		{"dedicated", dedicated(), Topology{
			Provider: ProviderDedicated, DirectHost: "postgres-rw.tenant-t.svc", DirectPort: 5432, Host: "postgres-rw.tenant-t.svc", Port: 5432,
			SSLMode: "require", AdminSecret: types.NamespacedName{Namespace: "tenant-t", Name: "postgres-superuser"},
			Cluster: types.NamespacedName{Namespace: "tenant-t", Name: "postgres"}, SQLCreatesDatabase: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := TopologyOf(tenant("t", tc.db), "ops"); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestNamespaceObjectsFollowTheSpec(t *testing.T) {
	tn := tenant("t", external())
	if BuildResourceQuota(tn) != nil || BuildLimitRange(tn) != nil || BuildOwnersRoleBinding(tn) != nil {
		t.Fatal("empty spec, yet quota, limits or owners' binding built")
	}
	tn.Spec.Namespace = platformv1.TenantNamespace{
		Quota:           corev1.ResourceList{corev1.ResourcePods: resource.MustParse("40")},
		DefaultLimits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("512Mi")},
		DefaultRequests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")},
	}
	tn.Spec.Owners = []rbacv1.Subject{{Kind: "Group", Name: "it"}, {Kind: "ServiceAccount", Name: "ci", Namespace: "ci"}}
	q := BuildResourceQuota(tn)
	if q.Name != ResourceQuotaName || q.Namespace != "tenant-t" || q.Spec.Hard.Pods().Value() != 40 || q.OwnerReferences[0].UID != "uid-t" {
		t.Errorf("quota = %+v", q)
	}
	lr := BuildLimitRange(tn).Spec.Limits[0]
	// Memory request as given; CPU request filled from the limit as the API server would.
	if lr.DefaultRequest.Memory().String() != "128Mi" || lr.DefaultRequest.Cpu().String() != "500m" || lr.Default.Memory().String() != "512Mi" {
		t.Errorf("limit range = %+v", lr)
	}
	rb := BuildOwnersRoleBinding(tn)
	if rb.RoleRef.Name != TenantOwnerClusterRole || rb.Subjects[0].APIGroup != rbacv1.GroupName || rb.Subjects[1].APIGroup != "" {
		t.Errorf("role binding = %+v", rb)
	}
	role := BuildTenantOwnerClusterRole()
	for _, r := range role.Rules {
		for _, res := range r.Resources {
			if strings.Contains(res, "secret") || strings.Contains(res, "tenant") || strings.Contains(res, "namespace") {
				t.Errorf("owners may touch %s", res)
			}
		}
	}
}

func TestNetworkPoliciesAdmitOnlyTheLMSAndBackups(t *testing.T) {
	deny := BuildDefaultDenyPolicy(tenant("t", external()))
	if len(deny.Spec.Ingress) != 0 || len(deny.Spec.Egress) != 0 || len(deny.Spec.PolicyTypes) != 2 {
		t.Errorf("default deny = %+v", deny.Spec)
	}
	for _, tc := range []struct {
		name string
		db   platformv1.TenantDatabase
		peer string
	}{
		{"external address is pinned", external(), "10.0.0.5/32"},
		{"shared cluster's namespace", shared(nil), "namespace postgres"},
		{"dedicated: pods of the namespace", dedicated(), "same namespace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenant("t", tc.db)
			p := BuildAllowPolicy(tn, "lms", TopologyOf(tn, "ops"))
			from := p.Spec.Ingress[0].From
			// The LMS fleet's pods (not every pod of its namespace) and backup jobs.
			if len(p.Spec.Ingress) != 1 || len(from) != 2 || from[0].NamespaceSelector.MatchLabels[corev1.LabelMetadataName] != "lms" ||
				from[0].PodSelector.MatchLabels[ComponentLabel] != LMSComponent ||
				from[1].NamespaceSelector != nil || from[1].PodSelector.MatchLabels[ComponentLabel] != BackupComponent {
				t.Errorf("ingress = %+v", p.Spec.Ingress)
			}
			db := p.Spec.Egress[1]
			if db.Ports[0].Port.IntValue() != 5432 {
				t.Errorf("database egress port = %v", db.Ports[0].Port)
			}
			var got string
			switch {
			case len(db.To) == 0:
				got = "anywhere"
			case db.To[0].IPBlock != nil:
				got = db.To[0].IPBlock.CIDR
			case db.To[0].NamespaceSelector != nil:
				got = "namespace " + db.To[0].NamespaceSelector.MatchLabels[corev1.LabelMetadataName]
			default:
				got = "same namespace"
			}
			if got != tc.peer {
				t.Errorf("database egress to %s, want %s", got, tc.peer)
			}
			pg := BuildPostgresPolicy(tn, TopologyOf(tn, "ops"), "lms", "ops")
			if (pg != nil) != (tc.name == "dedicated: pods of the namespace") {
				t.Error("Postgres pods' policy only for dedicated clusters")
			}
			if pg == nil {
				return
			}
			// Replication among the instances; the LMS, backups and the
			// operator on 5432; CloudNativePG's status port from anywhere.
			in := pg.Spec.Ingress
			if len(in) != 3 || len(in[0].Ports) != 0 || in[0].From[0].PodSelector.MatchLabels["cnpg.io/cluster"] != DedicatedClusterName ||
				in[1].Ports[0].Port.IntValue() != 5432 || in[1].From[0].PodSelector.MatchLabels[ComponentLabel] != LMSComponent ||
				in[1].From[1].PodSelector.MatchLabels[ComponentLabel] != BackupComponent ||
				in[1].From[2].NamespaceSelector.MatchLabels[corev1.LabelMetadataName] != "ops" ||
				in[1].From[2].PodSelector.MatchLabels["app.kubernetes.io/name"] != OperatorAppName || in[2].Ports[0].Port.IntValue() != 8000 {
				t.Errorf("Postgres pods' ingress = %+v", in)
			}
		})
	}
}

func TestCloudNativePGObjects(t *testing.T) {
	n, _ := pgadmin.NamesFor("bw_t")
	ext := tenant("t", external())
	if BuildCNPGDatabase(ext, TopologyOf(ext, ""), n) != nil || BuildCNPGCluster(ext, TopologyOf(ext, ""), n) != nil || BuildPooler(ext, TopologyOf(ext, "")) != nil {
		t.Error("CloudNativePG objects for an external tenant")
	}
	sh := tenant("t", shared(&platformv1.PoolerSettings{Instances: 3}))
	sh.Spec.ReclaimPolicy = platformv1.ReclaimDelete
	db := BuildCNPGDatabase(sh, TopologyOf(sh, ""), n)
	if db.Namespace != "postgres" || db.Name != "tenant-t" || db.Spec.ClusterRef.Name != "pg-a" || db.Spec.Owner != "bw_t_owner" ||
		db.Spec.ReclaimPolicy != cnpgv1.DatabaseReclaimDelete {
		t.Errorf("Database = %+v", db)
	}
	sh.Spec.ReclaimPolicy = ""
	if BuildCNPGDatabase(sh, TopologyOf(sh, ""), n).Spec.ReclaimPolicy != cnpgv1.DatabaseReclaimRetain {
		t.Error("default reclaim policy is not retain")
	}
	p := BuildPooler(sh, TopologyOf(sh, ""))
	if p.Name != "pooler-t" || *p.Spec.Instances != 3 || p.Spec.PgBouncer.Parameters["default_pool_size"] != "20" || p.Spec.PgBouncer.PoolMode != cnpgv1.PgBouncerPoolModeTransaction {
		t.Errorf("Pooler = %+v", p.Spec)
	}
	ded := tenant("t", dedicated())
	c := BuildCNPGCluster(ded, TopologyOf(ded, ""), n)
	if c.Spec.Instances != 2 || c.Spec.StorageConfiguration.Size != "10Gi" || len(c.OwnerReferences) != 0 || c.Spec.Bootstrap.InitDB.Owner != "bw_t_owner" {
		t.Errorf("Cluster = %+v", c)
	}
}

func TestSelectSchools(t *testing.T) {
	at := func(sec int) metav1.Time { return metav1.NewTime(time.Date(2026, 9, 1, 8, 0, sec, 0, time.UTC)) }
	s := func(name, ns, tenant, code, tz string, created metav1.Time) platformv1.School {
		return platformv1.School{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, CreationTimestamp: created},
			Spec: platformv1.SchoolSpec{Tenant: tenant, Code: code, TimeZone: platformv1.TimeZone(tz)}}
	}
	deleting := s("gone", "tenant-a", "a", "G", "UTC", at(0))
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	schools := []platformv1.School{
		s("late", "tenant-a", "a", "X", "UTC", at(5)),
		s("zeta", "tenant-a", "a", "Y", "UTC", at(1)),
		s("alpha", "tenant-a", "a", "Y", "UTC", at(1)), // same second: name decides
		s("early", "tenant-a", "a", "X", "America/Chicago", at(2)),
		s("lost", "tenant-a", "b", "L", "UTC", at(0)),
		s("mars", "tenant-a", "a", "M", "Mars/Base", at(0)),
		deleting,
	}
	published, verdicts := SelectSchools("tenant-a", schools)
	var codes []string
	for _, p := range published {
		codes = append(codes, p.Spec.Code+"="+p.Name)
	}
	if strings.Join(codes, ",") != "X=early,Y=alpha" {
		t.Errorf("published %v", codes)
	}
	for name, want := range map[string]string{
		"late": platformv1.ReasonDuplicateCode, "zeta": platformv1.ReasonDuplicateCode, "lost": platformv1.ReasonWrongNamespace,
		"mars": platformv1.ReasonUnknownTimeZone, "gone": platformv1.ReasonDeleting, "early": "", "alpha": "",
	} {
		if verdicts[name].Reason != want {
			t.Errorf("%s: verdict %+v, want %q", name, verdicts[name], want)
		}
	}
	if !strings.Contains(verdicts["late"].Message, "School early") || !strings.Contains(verdicts["lost"].Message, "tenant-b") {
		t.Errorf("messages: %q; %q", verdicts["late"].Message, verdicts["lost"].Message)
	}
}

func TestEntryIsValidAndDeterministic(t *testing.T) {
	tn := tenant("lincoln-usd", external())
	tn.Spec.SignIn.OIDC = &platformv1.OIDCProvider{DisplayName: "Google", IssuerURL: "https://accounts.google.com", ClientID: "id"}
	sch := platformv1.School{Spec: platformv1.SchoolSpec{Code: "LHS-042", DisplayName: "Lincoln High", TimeZone: "America/Chicago",
		Calendar: platformv1.SchoolCalendar{
			Hours:    []platformv1.TimeWindow{{Days: []platformv1.Weekday{platformv1.Monday, platformv1.Friday}, Start: "07:45", End: "15:10"}},
			Holidays: []platformv1.Holiday{{Name: "MLK", Start: "2027-01-18"}}},
		GradeBands: []platformv1.GradeBand{{Name: "High", Grades: []string{"9", "10"}}}, Seats: 1800}}
	in := EntryInput{Topology: TopologyOf(tn, "ops"), Database: "bw_lincoln_usd",
		App: directory.Credentials{User: "bw_lincoln_usd_app_blue", Password: "p"}, Owner: directory.Credentials{User: "bw_lincoln_usd_owner", Password: "o"},
		System:  directory.Credentials{User: "bw_lincoln_usd_system", Password: "s"},
		Schools: []platformv1.School{sch}, OIDCClientSecret: "s3cret",
		Admins: []directory.Admin{{Email: "a@x.org", TokenSHA256: strings.Repeat("ab", 32), ExpiresAt: time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC)}}}
	a, err := directory.Marshal(BuildEntry(tn, in))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := directory.Marshal(BuildEntry(tn, in))
	if string(a) != string(b) {
		t.Error("same input, different bytes")
	}
	e, err := directory.Unmarshal(a)
	if err != nil {
		t.Fatal(err)
	}
	got := e.Schools[0]
	if got.Calendar.Hours[0].Days[1] != "Friday" || got.Calendar.Holidays[0].End != "" || got.Seats != 1800 || e.SignIn.OIDC.ClientSecret != "s3cret" ||
		e.Database.DirectHost != "10.0.0.5" || e.Database.SSLMode != "prefer" {
		t.Errorf("entry = %+v", e)
	}
	if SchoolHash(&sch) != directory.SchoolHash(got) {
		t.Error("SchoolHash differs from the hash of the school as published")
	}
	sec := BuildDirectorySecret(tn, "lms", a)
	if sec.Name != "bellwork-tenant-lincoln-usd" || sec.Labels[directory.LabelKey] != directory.LabelValue || sec.Labels[directory.TenantLabel] != "lincoln-usd" {
		t.Errorf("directory Secret = %+v", sec.ObjectMeta)
	}
}

func TestCredentialsSecret(t *testing.T) {
	tn := tenant("t", shared(&platformv1.PoolerSettings{}))
	top := TopologyOf(tn, "")
	app := BuildCredentialsSecret(tn, top, "bw_t", Credential{Kind: CredentialApp, User: "bw_t_app_blue", Password: "p@ss/word"})
	owner := BuildCredentialsSecret(tn, top, "bw_t", Credential{Kind: CredentialOwner, User: "bw_t_owner", Password: "x"})
	if app.Name != "db-app" || string(app.Data[KeyHost]) != "pooler-t.postgres.svc" || string(owner.Data[KeyHost]) != "pg-a-rw.postgres.svc" {
		t.Errorf("hosts: app %s, owner %s", app.Data[KeyHost], owner.Data[KeyHost])
	}
	if uri := string(app.Data[KeyURI]); uri != "postgresql://bw_t_app_blue:p%40ss%2Fword@pooler-t.postgres.svc:5432/bw_t?sslmode=require" {
		t.Errorf("uri = %s", uri)
	}
}

func TestInvitationKeysAndTokens(t *testing.T) {
	if k := InvitationKey("Jane.O'Neil+it@Lincoln.example"); k != "jane.o-neil-it_at_lincoln.example" {
		t.Errorf("key = %s", k)
	}
	link := directory.InvitationURL("lincoln.localhost", 8080, "tok_123")
	if InvitationToken(link) != "tok_123" || InvitationToken("https://x/other/tok") != "" {
		t.Errorf("token of %s = %q", link, InvitationToken(link))
	}
	tn := tenant("t", external())
	if BuildInvitationSecret(tn, nil, "{}") != nil {
		t.Error("invitation Secret without admins")
	}
}

// The webhook configuration reaches the operator through its Service in a
// cluster and through a URL outside one, trusts the given CA, fails open
// and only sees creations and updates of Schools, FeatureFlags and AlertRules.
func TestWebhookConfiguration(t *testing.T) {
	ca := []byte("ca")
	svc := BuildWebhookConfiguration(ca, WebhookTarget{ServiceNamespace: "ops", Service: "bellwork-webhook", ServicePort: 443})
	w := svc.Webhooks[0]
	if s := w.ClientConfig.Service; s == nil || s.Namespace != "ops" || s.Name != "bellwork-webhook" || *s.Path != SchoolWebhookPath || *s.Port != 443 || w.ClientConfig.URL != nil {
		t.Errorf("service client config = %+v", w.ClientConfig)
	}
	if string(w.ClientConfig.CABundle) != "ca" || *w.FailurePolicy != "Ignore" || *w.SideEffects != "None" ||
		len(w.Rules) != 1 || w.Rules[0].Resources[0] != "schools" || len(w.Rules[0].Operations) != 2 {
		t.Errorf("webhook = %+v", w)
	}
	if len(svc.Webhooks) != 3 {
		t.Fatalf("want webhooks for schools, featureflags and alertrules, got %d", len(svc.Webhooks))
	}
	if f := svc.Webhooks[1]; *f.ClientConfig.Service.Path != FeatureFlagWebhookPath || f.Rules[0].Resources[0] != "featureflags" || *f.FailurePolicy != "Ignore" {
		t.Errorf("featureflag webhook = %+v", f)
	}
	if a := svc.Webhooks[2]; *a.ClientConfig.Service.Path != AlertRuleWebhookPath || a.Rules[0].Resources[0] != "alertrules" || *a.FailurePolicy != "Ignore" {
		t.Errorf("alertrule webhook = %+v", a)
	}
	url := BuildWebhookConfiguration(ca, WebhookTarget{URL: "https://127.0.0.1:9443"}).Webhooks[0].ClientConfig
	if url.URL == nil || *url.URL != "https://127.0.0.1:9443"+SchoolWebhookPath || url.Service != nil {
		t.Errorf("URL client config = %+v", url)
	}
}

// The operator's half of the directory contract: an entry built from the
// same connection settings as pkg/directory's fixture carries the same
// database section, the system login included, and the LMS's reader
// accepts it.
func TestEntryDatabaseMatchesTheDirectoryFixture(t *testing.T) {
	data, err := os.ReadFile("../../pkg/directory/testdata/lincoln-usd.json")
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := directory.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	fd := fixture.Database
	tn := &platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: fixture.Tenant}, Spec: platformv1.TenantSpec{Hosts: fixture.Hosts, TimeZone: platformv1.TimeZone(fixture.TimeZone)}}
	e := BuildEntry(tn, EntryInput{
		Topology: Topology{Host: fd.Host, Port: fd.Port, DirectHost: fd.DirectHost, DirectPort: fd.DirectPort, SSLMode: fd.SSLMode},
		Database: fd.Name, App: fd.App, System: fd.System, Owner: fd.Owner,
	})
	if e.Database != fd {
		t.Errorf("database section:\n got  %+v\n want %+v", e.Database, fd)
	}
	out, err := directory.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := directory.Unmarshal(out); err != nil {
		t.Errorf("the LMS's reader refuses the operator's entry: %v", err)
	}
}

// spec.rostering reaches the directory with the secret's value, and an
// entry whose rostering lacks the secret is refused as invalid.
func TestEntryPublishesRostering(t *testing.T) {
	tn := tenant("lincoln-usd", external())
	tn.Spec.Rostering = &platformv1.RosteringProvider{BaseURL: "https://sis.example/", Version: "1.2", TokenURL: "https://sis.example/oauth/token",
		ClientID: "lincoln", ClientSecret: platformv1.SecretKeyReference{Name: "oneroster", Key: "secret"}}
	in := EntryInput{Topology: TopologyOf(tn, "ops"), Database: "bw_lincoln_usd",
		App: directory.Credentials{User: "app", Password: "p"}, Owner: directory.Credentials{User: "owner", Password: "o"},
		System: directory.Credentials{User: "system", Password: "s"}, RosteringSecret: "r0ster"}
	data, err := directory.Marshal(BuildEntry(tn, in))
	if err != nil {
		t.Fatal(err)
	}
	e, err := directory.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.Rostering; r == nil || r.BaseURL != "https://sis.example/" || r.Version != "1.2" || r.ClientID != "lincoln" || r.ClientSecret != "r0ster" {
		t.Errorf("rostering = %+v", e.Rostering)
	}
	in.RosteringSecret = ""
	if _, err := directory.Marshal(BuildEntry(tn, in)); err == nil {
		t.Error("an entry with rostering but no client secret was accepted")
	}
	if e := BuildEntry(tenant("plain", external()), in); e.Rostering != nil {
		t.Errorf("a tenant without spec.rostering publishes %+v", e.Rostering)
	}
}
