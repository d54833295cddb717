package tenancy

import (
	"io"
	"log/slog"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/pkg/directory"
)

// A listing where one Secret changed keeps every other tenant as it was
// (the same entry, not decoded again) and serves the changed one; a
// Secret that no longer decodes drops its tenant, and the same bytes
// fixed again bring it back.
func TestListingDecodesOnlyChangedSecrets(t *testing.T) {
	reg := NewRegistry(db.NewPools(time.Minute, 1), slog.New(slog.NewTextHandler(io.Discard, nil)))
	list := []*corev1.Secret{benchSecret(1, false), benchSecret(2, false)}
	reg.replaceFromSecrets(list)
	one, _ := reg.Get("district-0001")
	two, _ := reg.Get("district-0002")

	changed := []*corev1.Secret{list[0].DeepCopy(), benchSecret(2, true)}
	reg.replaceFromSecrets(changed)
	if got, _ := reg.Get("district-0001"); got != one {
		t.Error("an unchanged Secret's tenant was replaced")
	}
	got, _ := reg.Get("district-0002")
	if got == two || got.Entry.Features["roster-export"].DefaultVariant != "on" {
		t.Errorf("the changed Secret is not served: %+v", got.Entry.Features)
	}

	broken := []*corev1.Secret{list[0], benchSecret(2, true)}
	broken[1].Data[directory.EntryKey] = []byte("{")
	reg.replaceFromSecrets(broken)
	if _, ok := reg.Get("district-0002"); ok {
		t.Error("a Secret that does not decode is still served")
	}
	reg.replaceFromSecrets(changed)
	if got, ok := reg.Get("district-0002"); !ok || got.Entry.Features["roster-export"].DefaultVariant != "on" {
		t.Error("the Secret fixed again is not served")
	}
}
