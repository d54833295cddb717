package backup

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Environment variables that configure the store, so a CronJob can take
// them from a ConfigMap and the credentials from a mounted Secret (the
// _FILE forms read a file).
const (
	EnvPath        = "BACKUP_PATH"
	EnvS3Endpoint  = "BACKUP_S3_ENDPOINT"
	EnvS3Insecure  = "BACKUP_S3_INSECURE"
	EnvS3Bucket    = "BACKUP_S3_BUCKET"
	EnvS3Prefix    = "BACKUP_S3_PREFIX"
	EnvS3Region    = "BACKUP_S3_REGION"
	EnvS3SSE       = "BACKUP_S3_SSE"
	EnvS3AccessKey = "BACKUP_S3_ACCESS_KEY"
	EnvS3SecretKey = "BACKUP_S3_SECRET_KEY"
)

// StoreFromEnv builds the store the environment describes: a folder when
// BACKUP_PATH is set, otherwise S3.
func StoreFromEnv(getenv func(string) string) (Store, error) {
	if p := getenv(EnvPath); p != "" {
		return FolderStore{Dir: p}, nil
	}
	if getenv(EnvS3Endpoint) == "" {
		return nil, fmt.Errorf("no backup storage configured: set %s, or %s and %s", EnvPath, EnvS3Endpoint, EnvS3Bucket)
	}
	access, err := Secret(getenv, EnvS3AccessKey)
	if err != nil {
		return nil, err
	}
	secret, err := Secret(getenv, EnvS3SecretKey)
	if err != nil {
		return nil, err
	}
	region := getenv(EnvS3Region)
	if region == "" {
		region = "us-east-1"
	}
	return NewS3Store(S3Config{
		Endpoint:  getenv(EnvS3Endpoint),
		Insecure:  getenv(EnvS3Insecure) == "true",
		Bucket:    getenv(EnvS3Bucket),
		Prefix:    getenv(EnvS3Prefix),
		Region:    region,
		AccessKey: access,
		SecretKey: secret,
		SSE:       getenv(EnvS3SSE),
	})
}

// Secret reads NAME, or the file named by NAME_FILE (a mounted Secret
// key); an empty result is an error naming both.
func Secret(getenv func(string) string, name string) (string, error) {
	if v := getenv(name); v != "" {
		return v, nil
	}
	path := getenv(name + "_FILE")
	if path == "" {
		return "", fmt.Errorf("set %s or %s_FILE", name, name)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", errors.New(name + "_FILE names an empty file")
	}
	return v, nil
}
