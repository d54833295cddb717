package checks

import (
	"testing"
	"time"

	"bellwork.dev/bellwork/internal/alerting"
)

func TestReplicationLagLimits(t *testing.T) {
	maxLag, maxBytes := 30*time.Second, int64(1<<20)
	both := ReplicationLimits{MaxLag: &maxLag, MaxLagBytes: &maxBytes, MinStandbys: 2}
	primary := Replication{Standbys: []StandbyLag{
		{Name: "pg-2", Seconds: 0, Bytes: 0},
		{Name: "pg-3", Seconds: 45, Bytes: 4 << 20},
	}}
	for _, tc := range []struct {
		name string
		rep  Replication
		lim  ReplicationLimits
		want []alerting.Sample
	}{
		{"caught up", Replication{Standbys: []StandbyLag{{Name: "pg-2"}, {Name: "pg-3"}}}, both, nil},
		{"one behind by both limits", primary, both, []alerting.Sample{
			{Labels: alerting.Labels{"instance": "pg-3", "unit": UnitSeconds}, Value: 45},
			{Labels: alerting.Labels{"instance": "pg-3", "unit": UnitBytes}, Value: 4 << 20},
		}},
		{"only the byte limit set", primary, ReplicationLimits{MaxLagBytes: &maxBytes}, []alerting.Sample{
			{Labels: alerting.Labels{"instance": "pg-3", "unit": UnitBytes}, Value: 4 << 20},
		}},
		{"a limit is not reached at equality", Replication{Standbys: []StandbyLag{{Name: "pg-2", Seconds: 30, Bytes: 1 << 20}}}, ReplicationLimits{MaxLag: &maxLag, MaxLagBytes: &maxBytes}, nil},
		{"fewer standbys than wanted", Replication{Standbys: []StandbyLag{{Name: "pg-2"}}}, both, []alerting.Sample{
			{Labels: alerting.Labels{"unit": UnitStandbys}, Value: 1},
		}},
		{"no standbys at all", Replication{}, both, []alerting.Sample{
			{Labels: alerting.Labels{"unit": UnitStandbys}, Value: 0},
		}},
		{"no standbys wanted", Replication{}, ReplicationLimits{MaxLag: &maxLag}, nil},
		{"a standby's own lag; minStandbys does not apply", Replication{InRecovery: true, Self: StandbyLag{Name: "replica-1", Seconds: 31}}, both, []alerting.Sample{
			{Labels: alerting.Labels{"instance": "replica-1", "unit": UnitSeconds}, Value: 31},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ReplicationLag(tc.rep, tc.lim)
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i].Labels.Key() != tc.want[i].Labels.Key() || got[i].Value != tc.want[i].Value {
					t.Errorf("sample %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestMergeByNameKeepsTheLargestLag(t *testing.T) {
	got := mergeByName([]StandbyLag{{Name: "walreceiver", Seconds: 5, Bytes: 10}, {Name: "walreceiver", Seconds: 1, Bytes: 99}, {Name: "a"}})
	if len(got) != 2 || got[0].Name != "a" || got[1] != (StandbyLag{Name: "walreceiver", Seconds: 5, Bytes: 99}) {
		t.Fatalf("got %+v", got)
	}
}
