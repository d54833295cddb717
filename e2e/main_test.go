//go:build e2e

// Package e2e drives whole journeys through the platform as make run
// builds it: the real kube-apiserver and kubectl, the operator, the LMS
// fleet, Postgres and Debian's Chromium. Run with make e2e.
package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
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
	// One block of free ports: the LMS fleet's active and preview
	// Services, Postgres, operator (metrics, probes, admission webhook),
	// the alert receiver.
	base := freePorts(7)
	opts.LMSPort, opts.PreviewPort, opts.PostgresPort, opts.OperatorPort = base, base+1, base+2, base+3
	opts.S3Port = 0 // a free one: make run may hold the default
	opts.AlertReceiverPort = base + 6
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

// freePorts finds n consecutive free ports on loopback, below Linux's
// ephemeral range (32768 and up): a port the kernel handed out for
// listening there may, by the time the platform binds it, be the local
// port of some outgoing connection (seen: the operator's webhook port
// taken while the control plane started).
func freePorts(n int) int {
	for range 1000 {
		base := 20000 + rand.IntN(12000-n)
		ok := true
		for i := range n {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+i))
			if err != nil {
				ok = false
				break
			}
			l.Close()
		}
		if ok {
			return base
		}
	}
	panic("no block of free ports between 20000 and 32000")
}
