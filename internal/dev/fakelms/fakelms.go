// Package fakelms stands in for the lms binary in tests of the lmsdeploy
// controller that must not depend on a database: the test binary runs
// itself with EnvFlag set (the lmsdeploy's spec.env carries it into every
// pod and Job), and TestMain hands over to RunIfAsked.
//
//   - serve listens on --addr and --probe-addr: / answers "<POD_NAME>
//     <image>", /readyz 200; SIGTERM drains in-flight requests.
//   - migrate --phase P exits 1 with "tenant T: <FAKE_MIGRATE_ERROR>" when
//     the tenant of $BELLWORK_TENANT_ENTRY is in $FAKE_MIGRATE_FAIL
//     (comma-separated, "T/P" to fail one phase only); otherwise it
//     records the run in $FAKE_LOG_DIR and exits 0.
//   - smoke exits 1 with $FAKE_SMOKE_FAIL when it is set.
package fakelms

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// EnvFlag, set to 1, makes RunIfAsked act as the lms binary.
const EnvFlag = "BELLWORK_FAKE_LMS"

// RunIfAsked runs the fake and exits when EnvFlag is set.
func RunIfAsked() {
	if os.Getenv(EnvFlag) != "1" {
		return
	}
	args := os.Args[1:]
	// The test binary's own flags (-test.*) may come first.
	for len(args) > 0 && strings.HasPrefix(args[0], "-test.") {
		args = args[1:]
	}
	if len(args) == 0 {
		os.Exit(2)
	}
	switch args[0] {
	case "serve":
		os.Exit(serve(args[1:]))
	case "migrate":
		os.Exit(migrate(args[1:]))
	case "smoke":
		if msg := os.Getenv("FAKE_SMOKE_FAIL"); msg != "" {
			fmt.Fprintln(os.Stderr, "lms smoke: "+msg)
			os.Exit(1)
		}
		fmt.Println("Smoke test passed.")
		os.Exit(0)
	}
	fmt.Fprintf(os.Stderr, "fakelms: unknown command %q\n", args[0])
	os.Exit(2)
}

func serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "", "")
	probe := fs.String("probe-addr", "", "")
	fs.String("tenant-directory", "", "")
	fs.String("log-format", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	image := os.Getenv("FAKE_IMAGE")
	app := http.NewServeMux()
	app.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if ms := r.URL.Query().Get("sleep"); ms != "" {
			d, _ := time.ParseDuration(ms + "ms")
			time.Sleep(d)
		}
		fmt.Fprintf(w, "%s %s", os.Getenv("POD_NAME"), image)
	})
	probes := http.NewServeMux()
	probes.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	probes.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	servers := []*http.Server{{Addr: *addr, Handler: app}, {Addr: *probe, Handler: probes}}
	errc := make(chan error, 2)
	for _, s := range servers {
		go func() { errc <- s.ListenAndServe() }()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	select {
	case err := <-errc:
		fmt.Fprintln(os.Stderr, err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(shutdown)
	}
	return 0
}

func migrate(args []string) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	phase := fs.String("phase", "expand", "")
	fs.String("log-format", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var entry struct {
		Tenant string `json:"tenant"`
	}
	if err := json.Unmarshal([]byte(os.Getenv("BELLWORK_TENANT_ENTRY")), &entry); err != nil || entry.Tenant == "" {
		fmt.Fprintln(os.Stderr, "lms migrate: no tenant entry in $BELLWORK_TENANT_ENTRY")
		return 1
	}
	fails := strings.Split(os.Getenv("FAKE_MIGRATE_FAIL"), ",")
	if slices.Contains(fails, entry.Tenant) || slices.Contains(fails, entry.Tenant+"/"+*phase) {
		fmt.Fprintf(os.Stderr, "lms migrate: tenant %s: %s\n", entry.Tenant, os.Getenv("FAKE_MIGRATE_ERROR"))
		return 1
	}
	if dir := os.Getenv("FAKE_LOG_DIR"); dir != "" {
		f, err := os.OpenFile(filepath.Join(dir, "migrations.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%s %s %s\n", entry.Tenant, *phase, os.Getenv("FAKE_IMAGE"))
			f.Close()
		}
	}
	fmt.Printf("Applied 1 migration(s) to tenant %s (%s phase).\n", entry.Tenant, *phase)
	return 0
}
