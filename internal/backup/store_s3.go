package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
)

// partSize bounds the runner's memory: minio-go buffers one part of an
// upload of unknown length. 16 MiB parts allow objects up to 156 GiB
// (S3 allows 10,000 parts).
const partSize = 16 << 20

// S3Config locates a bucket on S3-compatible storage.
type S3Config struct {
	Endpoint  string // host[:port], no scheme
	Insecure  bool   // plain HTTP (loopback servers in tests and make run)
	Bucket    string
	Prefix    string // optional, without a trailing slash
	Region    string
	AccessKey string
	SecretKey string
	// SSE asks for server-side encryption: "" (none), "S3" (SSE-S3) or
	// "kms:<key id>" (SSE-KMS).
	SSE string
	// PartSize of multipart uploads (minio-go buffers one part); 0 is
	// 16 MiB. S3 wants at least 5 MiB.
	PartSize uint64
}

// S3Store keeps backups in a bucket through minio-go.
type S3Store struct {
	cfg    S3Config
	client *minio.Client
	sse    encrypt.ServerSide
}

// NewS3Store checks the configuration and builds a client; it does not
// contact the server.
func NewS3Store(cfg S3Config) (*S3Store, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("S3 storage needs an endpoint and a bucket")
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("S3 storage needs an access key and a secret key")
	}
	var sse encrypt.ServerSide
	switch {
	case cfg.SSE == "":
	case cfg.SSE == "S3":
		sse = encrypt.NewSSE()
	case strings.HasPrefix(cfg.SSE, "kms:"):
		var err error
		if sse, err = encrypt.NewSSEKMS(strings.TrimPrefix(cfg.SSE, "kms:"), nil); err != nil {
			return nil, fmt.Errorf("SSE-KMS: %w", err)
		}
	default:
		return nil, fmt.Errorf("server-side encryption %q: want S3 or kms:<key id>", cfg.SSE)
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: !cfg.Insecure,
		Region: cfg.Region,
		// Retries are the Job's business; a failed run is reported, not hidden.
		MaxRetries: 1,
	})
	if err != nil {
		return nil, err
	}
	cfg.Prefix = strings.Trim(cfg.Prefix, "/")
	return &S3Store{cfg: cfg, client: c, sse: sse}, nil
}

func (s *S3Store) partSize() uint64 {
	if s.cfg.PartSize > 0 {
		return s.cfg.PartSize
	}
	return partSize
}

func (s *S3Store) key(k string) string {
	if s.cfg.Prefix == "" {
		return k
	}
	return s.cfg.Prefix + "/" + k
}

func (s *S3Store) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	// Unknown length: a multipart upload that minio-go aborts when r fails,
	// so a failed stream leaves no object.
	info, err := s.client.PutObject(ctx, s.cfg.Bucket, s.key(key), r, -1, minio.PutObjectOptions{
		PartSize:             s.partSize(),
		ServerSideEncryption: s.sse,
		ContentType:          "application/octet-stream",
	})
	if err != nil {
		return 0, describeS3(err)
	}
	return info.Size, nil
}

func (s *S3Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	// minio-go's GetObject is lazy; Stat makes a missing key an error here.
	if _, err := s.client.StatObject(ctx, s.cfg.Bucket, s.key(key), minio.StatObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, fmt.Errorf("%s: %w", key, ErrNotFound)
		}
		return nil, describeS3(err)
	}
	o, err := s.client.GetObject(ctx, s.cfg.Bucket, s.key(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, describeS3(err)
	}
	return o, nil
}

func (s *S3Store) Delete(ctx context.Context, key string) error {
	return describeS3(s.client.RemoveObject(ctx, s.cfg.Bucket, s.key(key), minio.RemoveObjectOptions{}))
}

func (s *S3Store) List(ctx context.Context, prefix string) ([]Object, error) {
	var out []Object
	for o := range s.client.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{Prefix: s.key(prefix), Recursive: true}) {
		if o.Err != nil {
			return nil, describeS3(o.Err)
		}
		k := o.Key
		if s.cfg.Prefix != "" {
			k = strings.TrimPrefix(k, s.cfg.Prefix+"/")
		}
		out = append(out, Object{Key: k, Size: o.Size, Modified: o.LastModified})
	}
	return out, nil
}

func (s *S3Store) RemovePartials(ctx context.Context, prefix string, before time.Time) ([]string, error) {
	var keys []string
	for u := range s.client.ListIncompleteUploads(ctx, s.cfg.Bucket, s.key(prefix), true) {
		if u.Err != nil {
			return keys, describeS3(u.Err)
		}
		if !u.Initiated.Before(before) {
			continue // a run in progress
		}
		if err := s.client.RemoveIncompleteUpload(ctx, s.cfg.Bucket, u.Key); err != nil {
			return keys, describeS3(err)
		}
		k := u.Key
		if s.cfg.Prefix != "" {
			k = strings.TrimPrefix(k, s.cfg.Prefix+"/")
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func (s *S3Store) String() string {
	scheme := "https"
	if s.cfg.Insecure {
		scheme = "http"
	}
	where := fmt.Sprintf("s3 %s://%s/%s", scheme, s.cfg.Endpoint, s.cfg.Bucket)
	if s.cfg.Prefix != "" {
		where += "/" + s.cfg.Prefix
	}
	return where
}

// describeS3 turns the server's error reply into a message that names the
// cause a platform engineer can act on.
func describeS3(err error) error {
	if err == nil {
		return nil
	}
	var netErr *net.OpError
	if errors.As(err, &netErr) {
		return fmt.Errorf("storage unreachable: %w", err)
	}
	r := minio.ToErrorResponse(err)
	switch r.Code {
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied":
		return fmt.Errorf("storage refused the credentials (%s): %w", r.Code, err)
	case "NoSuchBucket":
		return fmt.Errorf("storage has no bucket %q: %w", r.BucketName, err)
	case "XMinioStorageFull", "QuotaExceeded", "EntityTooLarge", "InsufficientStorage":
		// MinIO's full drives, Ceph RGW's bucket or user quota, a size
		// limit: nothing the next identical run would get past.
		return fmt.Errorf("storage is full or over its quota (%s): %w", r.Code, err)
	}
	if r.StatusCode == http.StatusInsufficientStorage {
		return fmt.Errorf("storage is full or over its quota (HTTP 507): %w", err)
	}
	if r.StatusCode >= 500 {
		return fmt.Errorf("storage failed (HTTP %d): %w", r.StatusCode, err)
	}
	return fmt.Errorf("storage: %w", err)
}
