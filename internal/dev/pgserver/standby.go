package pgserver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// StartStandby copies the running server with pg_basebackup -R into a
// temporary folder and starts the copy as a hot standby streaming from it,
// on a free port of its own. The standby connects to the primary as the
// superuser (initdb's pg_hba.conf allows replication from loopback) with
// name as its application_name, the name pg_stat_replication shows on the
// primary. Stop removes its folder; stopping the standby leaves the primary
// running.
func (s *Server) StartStandby(ctx context.Context, name string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "bellwork-pg-standby-")
	if err != nil {
		return nil, fmt.Errorf("create folder: %w", err)
	}
	st := &Server{Host: s.Host, Port: port, SuperPassword: s.SuperPassword, binDir: s.binDir, dir: dir, temp: true}
	if err := os.WriteFile(filepath.Join(dir, "superuser-password"), []byte(s.SuperPassword+"\n"), 0o600); err != nil {
		st.cleanup()
		return nil, fmt.Errorf("write password file: %w", err)
	}
	// The connection string pg_basebackup is given becomes the standby's
	// primary_conninfo (-R), so it names the primary and the standby.
	conninfo := fmt.Sprintf("host=%s port=%d user=%s password=%s application_name=%s",
		s.Host, s.Port, SuperUser, s.SuperPassword, name)
	cmd, err := st.command(ctx, "pg_basebackup", "--pgdata="+st.dataDir(), "--dbname="+conninfo,
		"--write-recovery-conf", "--wal-method=stream", "--checkpoint=fast", "--no-sync")
	if err != nil {
		st.cleanup()
		return nil, err
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		st.cleanup()
		return nil, fmt.Errorf("pg_basebackup: %w: %s", err, strings.TrimSpace(string(out)))
	}
	if err := st.start(ctx, false, []string{"hot_standby=on", "cluster_name=" + name}); err != nil {
		st.cleanup()
		return nil, err
	}
	return st, nil
}
