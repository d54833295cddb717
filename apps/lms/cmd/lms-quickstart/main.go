// Command lms-quickstart runs the LMS alone against a Postgres of its own,
// in one command (make lms): it starts (or reuses) a password-protected
// Postgres cluster in .local/lms/postgres, provisions a district database
// with the roles the operator would create, writes its directory entry,
// invites the admin, and serves the LMS until Ctrl-C. Data stays for the
// next run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/devdb"
	"bellwork.dev/bellwork/internal/dev/pgserver"
	"bellwork.dev/bellwork/pkg/directory"
)

func main() {
	state := flag.String("state", ".local/lms", "folder for the database, the directory entry and sent mail")
	port := flag.Int("port", 8080, "port the LMS listens on (127.0.0.1)")
	probePort := flag.Int("probe-port", 9090, "port of the LMS's probe listener: /healthz, /readyz, /metrics (127.0.0.1)")
	pgPort := flag.Int("pg-port", 55433, "port of the quick-start Postgres (127.0.0.1)")
	admin := flag.String("admin", "admin@example.org", "e-mail address of the district admin to invite")
	flag.Parse()
	if err := run(*state, *port, *probePort, *pgPort, *admin); err != nil {
		fmt.Fprintf(os.Stderr, "lms-quickstart: %v\n", err)
		os.Exit(1)
	}
}

func run(state string, port, probePort, pgPort int, admin string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	state, err := filepath.Abs(state)
	if err != nil {
		return err
	}
	fmt.Println("Starting Postgres in", filepath.Join(state, "postgres"), "on port", pgPort, "...")
	pg, err := pgserver.Start(ctx, pgserver.Options{Dir: filepath.Join(state, "postgres"), Port: pgPort, Durable: true})
	if err != nil {
		return fmt.Errorf("%w (is another program using port %d? pass --pg-port)", err, pgPort)
	}
	defer pg.Stop()

	entryPath := filepath.Join(state, "tenants", "default.json")
	entry, err := loadOrProvision(ctx, pg, entryPath)
	if err != nil {
		return err
	}
	token, hash := auth.NewToken()
	entry.Admins = []directory.Admin{{Email: admin, TokenSHA256: hash, ExpiresAt: time.Now().Add(14 * 24 * time.Hour)}}
	data, err := directory.Marshal(entry)
	if err != nil {
		return err
	}
	if err := os.WriteFile(entryPath, data, 0o600); err != nil {
		return err
	}

	bin, err := filepath.Abs(filepath.Join("bin", "lms"))
	if err != nil {
		return err
	}
	fmt.Println("Building the LMS...")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./apps/lms")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build the LMS: %w", err)
	}
	// One release serves the quick start, so nothing needs what contract
	// migrations remove: apply them (a database from an earlier run may
	// have only the expand ones).
	migrate := exec.CommandContext(ctx, bin, "migrate", "--phase", "contract", "--database-url", entry.Database.OwnerURL())
	migrate.Stdout, migrate.Stderr = os.Stdout, os.Stderr
	if err := migrate.Run(); err != nil {
		return fmt.Errorf("migrate the district database: %w", err)
	}
	lms := exec.Command(bin, "serve", "--tenant-directory", filepath.Dir(entryPath), "--addr", "127.0.0.1:"+strconv.Itoa(port),
		"--probe-addr", "127.0.0.1:"+strconv.Itoa(probePort), "--dev-mailbox", "--mailbox-dir", filepath.Join(state, "mail"),
		"--files-dir", filepath.Join(state, "files"))
	lms.Stdout, lms.Stderr = os.Stdout, os.Stderr
	lms.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := lms.Start(); err != nil {
		return fmt.Errorf("start the LMS: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- lms.Wait() }()
	fmt.Printf(`
Bellwork LMS is starting on http://localhost:%d
  Sign in as the district admin (link works once, for 14 days):
    %s
  Sent mail (password resets, invitations): http://localhost:%d/dev/mailbox
  Probes and metrics: http://127.0.0.1:%d/readyz, /healthz, /metrics
  Data is kept in %s; Ctrl-C stops.

`, port, directory.InvitationURL("localhost", port, token), port, probePort, state)
	select {
	case err := <-done:
		return fmt.Errorf("the LMS stopped: %w", err)
	case <-ctx.Done():
		_ = lms.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = lms.Process.Kill()
		}
		fmt.Println("Stopped; data kept in", state)
		return nil
	}
}

// loadOrProvision reuses the entry of an earlier run, or provisions a
// fresh district database with one school.
func loadOrProvision(ctx context.Context, pg *pgserver.Server, path string) (*directory.Entry, error) {
	if data, err := os.ReadFile(path); err == nil {
		var e directory.Entry
		if err := json.Unmarshal(data, &e); err == nil && e.Database.System.User == "" && e.Database.Name != "" {
			// Provisioned before the LMS had a system login of its own.
			if err := devdb.AddSystemLogin(ctx, pg.AdminURL("postgres"), &e.Database); err != nil {
				return nil, fmt.Errorf("add the system login: %w", err)
			}
			if data, err = json.Marshal(&e); err != nil {
				return nil, err
			}
		}
		entry, err := directory.Unmarshal(data)
		if err != nil {
			return nil, fmt.Errorf("%s is damaged (%w); remove .local/lms to start over", path, err)
		}
		entry.Database.Port, entry.Database.DirectPort = pg.Port, pg.Port
		return entry, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	fmt.Println("Provisioning the district database (first run)...")
	d, err := devdb.Provision(ctx, pg.AdminURL("postgres"), pg.AdminURL, pg.Host, pg.Port, "bw_quickstart", "")
	if err != nil {
		return nil, fmt.Errorf("provision the database: %w", err)
	}
	return &directory.Entry{Version: directory.FormatVersion, Tenant: "default", DisplayName: "Quick Start Unified School District",
		Hosts: []string{"localhost", "127.0.0.1"}, TimeZone: "America/Chicago", Database: d,
		Schools: []directory.School{{Code: "QS-001", Name: "Quick Start High School", TimeZone: "America/Chicago",
			Branding:   directory.Branding{PrimaryColor: "#1d4ed8", Motto: "Learning every day"},
			GradeBands: []directory.GradeBand{{Name: "High", Grades: []string{"9", "10", "11", "12"}}},
			Calendar: directory.Calendar{Hours: []directory.Hours{{Days: []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}, Start: "08:00", End: "15:00"}},
				Terms: []directory.Term{{Name: "Fall 2026", Start: "2026-08-17", End: "2026-12-18"}, {Name: "Spring 2027", Start: "2027-01-05", End: "2027-05-28"}}}}}}, nil
}
