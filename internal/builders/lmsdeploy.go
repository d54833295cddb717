package builders

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/pkg/directory"
)

// Labels and annotations of the LMS fleet's objects.
const (
	// InstanceLabel names the lmsdeploy an object belongs to.
	InstanceLabel = "app.kubernetes.io/instance"
	NameLabel     = "app.kubernetes.io/name"
	// ColorLabel is the colour of a server pod; the Services select by it.
	ColorLabel = "platform.bellwork.dev/color"
	// RoleLabel tells server pods from migration and check Jobs' pods.
	RoleLabel       = "platform.bellwork.dev/role"
	RoleServer      = "server"
	RoleMigration   = "migration"
	RoleCheck       = "check"
	RevisionLabel   = "platform.bellwork.dev/revision"
	HashLabel       = "platform.bellwork.dev/template-hash"
	PhaseLabel      = "platform.bellwork.dev/migration-phase"
	AttemptLabel    = "platform.bellwork.dev/attempt"
	CheckLabel      = "platform.bellwork.dev/check"
	StageLabel      = "platform.bellwork.dev/stage"
	IndexLabel      = "platform.bellwork.dev/measurement"
	NoColor         = "none"
	HTTPPort        = 8080
	ProbePort       = 9090
	ServicePort     = 80
	lmsContainer    = "lms"
	entryEnv        = "BELLWORK_TENANT_ENTRY"
	podIPEnv        = "POD_IP"
	lmsRunAsUser    = 65532
	tmpVolume       = "tmp"
	jobNameMaxBytes = 63

	// RunLocallyLabel marks pod templates that `make run`'s local kubelet
	// (internal/dev/localrunner) runs as local processes, and kwok leaves alone.
	RunLocallyLabel = "platform.bellwork.dev/run-locally"
	// LocalPortAnnotation on a Service asks `make run`'s local service
	// proxy to serve it on 127.0.0.1 at this port.
	LocalPortAnnotation = "platform.bellwork.dev/local-port"
	// LocalActivePortAnnotation and LocalPreviewPortAnnotation on an
	// lmsdeploy choose its Services' local ports (local runs only).
	LocalActivePortAnnotation  = "platform.bellwork.dev/local-active-port"
	LocalPreviewPortAnnotation = "platform.bellwork.dev/local-preview-port"
)

// LMSOptions are the operator's settings for the fleet's objects.
type LMSOptions struct {
	// DirectoryNamespace holds the tenant directory Secrets the LMS reads.
	DirectoryNamespace string
	// RunLocally marks pods for the local kubelet and Services for the
	// local proxy (make run); never set in a cluster.
	RunLocally bool
	// DevMailboxDir, when set, has the LMS keep sent mail for
	// /dev/mailbox and write it to this folder (make run and e2e only).
	DevMailboxDir string
	// DevFilesDir, when set, has the LMS keep uploaded files
	// (attachments, submissions) in this folder (make run and e2e only; a
	// cluster sets FILES_S3_* in spec.env instead).
	DevFilesDir string
	// LocalActivePort and LocalPreviewPort are the local proxy's ports
	// for an lmsdeploy without the local-port annotations (with
	// RunLocally), so make run serves the sample as it is in
	// config/samples; 0 leaves such Services unserved.
	LocalActivePort, LocalPreviewPort int
}

// localPorts are d's Services' local ports: its annotations, else the
// options' defaults ("" when neither).
func (o LMSOptions) localPorts(d *platformv1.Deployment) (active, preview string) {
	pick := func(annotation string, fallback int) string {
		if v := d.Annotations[annotation]; v != "" {
			return v
		}
		if fallback > 0 {
			return strconv.Itoa(fallback)
		}
		return ""
	}
	return pick(LocalActivePortAnnotation, o.LocalActivePort), pick(LocalPreviewPortAnnotation, o.LocalPreviewPort)
}

// ServerLabels select one colour's server pods of d.
func ServerLabels(d *platformv1.Deployment, c string) map[string]string {
	return map[string]string{InstanceLabel: d.Name, ComponentLabel: LMSComponent, RoleLabel: RoleServer, ColorLabel: c}
}

