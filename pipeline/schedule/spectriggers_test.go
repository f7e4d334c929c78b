package schedule_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// viewSpec is a spec file of pipeline "view" with a triggers section.
const viewSpec = `
name: view
state: ACTIVE
triggers:
  - id: view-monthly
    kind: cron
    cron: "@monthly"
    start: 2019-07-01T00:00:00Z
    catchup: true
    state: ACTIVE
  - kind: event
    event: refresh
tasks:
  - {name: t, type: noop}
`

func specTriggers(t *testing.T, text string) []schedule.SpecTrigger {
	t.Helper()
	sp, err := pipeline.ParseSpec([]byte(text))
	require.NoError(t, err)
	trs, err := schedule.SpecTriggers(sp)
	require.NoError(t, err)
	return trs
}

// TestSpecTriggers: a spec file's triggers start its pipeline (cron with
// catch-up, an event trigger INACTIVE by default as dart creates
// triggers); a restart with the same file continues the cron cursor, a
// changed definition starts afresh; they are the operator's: a request can
// set their state (which then wins over the file) but not replace or
// delete them, nor put a trigger under their ids.
func TestSpecTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	trs := specTriggers(t, viewSpec)
	require.Equal(t, "view-monthly", trs[0].ID)
	require.Equal(t, "view-event", trs[1].ID)
	require.Equal(t, []string{"view"}, trs[1].Targets)

	state := schedule.NewMemoryStateStore()
	clock := pipelinetest.NewFakeClock(time.Date(2019, 9, 15, 0, 0, 0, 0, time.UTC))
	log := &runLog{}
	s1 := newSched(t, clock, state, log, nil, 1)
	require.NoError(t, s1.AddSpecTriggers(ctx, trs))
	require.NoError(t, s1.Tick(ctx))
	require.Equal(t, []time.Time{month(2019, 7), month(2019, 8)}, log.dates)
	require.NoError(t, s1.FireEvent(ctx, "refresh", nil))
	require.Len(t, log.dates, 2, "the event trigger is INACTIVE: the file gives no state")
	st, err := s1.TriggerState(ctx, "view-event")
	require.NoError(t, err)
	require.Equal(t, schedule.Inactive, st.State)
	info := s1.Triggers()
	require.Equal(t, "view", info[0].DeclaredBy)
	require.Nil(t, info[0].Spec)

	_, err = s1.PutTrigger(ctx, "view-monthly", schedule.TriggerSpec{Kind: "event", Event: "x", Targets: []string{"view"}})
	require.ErrorIs(t, err, schedule.ErrOperatorTrigger)
	require.ErrorIs(t, s1.DeleteTrigger(ctx, "view-event"), schedule.ErrOperatorTrigger)
	require.NoError(t, s1.SetTriggerState(ctx, "view-event", schedule.Active, "over HTTP"))
	require.NoError(t, s1.FireEvent(ctx, "refresh", nil))
	require.Len(t, log.dates, 3)
	s1.Stop()

	// Restart with the same file: the cursor continues, the state set
	// since wins over the file's default.
	clock.Set(time.Date(2019, 10, 15, 0, 0, 0, 0, time.UTC))
	s2 := newSched(t, clock, state, log, nil, 1)
	require.NoError(t, s2.AddSpecTriggers(ctx, specTriggers(t, viewSpec)))
	require.NoError(t, s2.Tick(ctx))
	require.Equal(t, month(2019, 9), log.dates[3])
	require.Len(t, log.dates, 4)
	require.NoError(t, s2.FireEvent(ctx, "refresh", nil))
	require.Len(t, log.dates, 5)
	s2.Stop()

	// A changed definition starts afresh from its start.
	changed := specTriggers(t, viewSpec)
	changed[0].Start = month(2019, 9)
	s3 := newSched(t, clock, state, log, nil, 1)
	require.NoError(t, s3.AddSpecTriggers(ctx, changed))
	require.NoError(t, s3.Tick(ctx))
	require.Equal(t, month(2019, 9), log.dates[5])
	require.Len(t, log.dates, 6)
}

// TestSpecTriggersRefused: bad entries fail when read, naming the entry;
// bad references fail when added, and then nothing is added.
func TestSpecTriggersRefused(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		`{kind: cron, cron: "@fortnightly", start: 2019-07-01T00:00:00Z}`,
		`{kind: files}`,
		`{kind: event, event: e, targets: [other]}`,
		`{kind: event, event: e, state: PAUSED}`,
		`{kind: event, event: e, bucket: x}`,
		`{id: "bad id", kind: event, event: e}`,
	} {
		sp, err := pipeline.ParseSpec([]byte("name: view\ntriggers: [" + bad + "]\ntasks: [{name: t, type: noop}]"))
		require.NoError(t, err)
		_, err = schedule.SpecTriggers(sp)
		require.ErrorContains(t, err, "triggers[0]", bad)
	}
	s := newSched(t, pipelinetest.NewFakeClock(month(2019, 9)), schedule.NewMemoryStateStore(), &runLog{}, nil, 1)
	require.NoError(t, s.AddTrigger("ops", schedule.EventTrigger{Event: "e"}, "view"))
	for _, bad := range []string{
		`[{kind: completion, pipeline: ghost}]`,
		`[{kind: super, triggers: [ghost]}]`,
		`[{id: ops, kind: event, event: e}]`,
		`[{id: a, kind: event, event: e}, {kind: super, triggers: [a, ghost]}]`,
	} {
		sp, err := pipeline.ParseSpec([]byte("name: view\ntriggers: " + bad + "\ntasks: [{name: t, type: noop}]"))
		require.NoError(t, err)
		trs, err := schedule.SpecTriggers(sp)
		require.NoError(t, err, bad)
		require.ErrorIs(t, s.AddSpecTriggers(context.Background(), trs), schedule.ErrInvalidTrigger, bad)
		require.Len(t, s.Triggers(), 1, bad)
	}
	// built in Go without the targets SpecTriggers sets
	noTarget := []schedule.SpecTrigger{{ID: "x", TriggerSpec: schedule.TriggerSpec{Kind: "event", Event: "e"}}}
	require.ErrorIs(t, s.AddSpecTriggers(context.Background(), noTarget), schedule.ErrInvalidTrigger)
	// a super trigger may list a trigger of the same batch
	trs := specTriggers(t, "name: view\ntriggers: [{id: a, kind: event, event: e}, {kind: super, mode: ANY, triggers: [a, ops]}]\ntasks: [{name: t, type: noop}]")
	require.NoError(t, s.AddSpecTriggers(context.Background(), trs))
	require.Len(t, s.Triggers(), 3)
}
