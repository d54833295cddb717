package reconcile

import (
	"context"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

func newSchool(t *testing.T) *platformv1.School {
	t.Helper()
	ns := namespace(t)
	s := &platformv1.School{
		ObjectMeta: metav1.ObjectMeta{Name: "high", Namespace: ns},
		Spec: platformv1.SchoolSpec{Tenant: "kit", Code: "H-1", DisplayName: "High", TimeZone: "America/Chicago",
			Calendar:   platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{{Days: []platformv1.Weekday{platformv1.Monday}, Start: "08:00", End: "15:00"}}},
			GradeBands: []platformv1.GradeBand{{Name: "High", Grades: []string{"9"}}}},
	}
	if err := env.Client.Create(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

// setActiveStudents writes the status as another writer would.
func setActiveStudents(t *testing.T, key client.ObjectKey, n int32) {
	t.Helper()
	s := &platformv1.School{}
	if err := env.Client.Get(context.Background(), key, s); err != nil {
		t.Fatal(err)
	}
	s.Status.ActiveStudents = n
	if err := env.Client.Status().Update(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

// The mutation is applied to the object as the API server has it, not to
// the stale copy the pass started from, so another writer's change stays.
func TestPatchStatusAppliesTheMutationToAFreshCopy(t *testing.T) {
	ctx := context.Background()
	stale := newSchool(t)
	setActiveStudents(t, client.ObjectKeyFromObject(stale), 5)
	written, err := PatchStatus(ctx, env.Client, env.Client, stale, func(s *platformv1.School) { s.Status.Synced = true })
	if err != nil || !written {
		t.Fatalf("written %v, err %v", written, err)
	}
	got := &platformv1.School{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(stale), got); err != nil {
		t.Fatal(err)
	}
	if !got.Status.Synced || got.Status.ActiveStudents != 5 {
		t.Errorf("status %+v: want synced and the other writer's 5 students", got.Status)
	}
	if stale.ResourceVersion != got.ResourceVersion || !stale.Status.Synced {
		t.Errorf("obj not left as the API server has it: %s vs %s", stale.ResourceVersion, got.ResourceVersion)
	}
}

// A mutation that changes nothing writes nothing.
func TestPatchStatusWritesNothingWhenUnchanged(t *testing.T) {
	ctx := context.Background()
	s := newSchool(t)
	setActiveStudents(t, client.ObjectKeyFromObject(s), 3)
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(s), s); err != nil {
		t.Fatal(err)
	}
	rv := s.ResourceVersion
	written, err := PatchStatus(ctx, env.Client, env.Client, s, func(s *platformv1.School) { s.Status.ActiveStudents = 3 })
	if err != nil || written {
		t.Fatalf("written %v, err %v; want no write", written, err)
	}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(s), s); err != nil || s.ResourceVersion != rv {
		t.Errorf("resourceVersion %s -> %s (%v): the object was written", rv, s.ResourceVersion, err)
	}
}

// racingClient lets another writer change the object just before the
// first status patch, as a concurrent writer would.
type racingClient struct {
	client.Client
	race func()
	once sync.Once
}

func (c *racingClient) Status() client.SubResourceWriter { return racingStatus{c.Client.Status(), c} }

type racingStatus struct {
	client.SubResourceWriter
	c *racingClient
}

func (s racingStatus) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	s.c.once.Do(s.c.race)
	return s.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}

// A conflict starts over from a fresh read: the mutation runs again on the
// other writer's version and both changes survive.
func TestPatchStatusRetriesAConflictFromAFreshRead(t *testing.T) {
	ctx := context.Background()
	s := newSchool(t)
	key := client.ObjectKeyFromObject(s)
	c := &racingClient{Client: env.Client, race: func() { setActiveStudents(t, key, 9) }}
	runs := 0
	written, err := PatchStatus(ctx, c, env.Client, s, func(s *platformv1.School) {
		runs++
		s.Status.Synced = true
	})
	if err != nil || !written {
		t.Fatalf("written %v, err %v", written, err)
	}
	if runs != 2 {
		t.Errorf("mutation ran %d times, want twice (once more after the conflict)", runs)
	}
	got := &platformv1.School{}
	if err := env.Client.Get(ctx, key, got); err != nil {
		t.Fatal(err)
	}
	if !got.Status.Synced || got.Status.ActiveStudents != 9 {
		t.Errorf("status %+v: want synced and the other writer's 9 students", got.Status)
	}
}
