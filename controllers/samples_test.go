package controllers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
	"bellwork.dev/bellwork/internal/dev/pgserver"
)

// What `kubectl apply -f config/samples/` applies, with the admin Secret
// `make run` creates, becomes a Ready tenant with both schools published.
// The samples point at 127.0.0.1:55432 (make run's Postgres); the
// development host override sends that to the test's server.
func TestSamplesBecomeAReadyTenant(t *testing.T) {
	ctx := context.Background()
	startManager(t, func(o *controllers.Options) {
		o.HostOverrides = map[string]string{"127.0.0.1:55432": pgAddress()}
	})
	admin := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bellwork-postgres-admin", Namespace: lmsNamespace},
		StringData: map[string]string{"username": pgserver.SuperUser, "password": pg.SuperPassword}}
	if err := env.Client.Create(ctx, admin); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(env.Root, "config", "samples", "*.yaml"))
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range strings.Split(string(data), "\n---") {
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if len(u.Object) == 0 {
				continue
			}
			if err := env.Client.Create(ctx, u); err != nil && !apierrors.IsAlreadyExists(err) {
				t.Fatalf("%s: %s %s: %v", filepath.Base(f), u.GetKind(), u.GetName(), err)
			}
		}
	}
	tn := waitTenant(t, "lincoln-usd", metav1.ConditionTrue, 60*time.Second)
	eventually(t, 20*time.Second, func() (bool, string) {
		tn = getTenant(t, "lincoln-usd")
		return tn.Status.Schools == 2, fmt.Sprintf("%d schools published", tn.Status.Schools)
	})
	e := entryOf(t, "lincoln-usd")
	if e.Database.Host != "127.0.0.1" || e.Database.Port != 55432 || len(e.Admins) != 2 {
		t.Errorf("entry database %+v, admins %d", e.Database, len(e.Admins))
	}
	links := secretData(t, "tenant-lincoln-usd", tn.Status.AdminInvitationSecret)
	if !strings.HasPrefix(links["superintendent_at_lincoln.example"], "http://lincoln.localhost/invitations/") {
		t.Errorf("invitation links = %v", links)
	}
	if tn.Status.Database.Name != "bw_lincoln_usd" || tn.Status.Onboarding == nil {
		t.Errorf("status = %+v", tn.Status)
	}
	waitSchoolCondition(t, "tenant-lincoln-usd", "lincoln-high", platformv1.SchoolPublished, metav1.ConditionTrue, platformv1.ReasonPublished)
}
