//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"bellwork.dev/bellwork/internal/builders"
)

// Journey: an SRE watches a district's database go down and come back.
// The district's app role loses its login (ALTER ROLE … NOLOGIN, as a bad
// manual change would); the sample database-down rule, with short
// intervals for the test, goes Pending then Firing in `kubectl get
// alertrules`, its message reaches make run's local receiver, and once the
// login is given back the rule resolves and a resolved message follows. The
// rule is the sample as it is (interval 10s, for 20s, keepFiringFor 30s),
// moved to this district's namespace and this platform's receiver port.
func TestSREWatchesADatabaseGoDownAndRecover(t *testing.T) {
	t.Skip("not passing yet (issue 12): the rule reaches Pending after NOLOGIN, then goes back to Inactive before Firing — most likely the operator's Tenant pass restores LOGIN; the journey needs a break the operator does not repair")
	keepLogsOnFailure(t)
	d := newTenant(t, "alerts")
	ns := "tenant-" + d.Name
	rule := ns + "/database-down"

	// The sample rule and receiver Secret, in this district's namespace.
	secret, err := os.ReadFile(filepath.Join(root, "config/samples/39_alert_receiver_secret.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sample, err := os.ReadFile(filepath.Join(root, "config/samples/42_alertrule_database_down.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprintf("127.0.0.1:%d", plat.Opts.AlertReceiverPort)
	manifest := strings.NewReplacer("tenant-lincoln-usd", ns, "127.0.0.1:9095", port).Replace(string(secret)) + "\n---\n" +
		strings.NewReplacer("tenant-lincoln-usd", ns, "tenant: lincoln-usd", "tenant: "+d.Name).Replace(string(sample))
	if !strings.Contains(manifest, "tenant: "+d.Name) || !strings.Contains(manifest, "for: 20s") || !strings.Contains(manifest, port) {
		t.Fatalf("the samples changed; adapt the journey's replacements:\n%s", manifest)
	}
	kubectl(t, manifest, "apply", "-f", "-")

	state := func() string {
		return kubectl(t, "", "-n", ns, "get", "alertrule", "database-down", "-o", "jsonpath={.status.state}/{.status.health}")
	}
	waitState := func(want string, limit time.Duration) {
		t.Helper()
		deadline := time.Now().Add(limit)
		for {
			got := state()
			if got == want {
				t.Logf("kubectl get alertrules:\n%s", kubectl(t, "", "get", "alertrules", "-n", ns))
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("alert rule state %q after %s, want %q\n%s", got, limit, want,
					kubectl(t, "", "-n", ns, "describe", "alertrule", "database-down"))
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	waitState("Inactive/OK", 60*time.Second)

	// Break: the app role the LMS and the check connect as may no longer log in.
	creds, err := plat.Kube.CoreV1().Secrets(ns).Get(context.Background(), builders.CredentialApp.SecretName(), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	role := string(creds.Data[builders.KeyUsername])
	alterLogin := func(login string) {
		t.Helper()
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, plat.Postgres.AdminURL("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "ALTER ROLE "+pgx.Identifier{role}.Sanitize()+" "+login); err != nil {
			t.Fatal(err)
		}
	}
	before := len(plat.Alerts.Messages())
	broken := time.Now()
	alterLogin("NOLOGIN")
	t.Cleanup(func() { alterLogin("LOGIN") })

	waitState("Pending/OK", 45*time.Second)
	waitState("Firing/OK", 60*time.Second)
	t.Logf("Firing %s after the break", time.Since(broken).Round(time.Second))
	waitMessage := func(kind string) {
		t.Helper()
		waitFor(t, kind+" message at the receiver", func() bool {
			for _, m := range plat.Alerts.Messages()[before:] {
				if strings.Contains(m, "["+kind+"] "+rule) {
					t.Logf("receiver: %s", m)
					return true
				}
			}
			return false
		})
	}
	waitMessage("FIRING")
	if v := kubectl(t, "", "-n", ns, "get", "alertrule", "database-down", "-o", "jsonpath={.status.lastNotification.result}"); v != "Sent" {
		t.Errorf("status.lastNotification.result = %q, want Sent", v)
	}

	// Repair.
	alterLogin("LOGIN")
	waitState("Resolved/OK", 90*time.Second)
	waitMessage("RESOLVED")
}
