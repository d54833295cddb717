// Command platform is make run: it brings the whole Bellwork platform up on
// this machine (Postgres, the local control plane, the local kubelet and
// service proxy, the operator, and the LMS fleet the operator runs from the
// sample lmsdeploy), applies config/samples, waits for the sample district
// to be Ready and served, and says how to use it. Ctrl-C stops everything
// it started; data stays in .local for the next run.
package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"bellwork.dev/bellwork/internal/dev/localcluster"
	"bellwork.dev/bellwork/internal/dev/platform"
)

const (
	sampleTenant = "lincoln-usd"
	sampleHost   = "lincoln.localhost"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case err != nil && interrupted:
		// Ctrl-C during start-up: whatever failed failed because of it.
		fmt.Fprintln(os.Stderr, "\nmake run: interrupted; everything it had started is stopped and data is kept in .local/ ('make run' resumes).")
		os.Exit(130)
	case err != nil:
		fmt.Fprintf(os.Stderr, "\nmake run: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	root, err := localcluster.RepoRoot()
	if err != nil {
		return err
	}
	start := time.Now()
	p, err := platform.Up(ctx, platform.Defaults(root))
	if err != nil {
		return err
	}
	defer func() {
		fmt.Println("\nStopping the operator, the LMS fleet's processes, the control plane and Postgres...")
		p.Down()
		fmt.Println("Stopped. Data is kept in .local/; 'make run' resumes, 'make clean-local' removes it.")
	}()
	fmt.Println("==> Applying config/samples/ with kubectl")
	apply := exec.CommandContext(ctx, "kubectl", "--kubeconfig", p.Kubeconfig, "apply", "-f", filepath.Join(root, "config", "samples"))
	apply.Stdout, apply.Stderr = os.Stdout, os.Stderr
	if err := apply.Run(); err != nil {
		return fmt.Errorf("kubectl apply -f config/samples: %w", err)
	}
	fmt.Printf("==> Waiting for the sample district %s to be Ready\n", sampleTenant)
	if err := p.WaitTenantReady(ctx, sampleTenant, 3*time.Minute); err != nil {
		return err
	}
	fmt.Printf("==> Waiting for the LMS fleet to serve %s\n", sampleHost)
	if err := p.WaitDistrictServed(ctx, sampleHost, 2*time.Minute); err != nil {
		return err
	}
	// The sample BackupPolicy names these Secrets: the local S3 server's
	// credentials and the verification server.
	if err := p.PublishBackupSecrets(ctx, "tenant-"+sampleTenant); err != nil {
		return fmt.Errorf("publish the backup Secrets: %w", err)
	}
	links, err := invitationLinks(ctx, p)
	if err != nil {
		return err
	}
	fmt.Printf(`
Bellwork is running (ready in %s).

  LMS:            http://%s:%d   (the lmsdeploy's active Service; its pods run as local lms processes)
  Preview:        http://%s:%d   (the preview Service: a rollout's new version before promotion)
  Admin sign-in:  %s
  Mailbox:        http://%s:%d/dev/mailbox   (files in %s)
  kubeconfig:     %s

Try:
  export KUBECONFIG=%s
  kubectl get tenants,schools -A
  kubectl describe tenant %s
  kubectl get lmsdeploy,pods -n %s
  kubectl get bellwork -A
  kubectl get alertrules -A      (messages they send are printed here by the alert receiver)
  kubectl get featureflags -A    (roster-export: Lincoln High's teachers get "Download roster (CSV)" on a section; Admin › Feature flags)
  kubectl get secret flag-token -n tenant-%s -o jsonpath='{.data.token}' | base64 -d   (a bearer token for POST /ofrep/v1/evaluate/flags)
  kubectl -n tenant-%s create job --from=cronjob/nightly-backup backup-now   (then nightly-verify; see docs/backups.md)

Logs: %s (LMS pods in %s)   Ctrl-C stops everything.
`, time.Since(start).Round(time.Second), sampleHost, p.Opts.LMSPort, sampleHost, p.Opts.PreviewPort, links, sampleHost, p.Opts.LMSPort,
		p.Opts.MailDir(), p.Kubeconfig, p.Kubeconfig, sampleTenant, platform.Namespace, sampleTenant, sampleTenant, filepath.Join(p.Opts.StateDir, "logs"), p.Opts.PodLogs())
	select {
	case <-ctx.Done():
		return nil
	case name := <-p.Exited():
		return fmt.Errorf("%s stopped unexpectedly; see %s", name, filepath.Join(p.Opts.StateDir, "logs", name+".log"))
	}
}

// invitationLinks reads the admins' one-time sign-in links from the Secret
// the operator keeps in the tenant namespace.
func invitationLinks(ctx context.Context, p *platform.Platform) (string, error) {
	s, err := p.Kube.CoreV1().Secrets("tenant-"+sampleTenant).Get(ctx, "admin-invitations", metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("read the admin sign-in link (Secret tenant-%s/admin-invitations): %w", sampleTenant, err)
	}
	out := ""
	for i, k := range slices.Sorted(maps.Keys(s.Data)) {
		if i > 0 {
			out += "\n                  "
		}
		out += string(s.Data[k]) + "  (" + k + ")"
	}
	return out, nil
}
