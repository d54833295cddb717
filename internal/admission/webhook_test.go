package admission

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/dev/testenv"
)

const operatorNamespace = "bellwork-system"

var env *testenv.Env

// The webhook is called by the real API server, over TLS, with the
// certificate the operator made and registered.
func TestMain(m *testing.M) {
	testenv.Main(func() int {
		for _, ns := range []string{operatorNamespace, "tenant-adm", "tenant-elsewhere-adm"} {
			if err := env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
				fmt.Println(err)
				return 1
			}
		}
		return m.Run()
	}, false, &env)
}

func school(tenant, name, code string, mutate ...func(*platformv1.School)) *platformv1.School {
	s := &platformv1.School{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: platformv1.TenantNamespacePrefix + tenant},
		Spec: platformv1.SchoolSpec{Tenant: tenant, Code: code, DisplayName: "School " + name, TimeZone: "America/Denver",
			Calendar:   platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{{Days: []platformv1.Weekday{platformv1.Monday}, Start: "08:00", End: "15:00"}}},
			GradeBands: []platformv1.GradeBand{{Name: "High", Grades: []string{"9", "10"}}}},
	}
	for _, m := range mutate {
		m(s)
	}
	return s
}

// startWebhook runs the webhook in a manager of its own, as main.go does,
// until the test ends.
func startWebhook(t *testing.T, o Options) {
	t.Helper()
	hook, err := NewWebhook(context.Background(), env.Config, testenv.Scheme(), o)
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{Scheme: testenv.Scheme(), WebhookServer: hook.Server,
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: config.Controller{SkipNameValidation: ptr.To(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := hook.Register(mgr); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := mgr.Start(ctx); err != nil {
			t.Errorf("manager: %v", err)
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		_ = env.Client.Delete(context.Background(), &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: builders.WebhookConfigurationName}})
	})
}

// With the admission webhook on, the API server refuses what the directory
// would refuse, with the reason as the message kubectl prints: a School
// whose code another School of the district has, one in the wrong
// namespace, a time zone changed to one that does not exist. The operator
// keeps the certificate in a Secret and registers the webhook itself.
func TestAdmissionRefusesSchoolsTheDirectoryWould(t *testing.T) {
	ctx := context.Background()
	port := freePort(t)
	o := DefaultOptions()
	o.Port, o.Host, o.URL, o.Namespace = port, "127.0.0.1", "https://127.0.0.1:"+strconv.Itoa(port), operatorNamespace
	startWebhook(t, o)
	waitWebhook(t, port)

	if err := env.Client.Create(ctx, school("adm", "first", "A-1")); err != nil {
		t.Fatal(err)
	}
	err := env.Client.Create(ctx, school("adm", "copycat", "A-1"))
	if err == nil || !strings.Contains(err.Error(), "code A-1 is already used by School first of tenant adm") {
		t.Fatalf("duplicate code: got %v", err)
	}
	lost := school("adm", "lost", "A-2", func(s *platformv1.School) { s.Namespace = "tenant-elsewhere-adm" })
	if err := env.Client.Create(ctx, lost); err == nil || !strings.Contains(err.Error(), "must be created in namespace tenant-adm") {
		t.Fatalf("wrong namespace: got %v", err)
	}
	first := &platformv1.School{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: "tenant-adm", Name: "first"}, first); err != nil {
		t.Fatal(err)
	}
	first.Spec.TimeZone = "Mars/Olympus_Mons"
	if err := env.Client.Update(ctx, first); err == nil || !strings.Contains(err.Error(), `time zone "Mars/Olympus_Mons" is not in the IANA time zone database`) {
		t.Fatalf("unknown time zone: got %v", err)
	}
	// A flag the evaluator refuses is refused with what to fix; a sound one passes.
	twice := &platformv1.FeatureFlag{ObjectMeta: metav1.ObjectMeta{Namespace: "tenant-adm", Name: "twice"},
		Spec: platformv1.FeatureFlagSpec{Description: "d", DefaultVariant: "off",
			Variants: []platformv1.FlagVariant{{Name: "on", Value: apiextensionsv1.JSON{Raw: []byte("true")}}, {Name: "off", Value: apiextensionsv1.JSON{Raw: []byte("false")}}},
			Rules:    []platformv1.FlagRule{{Rollout: []platformv1.WeightedVariant{{Variant: "on", Weight: 50}, {Variant: "on", Weight: 50}}}}}}
	if err := env.Client.Create(ctx, twice); err == nil || !strings.Contains(err.Error(), `feature flag twice: rule 1 rollout: variant "on" is listed twice`) {
		t.Fatalf("invalid flag: got %v", err)
	}
	twice.Spec.Rules[0].Rollout[1].Variant = "off"
	if err := env.Client.Create(ctx, twice); err != nil {
		t.Fatalf("valid flag: %v", err)
	}

	// An expression that does not parse is refused with the parser's
	// message; a sound rule passes.
	rule := &platformv1.AlertRule{ObjectMeta: metav1.ObjectMeta{Namespace: "tenant-adm", Name: "broken"},
		Spec: platformv1.AlertRuleSpec{Expr: `rate(lms_http_request_duration_seconds_count[5m] > 1`}}
	if err := env.Client.Create(ctx, rule); err == nil || !strings.Contains(err.Error(), "spec.expr is not valid PromQL") || !strings.Contains(err.Error(), "unclosed left parenthesis") {
		t.Fatalf("invalid expression: got %v", err)
	}
	rule.Spec.Expr = `rate(lms_http_request_duration_seconds_count[5m]) > 1`
	rule.Spec.Silences = []platformv1.Silence{{Until: metav1.Now(), Reason: "r", By: "b",
		Matchers: []platformv1.LabelMatcher{{Name: "tenant", Operator: platformv1.MatchRegexp, Value: "lin(coln"}}}}
	if err := env.Client.Create(ctx, rule); err == nil || !strings.Contains(err.Error(), "spec.silences[0].matchers[0].value is not a regular expression") {
		t.Fatalf("invalid silence: got %v", err)
	}
	rule.Spec.Silences = nil
	if err := env.Client.Create(ctx, rule); err != nil {
		t.Fatalf("valid rule: %v", err)
	}

	// A good School still goes through, and deleting works.
	second := school("adm", "second", "A-2")
	if err := env.Client.Create(ctx, second); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Delete(ctx, second); err != nil {
		t.Fatal(err)
	}

	// The certificate is kept; an operator started again serves the same CA.
	secret := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: builders.WebhookSecretName}, secret); err != nil {
		t.Fatal(err)
	}
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: builders.WebhookConfigurationName}, vwc); err != nil {
		t.Fatal(err)
	}
	if string(vwc.Webhooks[0].ClientConfig.CABundle) != string(secret.Data[caKey]) {
		t.Error("the webhook configuration does not trust the kept CA")
	}
	if _, err := NewWebhook(ctx, env.Config, testenv.Scheme(), o); err != nil {
		t.Fatal(err)
	}
	again := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(secret), again); err != nil || string(again.Data[caKey]) != string(secret.Data[caKey]) {
		t.Errorf("a second start made a new certificate (%v)", err)
	}
}

