package builders

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/backup"
)

// Names and mount points of the backup Jobs.
const (
	// JobNameEnv tells `lms backup` and `lms verify` their Job's name.
	JobNameEnv = "BELLWORK_JOB_NAME"
	// BackupDatabaseSecret is the tenant's backup-role Secret (key "uri").
	BackupDatabaseSecret = "db-backup"
	backupContainer      = "backup"
	folderVolume         = "backups"
	// backupDeadline bounds one run; a CronJob whose Job runs longer is a
	// failed run, not a stuck one.
	backupDeadline = 6 * 60 * 60
	// startingDeadline lets a run missed by a short operator or control
	// plane outage start late rather than be skipped.
	startingDeadline = 30 * 60
)

// BackupJobOptions is what the CronJobs need beyond the policy.
type BackupJobOptions struct {
	// Tenant names the backups in storage.
	Tenant string
	// Image is the LMS image (its binary has the backup subcommands).
	Image string
	// TimeZone the schedules run in: the policy's, else the tenant's.
	TimeZone string
	// VerificationSecret names a Secret in the policy's namespace whose
	// "uri" key connects to the verification server as a role that may
	// create databases.
	VerificationSecret string
	// RunLocally marks the pods for make run's local kubelet.
	RunLocally bool
}

// BackupCronJobName and VerifyCronJobName name a policy's CronJobs.
func BackupCronJobName(p *platformv1.BackupPolicy) string { return p.Name + "-backup" }
func VerifyCronJobName(p *platformv1.BackupPolicy) string { return p.Name + "-verify" }

// BuildBackupCronJob runs `lms backup` on the policy's schedule, with the
// policy's retention applied after each good backup.
func BuildBackupCronJob(p *platformv1.BackupPolicy, o BackupJobOptions) *batchv1.CronJob {
	args := []string{"backup", "--tenant=" + o.Tenant, "--time-zone=" + zoneOr(o.TimeZone)}
	r := p.Spec.Retention
	for flag, n := range map[string]int32{"--keep-last": r.KeepLast, "--keep-daily": r.KeepDaily, "--keep-weekly": r.KeepWeekly, "--keep-monthly": r.KeepMonthly} {
		if n > 0 {
			args = append(args, flag+"="+strconv.Itoa(int(n)))
		}
	}
	if r.MaxAge.Duration > 0 {
		args = append(args, "--max-age="+r.MaxAge.Duration.String())
	}
	slices.Sort(args[3:]) // map order would change the object every pass
	afterBackup := verifiesAfterBackup(p, o)
	if afterBackup {
		args = append(append(args, "--verify"), verifyChecks(p.Spec.Verification)...)
	}
	c := backupContainerSpec(o.Image, args, p)
	c.Env = append(c.Env, secretEnv("BACKUP_DATABASE_URL", BackupDatabaseSecret, "uri"))
	if afterBackup {
		c.Env = append(c.Env, secretEnv("VERIFY_DATABASE_URL", o.VerificationSecret, "uri"))
	}
	return cronJob(p, BackupCronJobName(p), string(p.Spec.Schedule), o, c, destinationVolumes(p))
}

// verifiesAfterBackup says whether each backup Job verifies its backup
// itself: verification is on, has a server, and has no schedule of its own.
func verifiesAfterBackup(p *platformv1.BackupPolicy, o BackupJobOptions) bool {
	v := p.Spec.Verification
	return !v.Disabled && o.VerificationSecret != "" && v.Schedule == ""
}

// BuildVerifyCronJob runs `lms verify` on the verification schedule, or
// returns nil when verification is disabled, has no server to use, or
// runs right after each backup (no schedule).
func BuildVerifyCronJob(p *platformv1.BackupPolicy, o BackupJobOptions) *batchv1.CronJob {
	v := p.Spec.Verification
	if v.Disabled || o.VerificationSecret == "" || v.Schedule == "" {
		return nil
	}
	args := append([]string{"verify", "--tenant=" + o.Tenant}, verifyChecks(v)...)
	c := backupContainerSpec(o.Image, args, p)
	c.Env = append(c.Env, secretEnv("VERIFY_DATABASE_URL", o.VerificationSecret, "uri"))
	return cronJob(p, VerifyCronJobName(p), string(v.Schedule), o, c, destinationVolumes(p))
}

