// Package testenv starts the locally built control plane for tests: an API
// server with Bellwork's and CloudNativePG's CRDs, and optionally the
// components that make workloads progress.
package testenv

import (
	"context"
	"fmt"
	"os"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/dev/localcluster"
)

// Scheme knows the built-in kinds, Bellwork's and CloudNativePG's.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(platformv1.AddToScheme(s))
	utilruntime.Must(cnpgv1.AddToScheme(s))
	return s
}

// Env is a running control plane and a client for it.
type Env struct {
	*localcluster.Cluster
	Client client.Client
	Root   string
}

// Start brings up the control plane; workloads also starts the controller
// manager, scheduler and simulated node. Call Stop when done (in TestMain).
func Start(ctx context.Context, workloads bool) (*Env, error) {
	root, err := localcluster.RepoRoot()
	if err != nil {
		return nil, err
	}
	bin, err := localcluster.BinDir(root)
	if err != nil {
		return nil, err
	}
	crds, err := localcluster.CRDDirs(root)
	if err != nil {
		return nil, err
	}
	cluster, err := localcluster.Start(ctx, localcluster.Options{BinDir: bin, CRDDirs: crds, Workloads: workloads})
	if err != nil {
		return nil, err
	}
	c, err := client.New(cluster.Config, client.Options{Scheme: Scheme()})
	if err != nil {
		_ = cluster.Stop()
		return nil, fmt.Errorf("client: %w", err)
	}
	return &Env{Cluster: cluster, Client: c, Root: root}, nil
}

// Main runs a package's tests against a fresh control plane and exits.
// Use it as the body of TestMain; env receives the running control plane.
func Main(run func() int, workloads bool, env **Env) {
	e, err := Start(context.Background(), workloads)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
		os.Exit(1)
	}
	*env = e
	code := run()
	if err := e.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
	}
	os.Exit(code)
}
