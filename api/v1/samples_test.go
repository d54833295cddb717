package v1_test

import (
	"path/filepath"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Every sample in config/samples is a valid object: the API server, with
// the generated CRDs and their CEL rules, accepts each of them.
func TestSamplesAreAccepted(t *testing.T) {
	objs := readObjects(t, filepath.Join(env.Root, "config", "samples"))
	kinds := map[string]int{}
	for _, obj := range objs {
		err := env.Client.Create(ctx(t), obj)
		if apierrors.IsAlreadyExists(err) {
			continue
		}
		if err != nil {
			t.Errorf("%s %s rejected: %v", obj.GetKind(), obj.GetName(), err)
		}
		kinds[obj.GetKind()]++
	}
	want := map[string]int{"Tenant": 1, "School": 2, "BackupPolicy": 1, "AlertRule": 5, "FeatureFlag": 1, "Deployment": 1}
	for kind, n := range want {
		if kinds[kind] < n {
			t.Errorf("samples hold %d %s objects, want at least %d", kinds[kind], kind, n)
		}
	}
}