// verifyChecks are the verification's flags beyond the tenant.
func verifyChecks(v platformv1.BackupVerification) []string {
	var args []string
	if v.MinimumTables > 0 {
		args = append(args, fmt.Sprintf("--assert=(SELECT count(*) FROM pg_tables WHERE schemaname = 'public') >= %d", v.MinimumTables))
	}
	for _, a := range v.Assertions {
		args = append(args, "--assert="+a)
	}
	if v.MaxRestoreTime != nil && v.MaxRestoreTime.Duration > 0 {
		args = append(args, "--max-restore="+v.MaxRestoreTime.Duration.String())
	}
	return args
}

func cronJob(p *platformv1.BackupPolicy, name, schedule string, o BackupJobOptions, c corev1.Container, vols []corev1.Volume) *batchv1.CronJob {
	labels := map[string]string{ManagedByLabel: ManagedByValue, TenantLabel: o.Tenant, InstanceLabel: p.Name}
	podLabels := map[string]string{TenantLabel: o.Tenant, InstanceLabel: p.Name, ComponentLabel: BackupComponent, NameLabel: "lms-backup"}
	if o.RunLocally {
		podLabels[RunLocallyLabel] = "true"
	}
	gvk := platformv1.GroupVersion.WithKind("BackupPolicy")
	return &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: p.Namespace, Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Name: p.Name, UID: p.UID,
				Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}},
		},
		Spec: batchv1.CronJobSpec{
			Schedule:                   schedule,
			TimeZone:                   ptr.To(zoneOr(o.TimeZone)),
			Suspend:                    ptr.To(p.Spec.Suspend),
			ConcurrencyPolicy:          batchv1.ForbidConcurrent, // two runs never overlap for one tenant
			StartingDeadlineSeconds:    ptr.To[int64](startingDeadline),
			SuccessfulJobsHistoryLimit: ptr.To[int32](3),
			FailedJobsHistoryLimit:     ptr.To[int32](3),
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: batchv1.JobSpec{
					BackoffLimit:          ptr.To[int32](0),
					ActiveDeadlineSeconds: ptr.To[int64](backupDeadline),
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
						Spec: corev1.PodSpec{
							RestartPolicy:                corev1.RestartPolicyNever,
							AutomountServiceAccountToken: ptr.To(false),
							Containers:                   []corev1.Container{c},
							SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true),
								SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
							Volumes: append([]corev1.Volume{{Name: tmpVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}, vols...),
						},
					},
				},
			},
		},
	}
}

// backupContainerSpec is the LMS container, locked down as the fleet's,
// with the storage settings in its environment.
func backupContainerSpec(image string, args []string, p *platformv1.BackupPolicy) corev1.Container {
	c := lmsContainerSpec(image, platformv1.DeploymentSpec{})
	c.Name = backupContainer
	// The command is named, not left to the image's entrypoint, so make
	// run's local kubelet knows which binary to run (the image has lms on
	// its PATH).
	c.Command = []string{"lms"}
	c.Args = args
	// The Job's name goes into the run records in storage, so status can
	// match a record with its Job.
	c.Env = append([]corev1.EnvVar{{Name: JobNameEnv, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
		FieldPath: "metadata.labels['" + batchv1.JobNameLabel + "']"}}}}, destinationEnv(p)...)
	if f := p.Spec.Destination.Filesystem; f != nil {
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: folderVolume, MountPath: f.Path})
	}
	return c
}

