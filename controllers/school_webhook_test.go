package controllers_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/webhookcert"
)

// With the admission webhook on, the API server refuses what the directory
// would refuse, with the reason as the message kubectl prints: a School
// whose code another School of the district has, one in the wrong
// namespace, a time zone changed to one that does not exist. The operator
// keeps the certificate in a Secret and registers the webhook itself.
func TestAdmissionRefusesSchoolsTheDirectoryWould(t *testing.T) {
	ctx := context.Background()
	port := freePort(t)
	webhookOn := func(o *controllers.Options) {
		o.Webhook = controllers.WebhookOptions{Port: port, Host: "127.0.0.1", URL: "https://127.0.0.1:" + strconv.Itoa(port)}
	}
	t.Cleanup(func() {
		_ = env.Client.Delete(ctx, &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: builders.WebhookConfigurationName}})
	})
	startManager(t, webhookOn)
	create(t, externalTenant("adm"))
	waitTenant(t, "adm", metav1.ConditionTrue, 30*time.Second)
	waitWebhook(t, port)

	create(t, school("adm", "first", "A-1"))
	err := env.Client.Create(ctx, school("adm", "copycat", "A-1"))
	if err == nil || !strings.Contains(err.Error(), "code A-1 is already used by School first of tenant adm") {
		t.Fatalf("duplicate code: got %v", err)
	}
	ensureNamespace(t, "tenant-elsewhere-adm")
	lost := school("adm", "lost", "A-2", func(s *platformv1.School) { s.Namespace = "tenant-elsewhere-adm" })
	if err := env.Client.Create(ctx, lost); err == nil || !strings.Contains(err.Error(), "must be created in namespace tenant-adm") {
		t.Fatalf("wrong namespace: got %v", err)
	}
	// (The School controller writes the School too: retry on its conflicts.)
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		first := getSchool(t, "tenant-adm", "first")
		first.Spec.TimeZone = "Mars/Olympus_Mons"
		return env.Client.Update(ctx, first)
	})
	if err == nil || !strings.Contains(err.Error(), `time zone "Mars/Olympus_Mons" is not in the IANA time zone database`) {
		t.Fatalf("unknown time zone: got %v", err)
	}
	// A good School still goes through, and deleting works.
	create(t, school("adm", "second", "A-2"))
	if err := env.Client.Delete(ctx, getSchool(t, "tenant-adm", "second")); err != nil {
		t.Fatal(err)
	}

	// The certificate is kept; an operator started again serves the same CA.
	secret := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: lmsNamespace, Name: builders.WebhookSecretName}, secret); err != nil {
		t.Fatal(err)
	}
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: builders.WebhookConfigurationName}, vwc); err != nil {
		t.Fatal(err)
	}
	if string(vwc.Webhooks[0].ClientConfig.CABundle) != string(secret.Data[webhookcert.CAKey]) {
		t.Error("the webhook configuration does not trust the kept CA")
	}
	o := testOptions()
	webhookOn(&o)
	if _, err := controllers.NewWebhook(ctx, env.Config, env.Client.Scheme(), o); err != nil {
		t.Fatal(err)
	}
	again := &corev1.Secret{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(secret), again); err != nil || string(again.Data[webhookcert.CAKey]) != string(secret.Data[webhookcert.CAKey]) {
		t.Errorf("a second start made a new certificate (%v)", err)
	}
}

// waitWebhook waits until the webhook answers TLS on its port and the API
// server has its configuration.
func waitWebhook(t *testing.T, port int) {
	t.Helper()
	eventually(t, 30*time.Second, func() (bool, string) {
		conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			return false, err.Error()
		}
		conn.Close()
		err = env.Client.Get(context.Background(), client.ObjectKey{Name: builders.WebhookConfigurationName}, &admissionregistrationv1.ValidatingWebhookConfiguration{})
		return err == nil, fmt.Sprint(err)
	})
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
