package builders

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

func lmsDeploy() *platformv1.Deployment {
	return &platformv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "lms", Namespace: "bellwork-system", UID: "uid-lms",
			Annotations: map[string]string{LocalActivePortAnnotation: "8080", LocalPreviewPortAnnotation: "8090"}},
		Spec: platformv1.DeploymentSpec{Image: "lms:2", Replicas: 3,
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")}},
			Env:       []corev1.EnvVar{{Name: "LMS_FEATURE", Value: "on"}},
			Probes:    platformv1.LMSProbes{Readiness: platformv1.ProbeTiming{PeriodSeconds: 2}}},
	}
}

var version2 = platformv1.ColorStatus{Color: platformv1.Green, Revision: 2, Image: "lms:2", TemplateHash: "abc123"}

func TestColorDeploymentRunsTheLMSHardened(t *testing.T) {
	opts := LMSOptions{DirectoryNamespace: "bellwork-system"}
	dep := BuildColorDeployment(lmsDeploy(), version2, 3, opts)
	if dep.Name != "lms-green" || *dep.Spec.Replicas != 3 {
		t.Errorf("name %s replicas %d", dep.Name, *dep.Spec.Replicas)
	}
	pod := dep.Spec.Template
	for k, v := range map[string]string{ComponentLabel: LMSComponent, ColorLabel: "green", RevisionLabel: "2", HashLabel: "abc123", RoleLabel: RoleServer} {
		if pod.Labels[k] != v {
			t.Errorf("pod label %s = %q, want %q", k, pod.Labels[k], v)
		}
	}
	if _, ok := pod.Labels[RunLocallyLabel]; ok {
		t.Error("marked to run locally without RunLocally")
	}
	for k, v := range dep.Spec.Selector.MatchLabels {
		if pod.Labels[k] != v {
			t.Errorf("selector %s=%s does not match the template", k, v)
		}
	}
	if _, ok := dep.Spec.Selector.MatchLabels[HashLabel]; ok {
		t.Error("the selector holds the template hash: it would change with every revision, and selectors are immutable")
	}
	ps := pod.Spec
	if ps.ServiceAccountName != "bellwork-lms" || !*ps.SecurityContext.RunAsNonRoot || ps.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security %+v sa %s", ps.SecurityContext, ps.ServiceAccountName)
	}
	c := ps.Containers[0]
	sc := c.SecurityContext
	if !*sc.RunAsNonRoot || !*sc.ReadOnlyRootFilesystem || *sc.AllowPrivilegeEscalation || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) ||
		sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("container security %+v", sc)
	}
	if c.Image != "lms:2" || !slices.Contains(c.Args, "--tenant-directory=kubernetes:bellwork-system") || !slices.Contains(c.Args, "--probe-addr=$(POD_IP):9090") {
		t.Errorf("container %s %v", c.Image, c.Args)
	}
	for _, p := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
		if p.HTTPGet.Port.StrVal != "probe" {
			t.Errorf("probe on port %v, want the probe listener", p.HTTPGet.Port)
		}
	}
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.ReadinessProbe.PeriodSeconds != 2 || c.LivenessProbe.HTTPGet.Path != "/healthz" || c.LivenessProbe.PeriodSeconds != 5 {
		t.Errorf("probes %+v %+v", c.ReadinessProbe, c.LivenessProbe)
	}
	if c.Env[0].ValueFrom.FieldRef.FieldPath != "status.podIP" || c.Env[1].Name != "LMS_FEATURE" {
		t.Errorf("env %+v", c.Env)
	}
	if c.Resources.Requests.Cpu().String() != "250m" {
		t.Errorf("resources %+v", c.Resources)
	}
	if dep.OwnerReferences[0].Kind != "Deployment" || dep.OwnerReferences[0].APIVersion != "platform.bellwork.dev/v1" {
		t.Errorf("owner %+v", dep.OwnerReferences)
	}
	if slices.Contains(c.Args, "--dev-mailbox") {
		t.Error("a development mailbox without DevMailboxDir")
	}
	if slices.ContainsFunc(c.Args, func(a string) bool { return strings.HasPrefix(a, "--files-dir") }) {
		t.Error("a development files folder without DevFilesDir")
	}
	local := BuildColorDeployment(lmsDeploy(), version2, 3, LMSOptions{DirectoryNamespace: "x", RunLocally: true, DevMailboxDir: "/tmp/mail", DevFilesDir: "/tmp/files"})
	if local.Spec.Template.Labels[RunLocallyLabel] != "true" {
		t.Error("RunLocally did not mark the pods")
	}
	if args := local.Spec.Template.Spec.Containers[0].Args; !slices.Contains(args, "--dev-mailbox") || !slices.Contains(args, "--mailbox-dir=/tmp/mail") {
		t.Errorf("DevMailboxDir did not reach the LMS: %v", args)
	}
	if args := local.Spec.Template.Spec.Containers[0].Args; !slices.Contains(args, "--files-dir=/tmp/files") {
		t.Errorf("DevFilesDir did not reach the LMS: %v", args)
	}
}

