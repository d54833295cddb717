// Command localcluster runs the local control plane in the foreground until
// interrupted: etcd, kube-apiserver, kube-controller-manager, kube-scheduler
// and a kwok simulated node, with Bellwork's and CloudNativePG's CRDs
// installed. `make cluster-up` runs it in the background; `make run` runs it
// beside the operator.
//
//	localcluster -state .local/cluster -write-kubeconfig .local/kubeconfig
//
// When the cluster serves, it writes <state>/ready holding its process id;
// it removes the file when it stops. Data stays in <state> between runs.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"bellwork.dev/bellwork/internal/dev/localcluster"
)

func main() {
	state := flag.String("state", ".local/cluster", "folder for etcd data and logs")
	kubeconfig := flag.String("write-kubeconfig", ".local/kubeconfig", "where to write the admin kubeconfig")
	flag.Parse()
	if err := run(*state, *kubeconfig); err != nil {
		fmt.Fprintf(os.Stderr, "localcluster: %v\n", err)
		os.Exit(1)
	}
}

func run(state, kubeconfig string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	root, err := localcluster.RepoRoot()
	if err != nil {
		return err
	}
	bin, err := localcluster.BinDir(root)
	if err != nil {
		return err
	}
	crds, err := localcluster.CRDDirs(root)
	if err != nil {
		return err
	}
	state, err = filepath.Abs(state)
	if err != nil {
		return err
	}
	if kubeconfig, err = filepath.Abs(kubeconfig); err != nil {
		return err
	}
	ready := filepath.Join(state, "ready")
	_ = os.Remove(ready)

	cluster, err := localcluster.Start(ctx, localcluster.Options{
		BinDir: bin, CRDDirs: crds, StateDir: state, Kubeconfig: kubeconfig, Workloads: true, Progress: os.Stdout,
	})
	if err != nil {
		return err
	}
	defer func() {
		_ = os.Remove(ready)
		fmt.Println("Stopping the local control plane (data kept in " + state + ")...")
		if err := cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "localcluster: %v\n", err)
		}
	}()
	if err := os.WriteFile(ready, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return fmt.Errorf("write ready file: %w", err)
	}
	fmt.Printf("Local control plane ready. kubeconfig: %s\n", cluster.KubeconfigPath)

	select {
	case <-ctx.Done():
		return nil
	case name := <-cluster.Exited():
		return fmt.Errorf("%s exited; see %s", name, filepath.Join(cluster.LogDir(), name+".log"))
	}
}
