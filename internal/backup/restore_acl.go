package backup

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"regexp"

	"github.com/jackc/pgx/v5"
)

// publicACL matches the privilege statements of a dump that concern
// PUBLIC only, such as the migrations' "REVOKE ALL ON FUNCTION
// bw_establish(...) FROM PUBLIC".
var publicACL = regexp.MustCompile(`^(REVOKE|GRANT) .* (FROM|TO) PUBLIC;$`)

// restorePublicACLs puts back what the source database took from or gave
// to PUBLIC. The restore itself runs with --no-privileges, because the
// dump's grants name the source tenant's roles, which the target does not
// have (the operator grants the target's own); but without these a
// function the LMS locked down (bw_establish, which sets any user context)
// would be callable by every role again. It reads the dump's schema a
// second time from the store.
func restorePublicACLs(ctx context.Context, s Store, m *Manifest, conn *pgx.Conn) error {
	obj, err := s.Get(ctx, dumpKey(m.Tenant, m.ID))
	if err != nil {
		return fmt.Errorf("open backup %s: %w", m.ID, err)
	}
	defer obj.Close()
	bin, err := pgBin("pg_restore")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--schema-only", "--file=-")
	cmd.Stdin = obj
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr := &lastLines{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	var stmts []string
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		if line := sc.Text(); publicACL.MatchString(line) {
			stmts = append(stmts, line)
		}
	}
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("read the privileges of backup %s: pg_restore failed (%v): %s", m.ID, err, stderr)
	}
	for _, st := range stmts {
		if _, err := conn.Exec(ctx, st); err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
	}
	return nil
}
