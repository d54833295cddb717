package tenancy_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
	"bellwork.dev/bellwork/internal/dev/testenv"
	"bellwork.dev/bellwork/pkg/directory"
)

func TestMain(m *testing.M) { lmstest.Main(m) }

func newRegistry(t *testing.T) *tenancy.Registry {
	pools := db.NewPools(time.Minute, 3)
	t.Cleanup(pools.CloseAll)
	reg := tenancy.NewRegistry(pools, slog.New(slog.NewTextHandler(io.Discard, nil)))
	reg.Converge = func(ctx context.Context, tt *tenancy.Tenant, d *db.DB) error {
		return tenancy.ConvergeDatabase(ctx, tt, d, time.Now())
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go reg.Run(ctx)
	return reg
}

func entry(name string, d directory.Database, schools ...string) *directory.Entry {
	e := &directory.Entry{Version: 1, Tenant: name, DisplayName: name, Hosts: []string{name + ".localhost"}, TimeZone: "UTC", Database: d}
	for _, code := range schools {
		e.Schools = append(e.Schools, directory.School{Code: code, Name: "School " + code, TimeZone: "UTC"})
	}
	return e
}

func write(t *testing.T, dir string, e *directory.Entry) {
	data, err := directory.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, e.Tenant+".json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func schoolState(t *testing.T, reg *tenancy.Registry, tenant string) map[string]bool {
	tt, ok := reg.Get(tenant)
	if !ok {
		return nil
	}
	d, err := reg.DB(t.Context(), tt)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	err = d.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		schools, err := schools.ListSchools(context.Background(), s, true)
		for _, sc := range schools {
			out[sc.Code] = sc.ArchivedAt == nil
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Folder directory: a new tenant file is served, a changed one is applied
// (a school removed is archived, not deleted), a removed file stops serving;
// all without a restart.
func TestFolderDirectoryAppliesChangesLive(t *testing.T) {
	dir := t.TempDir()
	reg := newRegistry(t)
	if err := tenancy.WatchFolder(t.Context(), reg, dir, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	d := lmstest.TenantDB(t)
	write(t, dir, entry("north", d, "N1", "N2"))
	waitFor(t, "north served", func() bool { _, ok := reg.ForHost("north.localhost:8080"); return ok })
	waitFor(t, "schools synced", func() bool { s := schoolState(t, reg, "north"); return s["N1"] && s["N2"] })
	write(t, dir, entry("north", d, "N1"))
	waitFor(t, "N2 archived", func() bool { s := schoolState(t, reg, "north"); return s["N1"] && !s["N2"] && len(s) == 2 })
	if err := os.Remove(filepath.Join(dir, "north.json")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "north gone", func() bool { _, ok := reg.ForHost("north.localhost"); return !ok })
}

// Kubernetes directory: the informer follows labelled Secrets in the LMS
// namespace, reading only.
func TestSecretDirectoryFollowsTheAPI(t *testing.T) {
	env, err := testenv.Start(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Stop()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "bellwork-system"}}
	if err := env.Client.Create(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	reg := newRegistry(t)
	if err := tenancy.WatchSecrets(t.Context(), reg, env.Config, "bellwork-system"); err != nil {
		t.Fatal(err)
	}
	data, _ := directory.Marshal(entry("south", lmstest.TenantDB(t), "S1"))
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: directory.SecretName("south"), Namespace: "bellwork-system",
		Labels: map[string]string{directory.LabelKey: directory.LabelValue}}, Data: map[string][]byte{directory.EntryKey: data}}
	unlabelled := secret.DeepCopy()
	unlabelled.Name, unlabelled.Labels = "not-a-directory-entry", nil
	for _, s := range []*corev1.Secret{secret, unlabelled} {
		if err := env.Client.Create(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "south served", func() bool { _, ok := reg.ForHost("south.localhost"); return ok })
	waitFor(t, "south converged", func() bool { tt, _ := reg.Get("south"); ok, _ := tt.State(); return ok })
	if len(reg.Tenants()) != 1 {
		t.Fatalf("tenants: %d (an unlabelled Secret was read)", len(reg.Tenants()))
	}
	if err := env.Client.Delete(t.Context(), secret); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "south gone", func() bool { _, ok := reg.ForHost("south.localhost"); return !ok })
}