func fleetLabels(d *platformv1.Deployment) map[string]string {
	return map[string]string{ManagedByLabel: ManagedByValue, NameLabel: "lms", InstanceLabel: d.Name, ComponentLabel: LMSComponent}
}

func fleetMeta(d *platformv1.Deployment, name string, extra map[string]string) metav1.ObjectMeta {
	labels := fleetLabels(d)
	for k, v := range extra {
		labels[k] = v
	}
	gvk := platformv1.GroupVersion.WithKind("Deployment")
	return metav1.ObjectMeta{Name: name, Namespace: d.Namespace, Labels: labels, OwnerReferences: []metav1.OwnerReference{{
		APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Name: d.Name, UID: d.UID, Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}}}
}

// BuildColorDeployment is one colour's apps/v1 Deployment running version
// with replicas pods.
func BuildColorDeployment(d *platformv1.Deployment, version platformv1.ColorStatus, replicas int32, o LMSOptions) *appsv1.Deployment {
	spec := d.Spec.WithDefaults()
	c := string(version.Color)
	podLabels := ServerLabels(d, c)
	podLabels[NameLabel] = "lms"
	podLabels[RevisionLabel] = strconv.FormatInt(version.Revision, 10)
	podLabels[HashLabel] = version.TemplateHash
	if o.RunLocally {
		podLabels[RunLocallyLabel] = "true"
	}
	container := lmsContainerSpec(version.Image, spec)
	container.Args = []string{"serve",
		"--addr=$(" + podIPEnv + "):" + strconv.Itoa(HTTPPort),
		"--probe-addr=$(" + podIPEnv + "):" + strconv.Itoa(ProbePort),
		"--tenant-directory=kubernetes:" + o.DirectoryNamespace,
		"--log-format=json"}
	if o.DevMailboxDir != "" {
		container.Args = append(container.Args, "--dev-mailbox", "--mailbox-dir="+o.DevMailboxDir)
	}
	if o.DevFilesDir != "" {
		container.Args = append(container.Args, "--files-dir="+o.DevFilesDir)
	}
	container.Env = append([]corev1.EnvVar{{Name: podIPEnv, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}}}, spec.Env...)
	container.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: HTTPPort, Protocol: corev1.ProtocolTCP}, {Name: "probe", ContainerPort: ProbePort, Protocol: corev1.ProtocolTCP}}
	container.ReadinessProbe = probe("/readyz", spec.Probes.Readiness)
	container.LivenessProbe = probe("/healthz", spec.Probes.Liveness)
	return &appsv1.Deployment{
		ObjectMeta: fleetMeta(d, d.ColorName(version.Color), map[string]string{ColorLabel: c, RoleLabel: RoleServer,
			RevisionLabel: podLabels[RevisionLabel], HashLabel: version.TemplateHash}),
		Spec: appsv1.DeploymentSpec{
			Replicas:             ptr.To(replicas),
			Selector:             &metav1.LabelSelector{MatchLabels: ServerLabels(d, c)},
			RevisionHistoryLimit: ptr.To[int32](2),
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
				MaxUnavailable: ptr.To(intstr.FromInt32(0)), MaxSurge: ptr.To(intstr.FromString("25%"))}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
				Spec:       podSpec(spec, container, corev1.RestartPolicyAlways),
			},
		},
	}
}

func lmsContainerSpec(image string, spec platformv1.DeploymentSpec) corev1.Container {
	return corev1.Container{
		Name: lmsContainer, Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
		Resources:                spec.Resources,
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
		SecurityContext: &corev1.SecurityContext{
			RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](lmsRunAsUser), RunAsGroup: ptr.To[int64](lmsRunAsUser),
			ReadOnlyRootFilesystem: ptr.To(true), AllowPrivilegeEscalation: ptr.To(false),
			Capabilities:   &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		// Go writes large uploads to temporary files; the root filesystem is read-only.
		VolumeMounts: []corev1.VolumeMount{{Name: tmpVolume, MountPath: "/tmp"}},
	}
}

