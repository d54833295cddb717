// Package pgbouncer runs a real PgBouncer (Debian's pgbouncer package) in
// front of a test Postgres, configured as production runs it: transaction
// pooling, SCRAM passwords, and CloudNativePG's auth query
// (public.user_search, see internal/pgadmin), so clients log in with their
// own Postgres passwords and PgBouncer keeps none of them. Tests use it to
// prove what only a pooler shows: one server connection serving many
// clients' transactions in turn.
package pgbouncer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/internal/pgadmin"
)

// Options configure a PgBouncer.
type Options struct {
	// ServerHost and ServerPort reach the Postgres it pools.
	ServerHost string
	ServerPort int
	// PoolSize is default_pool_size: server connections per database and
	// login. 1 makes every client of a login share one server connection.
	PoolSize int
	// AuthPassword is the password of pgadmin.PoolerRole, the login that
	// runs the auth query (EnableAuthQuery sets it).
	AuthPassword string
}

// Bouncer is a running PgBouncer.
type Bouncer struct {
	Host string
	Port int

	dir     string
	cmd     *exec.Cmd
	done    chan error
	logPath string
}

// Binary finds the pgbouncer program (Debian installs it in /usr/sbin,
// often not on a user's PATH).
func Binary() (string, error) {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/pgbouncer"); err == nil {
		return "/usr/sbin/pgbouncer", nil
	}
	return "", errors.New("no pgbouncer found: install Debian's pgbouncer package (hack/install-deps.sh does)")
}

// Start writes a configuration into a temporary folder and starts
// PgBouncer on a free loopback port, in the foreground of a child process.
func Start(ctx context.Context, opts Options) (*Bouncer, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	if opts.PoolSize <= 0 {
		opts.PoolSize = 1
	}
	dir, err := os.MkdirTemp("", "bellwork-pgbouncer-")
	if err != nil {
		return nil, err
	}
	b := &Bouncer{Host: "127.0.0.1", dir: dir, logPath: filepath.Join(dir, "pgbouncer.log")}
	if b.Port, err = freePort(); err != nil {
		b.cleanup()
		return nil, err
	}
	// PgBouncer refuses to run as root: as root, run it as the postgres
	// system user (set before exec, so the parent-death signal survives),
	// which must then read its folder.
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		if cred, err = giveTo(dir, "postgres"); err != nil {
			b.cleanup()
			return nil, err
		}
	}
	// Only the auth-query login is listed (its password in plain text, in a
	// 0600 file): every other login is looked up in the database with
	// public.user_search, as CloudNativePG's PgBouncer does. The SCRAM
	// verifier that returns lets PgBouncer check the client's password and
	// then log in to Postgres with the client's own SCRAM keys, so
	// PgBouncer never holds an LMS password.
	userlist := fmt.Sprintf("%q %q\n", pgadmin.PoolerRole, opts.AuthPassword)
	ini := strings.Join([]string{
		"[databases]",
		fmt.Sprintf("* = host=%s port=%d", opts.ServerHost, opts.ServerPort),
		"[pgbouncer]",
		"listen_addr = " + b.Host,
		"listen_port = " + strconv.Itoa(b.Port),
		"unix_socket_dir =",
		"pidfile = " + filepath.Join(dir, "pgbouncer.pid"),
		"auth_type = scram-sha-256",
		"auth_file = " + filepath.Join(dir, "userlist.txt"),
		"auth_user = " + pgadmin.PoolerRole,
		"auth_query = SELECT usename, passwd FROM public.user_search($1)",
		"pool_mode = transaction",
		"default_pool_size = " + strconv.Itoa(opts.PoolSize),
		"max_client_conn = 500",
		"server_reset_query = DISCARD ALL",
		"ignore_startup_parameters = extra_float_digits,options",
		"server_login_retry = 1",
		"",
	}, "\n")
	for name, text := range map[string]string{"userlist.txt": userlist, "pgbouncer.ini": ini} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			b.cleanup()
			return nil, err
		}
	}
	if cred != nil {
		if _, err := giveTo(dir, "postgres"); err != nil {
			b.cleanup()
			return nil, err
		}
	}
	logFile, err := os.Create(b.logPath)
	if err != nil {
		b.cleanup()
		return nil, err
	}
	cmd := exec.Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM, Credential: cred}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		b.cleanup()
		return nil, fmt.Errorf("start pgbouncer: %w", err)
	}
	b.cmd = cmd
	b.done = make(chan error, 1)
	go func() { b.done <- cmd.Wait(); logFile.Close() }()

	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", net.JoinHostPort(b.Host, strconv.Itoa(b.Port)), time.Second)
		if err == nil {
			c.Close()
			return b, nil
		}
		select {
		case <-b.done:
			log, _ := os.ReadFile(b.logPath)
			b.cleanup()
			return nil, fmt.Errorf("pgbouncer exited during start: %s", strings.TrimSpace(string(log)))
		case <-ctx.Done():
			b.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.Stop()
			return nil, fmt.Errorf("pgbouncer not listening after 15s: %w", err)
		}
	}
}

// EnableAuthQuery prepares a database for the auth query the way the
// operator does for a tenant behind a Pooler (pgadmin.PlanPoolerRole and
// PlanPoolerFunction), sets PoolerRole's password and lets it connect.
// adminURL connects to a database as a superuser.
func EnableAuthQuery(ctx context.Context, adminURL func(database string) string, database, password string) error {
	conn, err := pgx.Connect(ctx, adminURL(database))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", pgadmin.PoolerRole).Scan(&exists); err != nil {
		return err
	}
	var stmts []string
	for _, c := range pgadmin.PlanPoolerRole(pgadmin.PoolerFunctionState{RoleExists: exists}) {
		stmts = append(stmts, c.SQL)
	}
	for _, c := range pgadmin.PlanPoolerFunction(pgadmin.Names{Database: database}, pgadmin.PoolerFunctionState{}) {
		stmts = append(stmts, c.SQL)
	}
	role, db := pgx.Identifier{pgadmin.PoolerRole}.Sanitize(), pgx.Identifier{database}.Sanitize()
	stmts = append(stmts,
		fmt.Sprintf("ALTER ROLE %s PASSWORD '%s'", role, strings.ReplaceAll(password, "'", "''")),
		fmt.Sprintf("GRANT CONNECT ON DATABASE %s TO %s", db, role))
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", strings.SplitN(s, " PASSWORD", 2)[0], err)
		}
	}
	return nil
}

// Log is what PgBouncer logged so far, for a failing test's message.
func (b *Bouncer) Log() string {
	log, _ := os.ReadFile(b.logPath)
	return string(log)
}

// Stop shuts PgBouncer down and removes its folder.
func (b *Bouncer) Stop() {
	if b.cmd != nil && b.cmd.Process != nil {
		_ = b.cmd.Process.Signal(syscall.SIGTERM) // immediate shutdown
		select {
		case <-b.done:
		case <-time.After(10 * time.Second):
			_ = b.cmd.Process.Kill()
			<-b.done
		}
	}
	b.cleanup()
}

func (b *Bouncer) cleanup() { _ = os.RemoveAll(b.dir) }

// giveTo gives dir and its files to a system user and returns that user's
// credentials.
func giveTo(dir, name string) (*syscall.Credential, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("running as root needs the %s system user: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if err := os.Chown(filepath.Join(dir, e.Name()), uid, gid); err != nil {
			return nil, err
		}
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, os.Chown(dir, uid, gid)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