func destinationEnv(p *platformv1.BackupPolicy) []corev1.EnvVar {
	d := p.Spec.Destination
	if d.Filesystem != nil {
		return []corev1.EnvVar{{Name: backup.EnvPath, Value: d.Filesystem.Path}}
	}
	if d.S3 == nil {
		return nil
	}
	host, insecure := d.S3.Endpoint, false
	if u, err := url.Parse(d.S3.Endpoint); err == nil && u.Host != "" {
		host, insecure = u.Host, u.Scheme == "http"
	}
	env := []corev1.EnvVar{
		{Name: backup.EnvS3Endpoint, Value: host},
		{Name: backup.EnvS3Bucket, Value: d.S3.Bucket},
		secretEnv(backup.EnvS3AccessKey, d.S3.CredentialsSecret, "accessKeyID"),
		secretEnv(backup.EnvS3SecretKey, d.S3.CredentialsSecret, "secretAccessKey"),
	}
	if insecure {
		env = append(env, corev1.EnvVar{Name: backup.EnvS3Insecure, Value: "true"})
	}
	if d.S3.Prefix != "" {
		env = append(env, corev1.EnvVar{Name: backup.EnvS3Prefix, Value: d.S3.Prefix})
	}
	if d.S3.Region != "" {
		env = append(env, corev1.EnvVar{Name: backup.EnvS3Region, Value: d.S3.Region})
	}
	if d.S3.ServerSideEncryption != "" {
		env = append(env, corev1.EnvVar{Name: backup.EnvS3SSE, Value: d.S3.ServerSideEncryption})
	}
	return env
}

func destinationVolumes(p *platformv1.BackupPolicy) []corev1.Volume {
	d := p.Spec.Destination
	if d.Filesystem == nil {
		return nil
	}
	return []corev1.Volume{{Name: folderVolume, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{
		Path: d.Filesystem.Path, Type: ptr.To(corev1.HostPathDirectoryOrCreate)}}}}
}

// secretEnv takes a variable from a Secret's key. Environment references,
// not mounted files, because make run's local kubelet resolves only those.
func secretEnv(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key}}}
}

func zoneOr(z string) string {
	if z == "" {
		return "UTC"
	}
	return z
}

// BackupEgressPolicyName names the NetworkPolicy that lets a policy's
// backup and verification pods reach their storage.
func BackupEgressPolicyName(p *platformv1.BackupPolicy) string { return p.Name + "-backup-egress" }

// BuildBackupEgressPolicy opens egress from the policy's backup and
// verification pods to the object storage endpoint and to the
// verification server (verifyHost, "host:port" from the verification
// Secret; empty for none). The tenant namespace's default-deny and allow
// policies already let every pod reach DNS and the tenant's database and
// nothing else, so together the backup pods reach DNS, the database, the
// storage and the verification server only. An address is pinned; a host
// name cannot be (policies match addresses), so then only its port is.
// Nil when there is nothing to open (a folder destination and no
// verification server).
func BuildBackupEgressPolicy(p *platformv1.BackupPolicy, o BackupJobOptions, verifyHost string) *networkingv1.NetworkPolicy {
	var rules []networkingv1.NetworkPolicyEgressRule
	if s3 := p.Spec.Destination.S3; s3 != nil {
		if u, err := url.Parse(s3.Endpoint); err == nil && u.Hostname() != "" {
			port := u.Port()
			if port == "" {
				port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
			}
			rules = append(rules, egressTo(u.Hostname(), port))
		}
	}
	if verifyHost != "" {
		if host, port, err := net.SplitHostPort(verifyHost); err == nil {
			rules = append(rules, egressTo(host, port))
		}
	}
	if len(rules) == 0 {
		return nil
	}
	labels := map[string]string{ManagedByLabel: ManagedByValue, TenantLabel: o.Tenant, InstanceLabel: p.Name}
	gvk := platformv1.GroupVersion.WithKind("BackupPolicy")
	return &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: BackupEgressPolicyName(p), Namespace: p.Namespace, Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Name: p.Name, UID: p.UID,
				Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}}},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{ComponentLabel: BackupComponent, InstanceLabel: p.Name}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress:      rules,
		},
	}
}

func egressTo(host, port string) networkingv1.NetworkPolicyEgressRule {
	tcp := corev1.ProtocolTCP
	rule := networkingv1.NetworkPolicyEgressRule{}
	if n, err := strconv.Atoi(port); err == nil {
		rule.Ports = []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(int32(n)))}}
	}
	if ip := net.ParseIP(host); ip != nil {
		bits := 32
		if ip.To4() == nil {
			bits = 128
		}
		rule.To = []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{
			CIDR: (&net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}).String()}}}
	}
	return rule
}
