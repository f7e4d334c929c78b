package schedule_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline/schedule"
)

// fakeCron records what a scheduler puts on its outside schedules.
type fakeCron struct {
	mu      sync.Mutex
	put     map[string]schedule.CronSchedule
	deleted []string
}

func (f *fakeCron) Put(_ context.Context, s schedule.CronSchedule) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.put[s.Trigger] = s
	return nil
}

func (f *fakeCron) Delete(_ context.Context, trigger, pipeline string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.put, trigger)
	f.deleted = append(f.deleted, trigger+"/"+pipeline)
	return nil
}

func (f *fakeCron) get(id string) (schedule.CronSchedule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.put[id]
	return s, ok
}

// TestCronSchedulesFollowTriggers: with Options.Cron the scheduler ticks
// no cron trigger itself; it puts each one (operator's and spec's) when
// it starts, pauses it when the trigger or the pipeline is INACTIVE, and
// deletes it with the trigger.
func TestCronSchedulesFollowTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var log runLog
	fc := &fakeCron{put: map[string]schedule.CronSchedule{}}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := schedule.New(&schedule.Options{Cron: fc, PollInterval: time.Hour})
	require.NoError(t, s.AddPipeline(onePipeline(t, "p", log.task(nil)),
		&schedule.PipelineOptions{MaxActiveRuns: 2, Conf: json.RawMessage(`{"a":1}`)}))
	require.NoError(t, s.AddTrigger("op", schedule.CronTrigger{Cron: "@hourly", Start: start, Catchup: true}, "p"))
	require.NoError(t, s.AddTrigger("ev", schedule.EventTrigger{Event: "e"}, "p"))
	require.NoError(t, s.Start(ctx))
	defer s.Stop()

	op, ok := fc.get("op")
	require.True(t, ok)
	require.Equal(t, schedule.CronSchedule{Trigger: "op", Pipeline: "p", Cron: "@hourly", Start: start, Catchup: true,
		MaxActiveRuns: 2, Conf: json.RawMessage(`{"a":1}`)}, op)
	_, ok = fc.get("ev")
	require.False(t, ok, "only cron triggers go to the outside schedules")
	require.NoError(t, s.Tick(ctx)) // intervals since 2026 are due, but not ticked here
	require.Zero(t, log.count("p"))

	require.NoError(t, s.SetTriggerState(ctx, "op", schedule.Inactive, "maintenance"))
	op, _ = fc.get("op")
	require.True(t, op.Paused)
	require.Contains(t, op.Reason, "trigger INACTIVE: maintenance")
	require.NoError(t, s.SetTriggerState(ctx, "op", schedule.Active, ""))
	require.NoError(t, s.SetPipelineState(ctx, "p", schedule.Inactive, "broken"))
	op, _ = fc.get("op")
	require.True(t, op.Paused)
	require.Contains(t, op.Reason, "pipeline INACTIVE: broken")
	require.NoError(t, s.SetPipelineState(ctx, "p", schedule.Active, ""))
	op, _ = fc.get("op")
	require.False(t, op.Paused)

	_, err := s.PutTrigger(ctx, "spec", schedule.TriggerSpec{Kind: "cron", Cron: "*/5 * * * *", Targets: []string{"p"}})
	require.NoError(t, err)
	sp, ok := fc.get("spec")
	require.True(t, ok)
	require.True(t, sp.Paused, "a spec without state is INACTIVE, as dart creates triggers")
	_, err = s.PutTrigger(ctx, "spec", schedule.TriggerSpec{Kind: "event", Event: "x", Targets: []string{"p"}})
	require.NoError(t, err)
	_, ok = fc.get("spec")
	require.False(t, ok, "a cron trigger replaced by another kind loses its schedule")
	_, err = s.PutTrigger(ctx, "spec2", schedule.TriggerSpec{Kind: "cron", Cron: "@daily", Targets: []string{"p"}, State: schedule.Active})
	require.NoError(t, err)
	require.NoError(t, s.DeleteTrigger(ctx, "spec2"))
	_, ok = fc.get("spec2")
	require.False(t, ok)
	require.Equal(t, []string{"spec/p", "spec2/p"}, fc.deleted)
}

func TestPrevious(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	for _, c := range []struct{ expr, t, want string }{
		{"@monthly", "2019-08-01T00:00:00Z", "2019-07-01T00:00:00Z"},
		{"@daily", "2026-03-02T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"*/5 * * * *", "2026-03-02T10:07:00Z", "2026-03-02T10:05:00Z"},
		{"@yearly", "2026-01-01T00:00:00Z", "2025-01-01T00:00:00Z"},
		{"@every 2s", "2026-03-02T10:00:10Z", "2026-03-02T10:00:08Z"},
		{"0 12 ? * MON-FRI *", "2026-12-07T12:00:00Z", "2026-12-04T12:00:00Z"},
	} {
		sc, err := schedule.ParseSchedule(c.expr)
		require.NoError(t, err, c.expr)
		require.Equal(t, at(c.want), schedule.Previous(sc, at(c.t)), c.expr)
	}
	never, err := cron.ParseStandard("0 0 30 2 *") // 30 February
	require.NoError(t, err)
	require.True(t, schedule.Previous(never, at("2026-01-01T00:00:00Z")).IsZero())
}
