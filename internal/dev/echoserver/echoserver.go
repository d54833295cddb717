// Package echoserver is a tiny HTTP server that tests of the local
// kubelet and service proxy run as a pod's process: the test binary runs
// itself with EnvFlag set, and TestMain hands over to Serve.
//
// It answers / with "<POD_NAME> <COLOR>", /slow?ms=N after N
// milliseconds, /readyz with 200 until POST /unready, and exits with code 3
// on POST /exit. SIGTERM shuts it down gracefully: requests in flight
// finish.
package echoserver

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// EnvFlag, set to 1 in a process's environment, makes ServeIfAsked serve.
const EnvFlag = "BELLWORK_ECHOSERVER"

// ServeIfAsked serves and exits when EnvFlag is set; otherwise it returns.
// Call it first in TestMain.
func ServeIfAsked() {
	if os.Getenv(EnvFlag) != "1" {
		return
	}
	os.Exit(serve(os.Args[1:]))
}

func serve(args []string) int {
	fs := flag.NewFlagSet("echoserver", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	// The test binary's own flags may precede ours; keep what we know.
	var mine []string
	for _, a := range args {
		if len(a) > 7 && a[:7] == "--addr=" {
			mine = append(mine, a)
		}
	}
	if err := fs.Parse(mine); err != nil {
		return 2
	}
	var unready atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "%s %s", os.Getenv("POD_NAME"), os.Getenv("COLOR"))
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		fmt.Fprintf(w, "%s %s", os.Getenv("POD_NAME"), os.Getenv("COLOR"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if unready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("POST /unready", func(w http.ResponseWriter, _ *http.Request) { unready.Store(true) })
	mux.HandleFunc("POST /exit", func(w http.ResponseWriter, _ *http.Request) { os.Exit(3) })
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		fmt.Fprintln(os.Stderr, err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	return 0
}
