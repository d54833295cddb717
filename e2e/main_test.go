//go:build e2e

// Package e2e drives whole journeys through the platform as make run
// builds it: the real kube-apiserver and kubectl, the operator, the LMS
// fleet, Postgres and Debian's Chromium. Run with make e2e.
package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"bellwork.dev/bellwork/internal/dev/localcluster"
	"bellwork.dev/bellwork/internal/dev/platform"
)

var (
	plat      *platform.Platform
	root      string
	artifacts string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if root, err = localcluster.RepoRoot(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	artifacts = filepath.Join(root, "e2e", "artifacts")
	state, err := os.MkdirTemp("", "bellwork-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_ = os.Chmod(state, 0o755) // the postgres user must reach its folder inside
	opts := platform.Defaults(root)
	opts.StateDir = state
	// One block of free ports: LMS replicas, Postgres, operator (metrics,
	// probes, admission webhook), the alert receiver.
	base := freePorts(opts.LMSReplicas + 5)
	opts.LMSPort, opts.PostgresPort, opts.OperatorPort = base, base+opts.LMSReplicas, base+opts.LMSReplicas+1
	opts.AlertReceiverPort = base + opts.LMSReplicas + 4
	plat, err = platform.Up(context.Background(), opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: bring the platform up: %v\n(its logs are in %s)\n", err, filepath.Join(state, "logs"))
		return 1
	}
	code := m.Run()
	plat.Down()
	if code == 0 {
		_ = os.RemoveAll(state)
	} else {
		fmt.Fprintf(os.Stderr, "e2e: the platform's state (logs, Postgres, etcd) is kept in %s\n", state)
	}
	return code
}

// freePorts finds n consecutive free ports on loopback.
func freePorts(n int) int {
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		base := l.Addr().(*net.TCPAddr).Port
		l.Close()
		ok := true
		for i := 1; i < n; i++ {
			if l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+i)); err != nil {
				ok = false
			} else {
				l2.Close()
			}
		}
		if ok {
			return base
		}
	}
}