func podSpec(spec platformv1.DeploymentSpec, c corev1.Container, restart corev1.RestartPolicy) corev1.PodSpec {
	return corev1.PodSpec{
		ServiceAccountName: spec.ServiceAccountName,
		RestartPolicy:      restart,
		Containers:         []corev1.Container{c},
		SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
		Volumes: []corev1.Volume{{Name: tmpVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
	}
}

func probe(path string, t platformv1.ProbeTiming) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString("probe"), Scheme: corev1.URISchemeHTTP}},
		PeriodSeconds:    t.PeriodSeconds,
		FailureThreshold: t.FailureThreshold,
		TimeoutSeconds:   t.TimeoutSeconds,
		SuccessThreshold: 1,
	}
}

// BuildActiveService selects the active colour (none when empty).
func BuildActiveService(d *platformv1.Deployment, active platformv1.Color, o LMSOptions) *corev1.Service {
	port, _ := o.localPorts(d)
	return service(d, d.ActiveServiceName(), active, port, o)
}

// BuildPreviewService selects the preview colour (none when empty).
func BuildPreviewService(d *platformv1.Deployment, preview platformv1.Color, o LMSOptions) *corev1.Service {
	_, port := o.localPorts(d)
	return service(d, d.PreviewServiceName(), preview, port, o)
}

func service(d *platformv1.Deployment, name string, c platformv1.Color, localPort string, o LMSOptions) *corev1.Service {
	color := string(c)
	if color == "" {
		color = NoColor
	}
	meta := fleetMeta(d, name, nil)
	if o.RunLocally && localPort != "" {
		meta.Annotations = map[string]string{LocalPortAnnotation: localPort}
	}
	return &corev1.Service{
		ObjectMeta: meta,
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: ServerLabels(d, color),
			Ports:    []corev1.ServicePort{{Name: "http", Port: ServicePort, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}},
		},
	}
}

// BuildPodDisruptionBudget lets voluntary disruptions take one server pod
// at a time, of either colour.
func BuildPodDisruptionBudget(d *platformv1.Deployment) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: fleetMeta(d, d.Name, nil),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: ptr.To(intstr.FromInt32(1)),
			Selector:       &metav1.LabelSelector{MatchLabels: map[string]string{InstanceLabel: d.Name, ComponentLabel: LMSComponent, RoleLabel: RoleServer}},
		},
	}
}

// ServiceURLs are the base URLs of the preview and active Services, for
// $(PREVIEW_URL) and $(ACTIVE_URL): in-cluster DNS names, or the local
// proxy's addresses in a local run.
func ServiceURLs(d *platformv1.Deployment, o LMSOptions) (preview, active string) {
	url := func(svc, localPort string) string {
		if o.RunLocally && localPort != "" {
			return "http://127.0.0.1:" + localPort
		}
		return fmt.Sprintf("http://%s.%s.svc", svc, d.Namespace)
	}
	activePort, previewPort := o.localPorts(d)
	return url(d.PreviewServiceName(), previewPort), url(d.ActiveServiceName(), activePort)
}

// ExpandURLs replaces $(PREVIEW_URL) and $(ACTIVE_URL) in s.
func ExpandURLs(s string, d *platformv1.Deployment, o LMSOptions) string {
	preview, active := ServiceURLs(d, o)
	return strings.NewReplacer("$(PREVIEW_URL)", preview, "$(ACTIVE_URL)", active).Replace(s)
}

// MigrationJobName names a tenant's migration Job of a revision and attempt.
func MigrationJobName(d *platformv1.Deployment, revision int64, phase platformv1.MigrationPhase, tenant string, attempt int32) string {
	return jobName(d.Name, fmt.Sprintf("r%d-%s", revision, phase), fmt.Sprintf("%s-a%d", tenant, attempt))
}

// BuildMigrationJob runs `lms migrate --phase <phase>` for one tenant with
// the image being rolled out and the spec's env; the tenant's directory
// entry (its owner credentials) comes from its directory Secret.
func BuildMigrationJob(d *platformv1.Deployment, revision int64, image string, phase platformv1.MigrationPhase, tenant string, attempt int32, o LMSOptions) *batchv1.Job {
	spec := d.Spec.WithDefaults()
	labels := map[string]string{RoleLabel: RoleMigration, RevisionLabel: strconv.FormatInt(revision, 10), PhaseLabel: string(phase),
		TenantLabel: tenant, AttemptLabel: strconv.Itoa(int(attempt))}
	c := lmsContainerSpec(image, spec)
	c.Args = []string{"migrate", "--phase=" + string(phase), "--log-format=json"}
	c.Env = append([]corev1.EnvVar{{Name: entryEnv, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: directory.SecretName(tenant)}, Key: directory.EntryKey}}}}, spec.Env...)
	return job(d, MigrationJobName(d, revision, phase, tenant, attempt), labels, c, spec, int64(spec.Migrations.Timeout.Seconds()), o)
}

