package backup

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// pgBin finds pg_dump or pg_restore: $BELLWORK_PG_BIN, else the newest
// Debian-installed Postgres (a dump needs a pg_dump at least as new as the
// server), else $PATH.
func pgBin(name string) (string, error) {
	if dir := os.Getenv("BELLWORK_PG_BIN"); dir != "" {
		return filepath.Join(dir, name), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return major(dirs[i]) > major(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, name)); err == nil {
			return filepath.Join(d, name), nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found: install Postgres client programs", name)
	}
	return p, nil
}

func major(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func toolVersion(ctx context.Context, bin string) string {
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// libpqArgs splits a postgres:// URL into one without the password (for
// argv, which other users can read) and the environment carrying it.
func libpqArgs(dbURL string) (string, []string, error) {
	u, err := url.Parse(dbURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, errors.New("database URL must be postgres://user:password@host:port/database")
	}
	env := os.Environ()
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+p)
			u.User = url.User(u.User.Username())
		}
	}
	return u.String(), env, nil
}

// withDatabase returns dbURL pointing at another database.
func withDatabase(dbURL, db string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + db
	return u.String(), nil
}

// databaseOf is the database a URL names.
func databaseOf(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// redact shows a URL without its password, for messages.
func redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Redacted()
}

// lastLines keeps the end of a tool's stderr for the error message.
type lastLines struct{ buf []byte }

func (l *lastLines) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	if len(l.buf) > 4096 {
		l.buf = l.buf[len(l.buf)-4096:]
	}
	return len(p), nil
}

func (l *lastLines) String() string {
	lines := strings.Split(strings.TrimSpace(string(l.buf)), "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, "; ")
}
