// Package charts holds the Helm chart that installs Bellwork; this test
// renders it with Helm's own libraries and applies the result to the local
// control plane.
package charts

import (
	"context"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"bellwork.dev/bellwork/internal/dev/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	testenv.Main(m.Run, false, &env)
}

// render renders the chart as `helm install <release> -n <namespace>`
// would with these values, and decodes every object.
func render(t *testing.T, release, namespace string, values map[string]any) []*unstructured.Unstructured {
	t.Helper()
	ch, err := loader.Load("bellwork")
	if err != nil {
		t.Fatal(err)
	}
	vals, err := chartutil.ToRenderValues(ch, values, chartutil.ReleaseOptions{Name: release, Namespace: namespace, IsInstall: true}, chartutil.DefaultCapabilities)
	if err != nil {
		t.Fatal(err)
	}
	files, err := engine.Render(ch, vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var objs []*unstructured.Unstructured
	for _, name := range names {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		for _, doc := range strings.Split(files[name], "\n---") {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
				t.Fatalf("%s: %v\n%s", name, err, doc)
			}
			if len(u.Object) > 0 {
				objs = append(objs, u)
			}
		}
	}
	return objs
}

// apply creates every object in the local control plane, which must accept it.
func apply(t *testing.T, namespace string, objs []*unstructured.Unstructured) {
	t.Helper()
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if err := env.Client.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	for _, o := range objs {
		if err := env.Client.Create(ctx, o); err != nil {
			if apierrors.IsAlreadyExists(err) && o.GetNamespace() == "" {
				continue // cluster-scoped, from an earlier case
			}
			t.Errorf("%s %s/%s refused: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
	}
}

func find(objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	return nil
}

func kinds(objs []*unstructured.Unstructured) string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetKind()+"/"+o.GetName())
	}
	return strings.Join(out, " ")
}

func TestChartWithDefaultValues(t *testing.T) {
	objs := render(t, "bellwork", "bellwork-system", nil)
	for _, want := range []string{"Deployment/bellwork-operator", "ServiceAccount/bellwork-operator", "ClusterRole/bellwork-operator",
		"ClusterRoleBinding/bellwork-operator", "Service/bellwork-webhook", "Deployment/lms", "ServiceAccount/bellwork-lms",
		"Role/bellwork-lms-directory-reader", "RoleBinding/bellwork-lms-directory-reader"} {
		if !strings.Contains(" "+kinds(objs)+" ", " "+want+" ") {
			t.Errorf("the chart lacks %s; it renders %s", want, kinds(objs))
		}
	}
	lms := find(objs, "Deployment", "lms")
	if lms.GetAPIVersion() != "platform.bellwork.dev/v1" {
		t.Fatalf("the LMS Deployment is %s", lms.GetAPIVersion())
	}
	image, _, _ := unstructured.NestedString(lms.Object, "spec", "image")
	if image != "registry.bellwork.example/bellwork/lms:0.1.0" {
		t.Errorf("LMS image %s", image)
	}
	op := find(objs, "Deployment", "bellwork-operator")
	containers, _, _ := unstructured.NestedSlice(op.Object, "spec", "template", "spec", "containers")
	args := fmt.Sprint(containers[0].(map[string]any)["args"])
	if !strings.Contains(args, "--lms-namespace=bellwork-system") {
		t.Errorf("operator args %s", args)
	}
	apply(t, "bellwork-system", objs)
}

func TestChartWithOtherValues(t *testing.T) {
	values := map[string]any{}
	if err := yaml.Unmarshal([]byte(`
image: {tag: "1.2.3"}
replicas: 3
env: [{name: GOMEMLIMIT, value: 400MiB}]
lms:
  name: fleet
  image: {repository: registry.example/lms, tag: "2.0.0"}
  replicas: 6
  previewReplicas: 2
  autoPromote: true
  scaleDownDelay: 2m
  env: [{name: LMS_FEATURE, value: "on"}]
  tenantSelector: {matchLabels: {tier: gold}}
  deployWindows:
    - {days: [Saturday], start: "06:00", end: "12:00"}
    - {days: [Sunday], start: "06:00", end: "09:00", timeZone: America/Chicago}
  migrations: {timeout: 30m}
  analysis:
    prePromotion:
      - name: smoke
        job: {probeAccountSecret: lms-probe}
      - name: errors
        metrics:
          url: http://prometheus.monitoring:9090/federate
          ratio:
            numerator: {metric: lms_http_requests_total, labels: {code: "5.."}}
            denominator: {metric: lms_http_requests_total}
          max: "0.01"
    postPromotion:
      duration: 10m
      checks:
        - name: signin
          web: {url: "$(ACTIVE_URL)/signin", host: lincoln.example.org}
          interval: 30s
          count: 10
  notifications: {webhookURLSecret: {name: rollout-slack, key: url}}
  serviceAccount: {name: lms-reader}
`), &values); err != nil {
		t.Fatal(err)
	}
	objs := render(t, "bw", "lms-prod", values)
	fleet := find(objs, "Deployment", "fleet")
	if fleet == nil {
		t.Fatalf("no fleet in %s", kinds(objs))
	}
	for path, want := range map[string]any{
		"spec.image": "registry.example/lms:2.0.0", "spec.replicas": int64(6), "spec.serviceAccountName": "lms-reader",
		"spec.notifications.webhookURLSecret.name": "rollout-slack", "spec.analysis.postPromotion.duration": "10m",
	} {
		got, _, _ := unstructured.NestedFieldNoCopy(fleet.Object, strings.Split(path, ".")...)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	operator := find(objs, "Deployment", "bellwork-operator")
	if operator == nil {
		t.Fatalf("no operator Deployment in %s", kinds(objs))
	}
	containers, _, _ := unstructured.NestedSlice(operator.Object, "spec", "template", "spec", "containers")
	if env := fmt.Sprint(containers[0].(map[string]any)["env"]); env != "[map[name:GOMEMLIMIT value:400MiB]]" {
		t.Errorf("operator container env = %s, want GOMEMLIMIT=400MiB", env)
	}
	if find(objs, "ServiceAccount", "lms-reader") == nil {
		t.Errorf("no lms-reader ServiceAccount in %s", kinds(objs))
	}
	apply(t, "lms-prod", objs)

	off := render(t, "bw", "ops", map[string]any{"lms": map[string]any{"enabled": false}})
	for _, o := range off {
		if o.GetAPIVersion() == "platform.bellwork.dev/v1" || o.GetName() == "bellwork-lms" {
			t.Errorf("lms.enabled=false still renders %s %s", o.GetKind(), o.GetName())
		}
	}
	apply(t, "ops", off)
}

// The chart's CRDs are the generated ones (make manifests copies them).
func TestChartCRDsAreTheGeneratedOnes(t *testing.T) {
	ch, err := loader.Load("bellwork")
	if err != nil {
		t.Fatal(err)
	}
	crds := ch.CRDObjects()
	if len(crds) != 6 {
		t.Fatalf("the chart has %d CRDs, want the six kinds", len(crds))
	}
	for _, crd := range crds {
		want, err := os.ReadFile("../config/crd/bases/" + path.Base(crd.Filename))
		if err != nil || string(want) != string(crd.File.Data) {
			t.Errorf("%s differs from config/crd/bases (run make manifests): %v", crd.Filename, err)
		}
	}
}