// CheckJobName names one measurement's Job of a Job check.
func CheckJobName(d *platformv1.Deployment, revision int64, stage platformv1.AnalysisStage, check string, attempt, index int32) string {
	st := "pre"
	if stage == platformv1.PostPromotion {
		st = "post"
	}
	return jobName(d.Name, fmt.Sprintf("r%d-%s", revision, st), fmt.Sprintf("%s-a%d-%d", check, attempt, index))
}

// BuildCheckJob runs one measurement of a Job check: the check's lms
// arguments (a smoke test of the preview by default), with the probe
// account from its Secret.
func BuildCheckJob(d *platformv1.Deployment, revision int64, image string, stage platformv1.AnalysisStage, check platformv1.AnalysisCheck, attempt, index int32, o LMSOptions) *batchv1.Job {
	spec := d.Spec.WithDefaults()
	labels := map[string]string{RoleLabel: RoleCheck, RevisionLabel: strconv.FormatInt(revision, 10), StageLabel: string(stage),
		CheckLabel: check.Name, AttemptLabel: strconv.Itoa(int(attempt)), IndexLabel: strconv.Itoa(int(index))}
	args := check.Job.Args
	if len(args) == 0 {
		args = []string{"smoke", "--url", "$(PREVIEW_URL)"}
	}
	c := lmsContainerSpec(image, spec)
	c.Env = append(c.Env, spec.Env...)
	for _, a := range args {
		c.Args = append(c.Args, ExpandURLs(a, d, o))
	}
	if s := check.Job.ProbeAccountSecret; s != "" {
		for _, kv := range [][2]string{{"SMOKE_HOST", "host"}, {"SMOKE_EMAIL", "email"}, {"SMOKE_PASSWORD", "password"}} {
			c.Env = append(c.Env, corev1.EnvVar{Name: kv[0], ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: s}, Key: kv[1]}}})
		}
	}
	timeout := check.Job.Timeout.Duration
	if timeout == 0 {
		timeout = platformv1.DefaultJobCheckTimeout
	}
	return job(d, CheckJobName(d, revision, stage, check.Name, attempt, index), labels, c, spec, int64(timeout.Seconds()), o)
}

func job(d *platformv1.Deployment, name string, labels map[string]string, c corev1.Container, spec platformv1.DeploymentSpec, deadline int64, o LMSOptions) *batchv1.Job {
	podLabels := map[string]string{InstanceLabel: d.Name, ComponentLabel: LMSComponent, NameLabel: "lms"}
	for k, v := range labels {
		podLabels[k] = v
	}
	if o.RunLocally {
		podLabels[RunLocallyLabel] = "true"
	}
	return &batchv1.Job{
		ObjectMeta: fleetMeta(d, name, labels),
		Spec: batchv1.JobSpec{
			BackoffLimit:          ptr.To[int32](0),
			ActiveDeadlineSeconds: ptr.To(deadline),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
				Spec:       podSpec(spec, c, corev1.RestartPolicyNever),
			},
		},
	}
}

// jobName is "<owner>-<middle>-<tail>", kept within 63 bytes (a Job's
// name becomes a pod label) by shortening the owner and tail and adding a
// hash of the whole that keeps names distinct.
func jobName(owner, middle, tail string) string {
	name := owner + "-" + middle + "-" + tail
	if len(name) <= jobNameMaxBytes {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	h := hex.EncodeToString(sum[:])[:8]
	room := jobNameMaxBytes - len(middle) - len(h) - 3
	o, t := owner, tail
	if len(o) > room/2 {
		o = strings.TrimRight(o[:room/2], "-")
	}
	if len(t) > room-len(o) {
		t = strings.TrimRight(t[:room-len(o)], "-")
	}
	return o + "-" + middle + "-" + t + "-" + h
}
