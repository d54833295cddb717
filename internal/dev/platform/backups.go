package platform

import (
	"context"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"bellwork.dev/bellwork/internal/dev/s3server"
)

// Backup storage of the local platform: the S3 server's bucket, and the
// Secrets a tenant's BackupPolicy names (config/samples uses them).
const (
	BackupBucket = "backups"
	// BackupS3Secret holds accessKeyID and secretAccessKey for the bucket.
	BackupS3Secret = "backup-s3"
	// BackupVerifierSecret's uri connects to the local Postgres as a role
	// that may create databases and sees every row (the superuser), for
	// verification Jobs; the operator runs with
	// --backup-verification-secret naming it.
	BackupVerifierSecret = "backup-verifier"
)

func (p *Platform) startS3(ctx context.Context) (err error) {
	p.S3, err = s3server.Start(ctx, s3server.Options{Dir: filepath.Join(p.Opts.StateDir, "s3"), Port: p.Opts.S3Port,
		Bucket: BackupBucket, Log: p.Opts.logFileHandle("s3server")})
	return err
}

// PublishBackupSecrets writes (or refreshes: the S3 server's credentials
// are new each run) the backup Secrets in a tenant namespace.
func (p *Platform) PublishBackupSecrets(ctx context.Context, namespace string) error {
	for _, s := range []*corev1.Secret{
		{ObjectMeta: metav1.ObjectMeta{Name: BackupS3Secret, Namespace: namespace},
			StringData: map[string]string{"accessKeyID": p.S3.AccessKey, "secretAccessKey": p.S3.SecretKey}},
		{ObjectMeta: metav1.ObjectMeta{Name: BackupVerifierSecret, Namespace: namespace},
			StringData: map[string]string{"uri": p.Postgres.AdminURL("postgres")}},
	} {
		_, err := p.Kube.CoreV1().Secrets(namespace).Create(ctx, s, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			_, err = p.Kube.CoreV1().Secrets(namespace).Update(ctx, s, metav1.UpdateOptions{})
		}
		if err != nil {
			return err
		}
	}
	return nil
}