// Replicas starting at once agree on one certificate: the one that loses
// the race serves the winner's.
func TestReplicasRacingForACertificateServeTheSameOne(t *testing.T) {
	ctx := context.Background()
	ns := "race-" + strconv.FormatInt(time.Now().UnixNano()%100000, 10)
	if err := env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	names := []string{"bellwork-webhook." + ns + ".svc"}
	pairs := make([]pair, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range pairs {
		wg.Go(func() { pairs[i], errs[i] = keptPair(ctx, env.Client, ns, names, nil) })
	}
	wg.Wait()
	for i := range pairs {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		if string(pairs[i].Cert) != string(pairs[0].Cert) {
			t.Errorf("replica %d serves another certificate than replica 0", i)
		}
	}
	kept := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: builders.WebhookSecretName}, kept); err != nil {
		t.Fatal(err)
	}
	if string(kept.Data[certKey]) != string(pairs[0].Cert) {
		t.Error("the replicas serve a certificate other than the kept one")
	}
}

// The configuration is written only when a field the operator sets
// differs, and what was changed by hand is put back.
func TestConfigurationIsPutBackAndOtherwiseLeftAlone(t *testing.T) {
	ctx := context.Background()
	t.Cleanup(func() {
		_ = env.Client.Delete(ctx, &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: builders.WebhookConfigurationName}})
	})
	target := builders.WebhookTarget{URL: "https://127.0.0.1:1"}
	want := func() *admissionregistrationv1.ValidatingWebhookConfiguration {
		return builders.BuildWebhookConfiguration([]byte("ca"), target)
	}
	if err := ensureConfiguration(ctx, env.Client, want()); err != nil {
		t.Fatal(err)
	}
	have := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	key := client.ObjectKey{Name: builders.WebhookConfigurationName}
	if err := env.Client.Get(ctx, key, have); err != nil {
		t.Fatal(err)
	}
	rv := have.ResourceVersion
	if err := ensureConfiguration(ctx, env.Client, want()); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Get(ctx, key, have); err != nil || have.ResourceVersion != rv {
		t.Fatalf("an unchanged configuration was written (rv %s -> %s, %v)", rv, have.ResourceVersion, err)
	}
	have.Webhooks[0].FailurePolicy = ptr.To(admissionregistrationv1.Fail)
	have.Webhooks[0].TimeoutSeconds = ptr.To[int32](30)
	if err := env.Client.Update(ctx, have); err != nil {
		t.Fatal(err)
	}
	if err := ensureConfiguration(ctx, env.Client, want()); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Get(ctx, key, have); err != nil {
		t.Fatal(err)
	}
	if *have.Webhooks[0].FailurePolicy != admissionregistrationv1.Ignore || *have.Webhooks[0].TimeoutSeconds != 5 {
		t.Errorf("hand-made changes not put back: failurePolicy %s, timeout %d", *have.Webhooks[0].FailurePolicy, *have.Webhooks[0].TimeoutSeconds)
	}
}

// waitWebhook waits until the webhook answers TLS on its port and the API
// server has its configuration.
func waitWebhook(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), &tls.Config{InsecureSkipVerify: true})
		if err == nil {
			conn.Close()
			err = env.Client.Get(context.Background(), client.ObjectKey{Name: builders.WebhookConfigurationName}, &admissionregistrationv1.ValidatingWebhookConfiguration{})
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook not up: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
