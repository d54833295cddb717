// Package pgserver runs a Postgres cluster of the project's own: initdb into
// a folder, its own port on loopback, password (SCRAM) authentication as in
// production. Tests use throwaway clusters in temporary folders; `make run`
// keeps one in .local/postgres. A server with trust authentication accepts
// any password, so it could not prove that a wrong credential is refused.
package pgserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// SuperUser is the cluster's bootstrap superuser.
const SuperUser = "postgres"

// Options configure a cluster.
type Options struct {
	// Dir holds the data folder ("data") and the superuser password
	// ("superuser-password"). Empty means a temporary folder removed on Stop.
	Dir string
	// Port to listen on; 0 picks a free one.
	Port int
	// Durable keeps fsync on. Test clusters run without it for speed.
	Durable bool
}

// Server is a running cluster.
type Server struct {
	Host          string
	Port          int
	SuperPassword string

	dir     string
	temp    bool
	binDir  string
	cmd     *exec.Cmd
	done    chan error
	logPath string
}

// Start initialises the cluster if its folder is new, and starts it.
func Start(ctx context.Context, opts Options) (*Server, error) {
	binDir, err := BinDir()
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", Port: opts.Port, binDir: binDir, dir: opts.Dir}
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "bellwork-pg-"); err != nil {
			return nil, fmt.Errorf("create folder: %w", err)
		}
		s.temp = true
	}
	if s.dir, err = filepath.Abs(s.dir); err != nil {
		return nil, err
	}
	// Parents stay traversable: as root, the server runs as the postgres
	// user, which must reach its folder.
	if err := os.MkdirAll(filepath.Dir(s.dir), 0o755); err != nil {
		return nil, fmt.Errorf("create folder: %w", err)
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("create folder: %w", err)
	}
	if s.Port == 0 {
		if s.Port, err = freePort(); err != nil {
			return nil, err
		}
	}
	if err := s.initdb(ctx); err != nil {
		s.cleanup()
		return nil, err
	}
	if err := s.start(ctx, opts.Durable, nil); err != nil {
		s.cleanup()
		return nil, err
	}
	return s, nil
}

// BinDir finds the newest installed Postgres server's binaries.
func BinDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no Postgres server found: install Debian's postgresql package (hack/install-deps.sh does)")
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Postgres refuses to run as root; as root, run its programs as the
// postgres system user and give that user the folder.
func (s *Server) command(ctx context.Context, name string, args ...string) (*exec.Cmd, error) {
	path := filepath.Join(s.binDir, name)
	if os.Geteuid() != 0 {
		return exec.CommandContext(ctx, path, args...), nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("running as root needs the postgres system user (created by Debian's postgresql package)")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := chownTree(s.dir, uid, gid); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	cmd.Env = append(os.Environ(), "HOME="+s.dir)
	return cmd, nil
}

func chownTree(dir string, uid, gid int) error {
	// The parents must be traversable, too (a temporary folder is 0700 root).
	if err := os.Chown(dir, uid, gid); err != nil {
		return fmt.Errorf("give %s to postgres: %w", dir, err)
	}
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }

func (s *Server) initdb(ctx context.Context) error {
	pwPath := filepath.Join(s.dir, "superuser-password")
	if pw, err := os.ReadFile(pwPath); err == nil {
		s.SuperPassword = strings.TrimSpace(string(pw))
		if _, err := os.Stat(filepath.Join(s.dataDir(), "PG_VERSION")); err == nil {
			return nil
		}
	} else {
		s.SuperPassword = randomHex(16)
		if err := os.WriteFile(pwPath, []byte(s.SuperPassword+"\n"), 0o600); err != nil {
			return fmt.Errorf("write password file: %w", err)
		}
	}
	cmd, err := s.command(ctx, "initdb", "--pgdata="+s.dataDir(), "--username="+SuperUser,
		"--pwfile="+pwPath, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")
	if err != nil {
		return err
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// start runs the server; settings are extra "-c name=value" arguments.
func (s *Server) start(ctx context.Context, durable bool, settings []string) error {
	s.logPath = filepath.Join(s.dir, "postgres.log")
	args := []string{"-D", s.dataDir(), "-p", strconv.Itoa(s.Port), "-h", s.Host,
		"-k", s.dir, "-c", "max_connections=300", "-c", "shared_buffers=64MB"}
	for _, kv := range settings {
		args = append(args, "-c", kv)
	}
	if !durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd, err := s.command(context.WithoutCancel(ctx), "postgres", args...)
	if err != nil {
		return err
	}
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start postgres: %w", err)
	}
	s.cmd = cmd
	s.done = make(chan error, 1)
	go func() { s.done <- cmd.Wait(); logFile.Close() }()

	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, s.URL("postgres", SuperUser, s.SuperPassword))
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("postgres exited during start (port %d in use?); see %s", s.Port, s.logPath)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = s.Stop()
			return fmt.Errorf("postgres not accepting connections after 30s: %w; see %s", err, s.logPath)
		}
	}
}

// URL is a connection URL for a database as a user.
func (s *Server) URL(database, user, password string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password),
		Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), Path: "/" + database, RawQuery: "sslmode=disable"}
	return u.String()
}

// AdminURL connects to a database as the superuser.
func (s *Server) AdminURL(database string) string {
	return s.URL(database, SuperUser, s.SuperPassword)
}

// Dir is the cluster's folder.
func (s *Server) Dir() string { return s.dir }

// Stop shuts the server down (fast mode) and removes a temporary folder.
// Stopping a stopped server does nothing, so a test may stop one midway
// and still defer Stop.
func (s *Server) Stop() error {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		s.cmd = nil
	}
	s.cleanup()
	return nil
}

// Kill ends the server as a crash or a lost node would: SIGKILL to the
// postmaster and every backend (they share its process group), no
// shutdown checkpoint, connections cut. A temporary folder is removed.
func (s *Server) Kill() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return errors.New("server not running")
	}
	if err := syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill postgres: %w", err)
	}
	<-s.done
	s.cmd = nil
	s.cleanup()
	return nil
}

func (s *Server) cleanup() {
	if s.temp {
		_ = os.RemoveAll(s.dir)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