func TestServicesSelectTheirColour(t *testing.T) {
	d := lmsDeploy()
	bare := lmsDeploy()
	bare.Annotations = nil
	for _, tc := range []struct {
		svc        *corev1.Service
		name, want string
		local      string
	}{
		{BuildActiveService(d, platformv1.Blue, LMSOptions{}), "lms", "blue", ""},
		{BuildPreviewService(d, platformv1.Green, LMSOptions{}), "lms-preview", "green", ""},
		{BuildActiveService(d, "", LMSOptions{}), "lms", NoColor, ""},
		{BuildActiveService(d, platformv1.Blue, LMSOptions{RunLocally: true}), "lms", "blue", "8080"},
		{BuildPreviewService(d, platformv1.Blue, LMSOptions{RunLocally: true}), "lms-preview", "blue", "8090"},
		// The annotations win over the operator's defaults; without them
		// the defaults serve make run's unannotated sample.
		{BuildActiveService(d, platformv1.Blue, LMSOptions{RunLocally: true, LocalActivePort: 9000}), "lms", "blue", "8080"},
		{BuildActiveService(bare, platformv1.Blue, LMSOptions{RunLocally: true, LocalActivePort: 9000}), "lms", "blue", "9000"},
		{BuildPreviewService(bare, platformv1.Blue, LMSOptions{RunLocally: true, LocalActivePort: 9000, LocalPreviewPort: 9001}), "lms-preview", "blue", "9001"},
		{BuildPreviewService(bare, platformv1.Blue, LMSOptions{RunLocally: true}), "lms-preview", "blue", ""},
		{BuildActiveService(bare, platformv1.Blue, LMSOptions{LocalActivePort: 9000}), "lms", "blue", ""},
	} {
		if tc.svc.Name != tc.name || tc.svc.Spec.Selector[ColorLabel] != tc.want || tc.svc.Spec.Selector[RoleLabel] != RoleServer {
			t.Errorf("%s selects %v, want colour %s", tc.svc.Name, tc.svc.Spec.Selector, tc.want)
		}
		if tc.svc.Annotations[LocalPortAnnotation] != tc.local {
			t.Errorf("%s local port %q, want %q", tc.svc.Name, tc.svc.Annotations[LocalPortAnnotation], tc.local)
		}
		if p := tc.svc.Spec.Ports[0]; p.Port != 80 || p.TargetPort.StrVal != "http" {
			t.Errorf("port %+v", p)
		}
	}
}

func TestPodDisruptionBudgetCoversServersOnly(t *testing.T) {
	pdb := BuildPodDisruptionBudget(lmsDeploy())
	if pdb.Spec.MaxUnavailable.IntVal != 1 || pdb.Spec.Selector.MatchLabels[RoleLabel] != RoleServer {
		t.Errorf("pdb %+v", pdb.Spec)
	}
}

