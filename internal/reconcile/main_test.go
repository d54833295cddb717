package reconcile

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"bellwork.dev/bellwork/internal/dev/testenv"
)

var env *testenv.Env

// The writers' behaviour lives in the API server (optimistic locks,
// AlreadyExists, status subresources): test them against the real one.
func TestMain(m *testing.M) {
	testenv.Main(func() int { return m.Run() }, false, &env)
}

// namespace makes a namespace of its own for one test.
func namespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "kit-"}}
	if err := env.Client.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}
