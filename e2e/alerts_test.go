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
// The district's database stops letting its logins in (CONNECTION LIMIT 0
// on the database, as a maintenance or a mistaken change would set) and
// the sessions already open are ended, so the LMS's pools must reconnect
// and cannot. The sample database-down rule goes Pending then Firing in
// `kubectl get alertrules`, its message reaches make run's local receiver,
// and the LMS notices too: a rule over the LMS's own lms_db_up series
// fires. Once the limit is lifted both resolve and a resolved message
// follows. The sample rule is used as it is (interval 10s, for 20s,
// keepFiringFor 30s), moved to this district's namespace and this
// platform's receiver port.
//
// The break must be one the operator does not put back: it repairs a
// login's LOGIN, role connection limits and CONNECT grants as drift, and
// every AlertRule status write in the district's namespace starts a Tenant
// pass (the onboarding checklist counts the rules), so an ALTER ROLE …
// NOLOGIN was undone as soon as the rule went Pending. The database's own
// connection limit is not the operator's; its superuser admin connection is
// exempt from it, so the district stays provisioned meanwhile.
func TestSREWatchesADatabaseGoDownAndRecover(t *testing.T) {
	keepLogsOnFailure(t)
	d := newTenant(t, "alerts")
	ns := "tenant-" + d.Name
	rule := ns + "/database-down"

	// The sample rule and receiver Secret, in this district's namespace,
	// and a rule over the LMS's own view of the database.
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
	manifest += fmt.Sprintf(`
---
apiVersion: platform.bellwork.dev/v1
kind: AlertRule
metadata:
  name: lms-database-down
  namespace: %s
spec:
  expr: lms_db_up{tenant="%s"} == 0
  interval: 10s
  severity: critical
`, ns, d.Name)
	kubectl(t, manifest, "apply", "-f", "-")

	state := func(name string) string {
		return kubectl(t, "", "-n", ns, "get", "alertrule", name, "-o", "jsonpath={.status.state}/{.status.health}")
	}
	waitState := func(name, want string, limit time.Duration) {
		t.Helper()
		deadline := time.Now().Add(limit)
		for {
			got := state(name)
			if got == want {
				t.Logf("kubectl get alertrules:\n%s", kubectl(t, "", "get", "alertrules", "-n", ns))
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("alert rule %s state %q after %s, want %q\n%s", name, got, limit, want,
					kubectl(t, "", "-n", ns, "describe", "alertrule", name))
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	waitState("database-down", "Inactive/OK", 60*time.Second)
	waitState("lms-database-down", "Inactive/OK", 60*time.Second)

	// Break: the database refuses new connections from the district's
	// logins, and the sessions they hold are ended.
	creds, err := plat.Kube.CoreV1().Secrets(ns).Get(context.Background(), builders.CredentialApp.SecretName(), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	database := string(creds.Data[builders.KeyDBName])
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, plat.Postgres.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(ctx) }) // after the limit is put back: cleanups run last first
	var limit int
	if err := admin.QueryRow(ctx, "SELECT datconnlimit FROM pg_database WHERE datname = $1", database).Scan(&limit); err != nil {
		t.Fatal(err)
	}
	setLimit := func(n int) {
		t.Helper()
		if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s CONNECTION LIMIT %d", pgx.Identifier{database}.Sanitize(), n)); err != nil {
			t.Fatal(err)
		}
	}
	before := len(plat.Alerts.Messages())
	broken := time.Now()
	setLimit(0)
	t.Cleanup(func() { setLimit(limit) })
	var ended int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(a.pid)) FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
		WHERE a.datname = $1 AND NOT r.rolsuper`, database).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	t.Logf("ended %d sessions of the district's logins", ended)

	waitState("database-down", "Pending/OK", 45*time.Second)
	waitState("database-down", "Firing/OK", 60*time.Second)
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
	// The LMS samples once a minute and the operator scrapes it every 15 s.
	waitState("lms-database-down", "Firing/OK", 150*time.Second)
	t.Logf("the LMS saw it %s after the break", time.Since(broken).Round(time.Second))
	if v := state("database-down"); v != "Firing/OK" {
		t.Errorf("database-down %s while the database still refuses, want Firing/OK (did something lift the limit?)", v)
	}

	// Repair.
	setLimit(limit)
	waitState("database-down", "Resolved/OK", 90*time.Second)
	waitMessage("RESOLVED")
	waitState("lms-database-down", "Resolved/OK", 150*time.Second)
}
