// Package s3server runs a real S3 server of the project's own on loopback:
// Versity's S3 gateway (posix backend), built from source by
// hack/s3server.sh. Backup tests and `make run` talk to it with the
// production minio-go code, so signing, multipart uploads, credentials and
// error replies are the protocol's, not a fake's.
package s3server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"bellwork.dev/bellwork/internal/dev/localcluster"
)

// Region is the region the server answers for.
const Region = "us-east-1"

// Options configure a server.
type Options struct {
	// Dir holds the buckets ("data") and their metadata ("meta"). Empty
	// means a temporary folder removed on Stop.
	Dir string
	// Port to listen on; 0 picks a free one.
	Port int
	// Bucket is created when missing; empty creates none.
	Bucket string
	// AccessKey and SecretKey are the root credentials; empty generates
	// random ones.
	AccessKey, SecretKey string
	// Log receives the server's output; nil discards it.
	Log *os.File
}

// Server is a running S3 server.
type Server struct {
	// Endpoint is host:port, without a scheme (minio-go's form).
	Endpoint             string
	AccessKey, SecretKey string
	Bucket               string

	dir  string
	temp bool
	cmd  *exec.Cmd
	done chan error
}

// Binary is the server's path: $BELLWORK_S3SERVER when set (make exports
// it), otherwise what hack/s3server.sh reports for the pinned version.
func Binary() (string, error) {
	if p := os.Getenv("BELLWORK_S3SERVER"); p != "" {
		return p, nil
	}
	root, err := localcluster.RepoRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(filepath.Join(root, "hack", "s3server.sh"), "dir")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("hack/s3server.sh dir: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Start starts a server and creates its bucket.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("S3 server binary missing at %s: run `make s3server` to build it", bin)
	}
	s := &Server{AccessKey: opts.AccessKey, SecretKey: opts.SecretKey, Bucket: opts.Bucket, dir: opts.Dir}
	if s.AccessKey == "" {
		s.AccessKey = "bw" + randomHex(8)
	}
	if s.SecretKey == "" {
		s.SecretKey = randomHex(20)
	}
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "bellwork-s3-"); err != nil {
			return nil, fmt.Errorf("create folder: %w", err)
		}
		s.temp = true
	}
	for _, sub := range []string{"data", "meta"} {
		if err := os.MkdirAll(filepath.Join(s.dir, sub), 0o700); err != nil {
			s.cleanup()
			return nil, fmt.Errorf("create folder: %w", err)
		}
	}
	port := opts.Port
	if port == 0 {
		if port, err = freePort(); err != nil {
			s.cleanup()
			return nil, err
		}
	}
	s.Endpoint = fmt.Sprintf("127.0.0.1:%d", port)
	// The sidecar folder keeps object metadata in files, so the server
	// works on filesystems without user extended attributes.
	s.cmd = exec.Command(bin, "--port", s.Endpoint, "--region", Region, "--health", "/health",
		"posix", "--sidecar", filepath.Join(s.dir, "meta"), filepath.Join(s.dir, "data"))
	// Credentials go through the environment, not argv, so ps does not show them.
	s.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	if opts.Log != nil {
		s.cmd.Stdout, s.cmd.Stderr = opts.Log, opts.Log
	}
	if err := s.cmd.Start(); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.cmd.Wait() }()
	if err := s.waitHealthy(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	if s.Bucket != "" {
		if err := s.ensureBucket(ctx); err != nil {
			_ = s.Stop()
			return nil, err
		}
	}
	return s, nil
}

// URL is the endpoint with its scheme.
func (s *Server) URL() string { return "http://" + s.Endpoint }

// Client is a minio-go client with the root credentials.
func (s *Server) Client() (*minio.Client, error) {
	return minio.New(s.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		Region: Region,
	})
}

// Dir is the server's folder.
func (s *Server) Dir() string { return s.dir }

// Stop ends the server and removes a temporary folder.
func (s *Server) Stop() error {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	s.cleanup()
	return nil
}

func (s *Server) cleanup() {
	if s.temp {
		_ = os.RemoveAll(s.dir)
	}
}

// waitHealthy polls the health path for at most 30 seconds.
func (s *Server) waitHealthy(ctx context.Context) error {
	for range 300 {
		select {
		case err := <-s.done:
			return fmt.Errorf("S3 server exited at start: %v", err)
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/health", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("S3 server did not become healthy within 30s")
}

func (s *Server) ensureBucket(ctx context.Context) error {
	c, err := s.Client()
	if err != nil {
		return err
	}
	ok, err := c.BucketExists(ctx, s.Bucket)
	if err != nil {
		return fmt.Errorf("check bucket %s: %w", s.Bucket, err)
	}
	if ok {
		return nil
	}
	if err := c.MakeBucket(ctx, s.Bucket, minio.MakeBucketOptions{Region: Region}); err != nil {
		return fmt.Errorf("create bucket %s: %w", s.Bucket, err)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