func TestMigrationJob(t *testing.T) {
	d := lmsDeploy()
	j := BuildMigrationJob(d, 2, "lms:2", platformv1.MigrationExpand, "lincoln-usd", 1, LMSOptions{RunLocally: true})
	if j.Name != "lms-r2-expand-lincoln-usd-a1" || *j.Spec.BackoffLimit != 0 || *j.Spec.ActiveDeadlineSeconds != 900 {
		t.Errorf("job %s backoff %d deadline %d", j.Name, *j.Spec.BackoffLimit, *j.Spec.ActiveDeadlineSeconds)
	}
	c := j.Spec.Template.Spec.Containers[0]
	if !slices.Equal(c.Args, []string{"migrate", "--phase=expand", "--log-format=json"}) || c.Image != "lms:2" {
		t.Errorf("args %v image %s", c.Args, c.Image)
	}
	ref := c.Env[0].ValueFrom.SecretKeyRef
	if c.Env[0].Name != "BELLWORK_TENANT_ENTRY" || ref.Name != "bellwork-tenant-lincoln-usd" || ref.Key != "tenant.json" || c.Env[1].Name != "LMS_FEATURE" {
		t.Errorf("env %+v", c.Env[0])
	}
	l := j.Spec.Template.Labels
	if l[ComponentLabel] != LMSComponent || l[RoleLabel] != RoleMigration || l[RunLocallyLabel] != "true" || l[ColorLabel] != "" {
		t.Errorf("pod labels %v: the tenant network policy admits component=lms; a Service must not select it", l)
	}
	if j.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever || c.TerminationMessagePolicy != corev1.TerminationMessageFallbackToLogsOnError {
		t.Errorf("restart %s termination %s", j.Spec.Template.Spec.RestartPolicy, c.TerminationMessagePolicy)
	}
}

func TestJobNamesStayValidAndDistinct(t *testing.T) {
	d := lmsDeploy()
	d.Name = strings.Repeat("fleet", 10)
	seen := map[string]bool{}
	for _, tenant := range []string{strings.Repeat("a", 50), strings.Repeat("a", 49) + "b", "x"} {
		for attempt := int32(1); attempt <= 2; attempt++ {
			name := MigrationJobName(d, 12345, platformv1.MigrationContract, tenant, attempt)
			if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
				t.Errorf("%s: %v", name, errs)
			}
			if seen[name] {
				t.Errorf("%s given twice", name)
			}
			seen[name] = true
		}
	}
}

func TestCheckJobDefaultsToASmokeTestOfThePreview(t *testing.T) {
	d := lmsDeploy()
	check := platformv1.AnalysisCheck{Name: "smoke", Job: &platformv1.JobCheck{ProbeAccountSecret: "lms-probe"}}
	j := BuildCheckJob(d, 2, "lms:2", platformv1.PrePromotion, check, 1, 0, LMSOptions{})
	c := j.Spec.Template.Spec.Containers[0]
	if !slices.Equal(c.Args, []string{"smoke", "--url", "http://lms-preview.bellwork-system.svc"}) {
		t.Errorf("args %v", c.Args)
	}
	if len(c.Env) != 4 || c.Env[0].Name != "LMS_FEATURE" || c.Env[3].Name != "SMOKE_PASSWORD" || c.Env[3].ValueFrom.SecretKeyRef.Name != "lms-probe" || c.Env[3].ValueFrom.SecretKeyRef.Key != "password" {
		t.Errorf("env %+v", c.Env)
	}
	if *j.Spec.ActiveDeadlineSeconds != 300 || j.Name != "lms-r2-pre-smoke-a1-0" {
		t.Errorf("deadline %d name %s", *j.Spec.ActiveDeadlineSeconds, j.Name)
	}
	local := BuildCheckJob(d, 2, "lms:2", platformv1.PrePromotion, platformv1.AnalysisCheck{Name: "s", Job: &platformv1.JobCheck{Args: []string{"smoke", "--url=$(ACTIVE_URL)/"}}}, 1, 0, LMSOptions{RunLocally: true})
	if got := local.Spec.Template.Spec.Containers[0].Args; !slices.Equal(got, []string{"smoke", "--url=http://127.0.0.1:8080/"}) {
		t.Errorf("local args %v", got)
	}
}
