package schedule_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// workflow is dart's workflow as a pipeline: load (which may fail under a
// policy), then report. It records which tasks ran, run by run.
type workflow struct {
	mu   sync.Mutex
	runs [][]string
}

func (w *workflow) task(name string, fail bool) pipeline.Task {
	return pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		if name == "load" {
			w.runs = append(w.runs, nil)
		}
		w.runs[len(w.runs)-1] = append(w.runs[len(w.runs)-1], name)
		if fail {
			return errors.New("load failed")
		}
		return nil
	})
}

func (w *workflow) pipeline(t *testing.T, policy pipeline.FailurePolicy, fail bool) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.NewBuilder("wf").
		Add("load", w.task("load", fail), &pipeline.TaskOptions{OnFailure: policy}).
		Add("report", w.task("report", false), &pipeline.TaskOptions{DependsOn: []string{"load"}}).
		Build()
	require.NoError(t, err)
	return p
}

func TestDartScenarios(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		policy  pipeline.FailurePolicy
		fail    bool
		retries int
		onFail  pipeline.FailurePolicy // the pipeline's on_failure
		// expected end states
		runs   [][]string
		state  schedule.Activation
		reason string
	}{
		{name: "HALT stops the instance, the workflow stays ACTIVE", policy: pipeline.Halt, fail: true,
			runs: [][]string{{"load"}}, state: schedule.Active},
		{name: "CONTINUE runs the later tasks", policy: pipeline.Continue, fail: true,
			runs: [][]string{{"load", "report"}}, state: schedule.Active},
		{name: "DEACTIVATE makes the workflow INACTIVE", policy: pipeline.Deactivate, fail: true,
			runs: [][]string{{"load"}}, state: schedule.Inactive, reason: "task load failed with on_failure DEACTIVATE"},
		{name: "retries_on_failure 2 gives three instances, then the policy", policy: pipeline.Deactivate, fail: true, retries: 2,
			runs: [][]string{{"load"}, {"load"}, {"load"}}, state: schedule.Inactive, reason: "(after 2 retries)"},
		{name: "retries with HALT leave the workflow ACTIVE", policy: pipeline.Halt, fail: true, retries: 1,
			runs: [][]string{{"load"}, {"load"}}, state: schedule.Active},
		{name: "pipeline on_failure DEACTIVATE deactivates on a task without a policy", fail: true, onFail: pipeline.Deactivate,
			runs: [][]string{{"load"}}, state: schedule.Inactive, reason: "under the pipeline's on_failure DEACTIVATE"},
		{name: "a task's HALT wins over the pipeline's DEACTIVATE", policy: pipeline.Halt, fail: true, onFail: pipeline.Deactivate,
			runs: [][]string{{"load"}}, state: schedule.Active},
		{name: "a success is not retried", policy: pipeline.Deactivate, retries: 2,
			runs: [][]string{{"load", "report"}}, state: schedule.Active},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			h := pipelinetest.New(t)
			w := &workflow{}
			s := h.Scheduler()
			t.Cleanup(s.Stop)
			require.NoError(t, s.AddPipeline(w.pipeline(t, tt.policy, tt.fail), &schedule.PipelineOptions{RetriesOnFailure: tt.retries, OnFailure: tt.onFail}))
			require.NoError(t, s.AddTrigger("go", schedule.EventTrigger{Event: "go"}, "wf"))
			require.NoError(t, s.FireEvent(ctx, "go", nil))
			require.Equal(t, tt.runs, w.runs)
			st, err := s.PipelineState(ctx, "wf")
			require.NoError(t, err)
			require.Equal(t, tt.state, st.State)
			require.Contains(t, st.Reason, tt.reason)
			if tt.state == schedule.Inactive {
				require.NoError(t, s.FireEvent(ctx, "go", nil))
				require.Len(t, w.runs, len(tt.runs), "an INACTIVE workflow starts nothing")
				err := s.RunNow(ctx, "wf", nil)
				require.ErrorIs(t, err, schedule.ErrInactive)
				require.ErrorContains(t, err, tt.reason, "the refusal says why")
				require.NoError(t, s.SetPipelineState(ctx, "wf", schedule.Active, "fixed"))
				require.NoError(t, s.RunNow(ctx, "wf", nil))
				require.Len(t, w.runs, len(tt.runs)+1+tt.retries, "active again, retried again")
			}
		})
	}
}

func TestInactiveTriggerNeverFires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := pipelinetest.NewFakeClock(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC))
	log := &runLog{}
	state := schedule.NewMemoryStateStore()
	s := newSched(t, clock, state, log, nil, 5)
	require.NoError(t, s.AddTrigger("ev", schedule.EventTrigger{Event: "go"}, "view"))
	require.NoError(t, s.AddTrigger("daily", schedule.CronTrigger{Cron: "0 12 ? * MON-FRI *", Start: clock.Now()}, "view"))
	require.NoError(t, s.AddTrigger("any", schedule.SuperTrigger{Mode: schedule.Any, Triggers: []string{"ev"}}, "view"))
	for _, id := range []string{"ev", "daily"} {
		require.NoError(t, s.SetTriggerState(ctx, id, schedule.Inactive, "paused"))
	}
	require.NoError(t, s.FireEvent(ctx, "go", nil))
	clock.Set(time.Date(2026, 12, 8, 13, 0, 0, 0, time.UTC)) // Monday and Tuesday noon passed
	require.NoError(t, s.Tick(ctx))
	require.Zero(t, log.count("view"), "inactive triggers fire nothing, not even their super triggers")
	st, err := s.TriggerState(ctx, "ev")
	require.NoError(t, err)
	require.Equal(t, schedule.ActivationState{State: schedule.Inactive, Reason: "paused", Changed: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)}, st)

	// An inactive event is ignored even when its trigger is active.
	require.NoError(t, s.SetTriggerState(ctx, "ev", schedule.Active, ""))
	require.NoError(t, s.SetEventState(ctx, "go", schedule.Inactive, "maintenance"))
	require.NoError(t, s.FireEvent(ctx, "go", nil))
	require.Zero(t, log.count("view"))
	require.NoError(t, s.SetEventState(ctx, "go", schedule.Active, ""))
	require.NoError(t, s.FireEvent(ctx, "go", nil))
	require.Equal(t, 2, log.count("view"), "the event trigger and the ANY super trigger over it")

	// Activated, the cron trigger runs the latest finished interval.
	require.NoError(t, s.SetTriggerState(ctx, "daily", schedule.Active, ""))
	require.NoError(t, s.Tick(ctx))
	require.Equal(t, 3, log.count("view"))

	// States survive a restart: they live in the state store.
	s.Stop()
	s2 := newSched(t, clock, state, log, nil, 5)
	require.NoError(t, s2.AddTrigger("ev", schedule.EventTrigger{Event: "go"}, "view"))
	st, err = s2.EventState(ctx, "go")
	require.NoError(t, err)
	require.Equal(t, schedule.Active, st.State)

	require.Error(t, s2.SetTriggerState(ctx, "ghost", schedule.Inactive, ""))
	require.Error(t, s2.SetTriggerState(ctx, "ev", "PAUSED", ""))
	require.Error(t, s2.SetEventState(ctx, "../x", schedule.Inactive, ""))
	require.ErrorIs(t, s2.SetPipelineState(ctx, "ghost", schedule.Inactive, ""), pipeline.ErrUnknownTask)
}

func TestManualRunAtLimitRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	s := schedule.New(nil)
	t.Cleanup(s.Stop)
	block := pipeline.TaskFunc(func(ctx context.Context, _ *pipeline.TaskContext) error {
		started <- struct{}{}
		<-release
		return nil
	})
	require.NoError(t, s.AddPipeline(onePipeline(t, "wf", block), &schedule.PipelineOptions{MaxActiveRuns: 1}))
	require.NoError(t, s.RunNow(ctx, "wf", nil))
	<-started
	err := s.RunNow(ctx, "wf", nil)
	require.ErrorIs(t, err, schedule.ErrAtLimit)
	require.ErrorContains(t, err, "active-run limit")
	close(release)
	s.Wait()
	require.NoError(t, s.AddPipeline(onePipeline(t, "off", block), &schedule.PipelineOptions{Inactive: true}))
	err = s.RunNow(ctx, "off", nil)
	require.ErrorIs(t, err, schedule.ErrInactive, "added INACTIVE, as dart's new workflows")
	require.Error(t, s.AddPipeline(onePipeline(t, "neg", block), &schedule.PipelineOptions{RetriesOnFailure: -1}))
	require.ErrorContains(t, s.AddPipeline(onePipeline(t, "big", block), &schedule.PipelineOptions{MaxActiveRuns: 11}), "over 10")
	require.Error(t, s.AddPipeline(onePipeline(t, "odd", block), &schedule.PipelineOptions{OnFailure: "RETRY"}))
}

func TestSpecOptions(t *testing.T) {
	t.Parallel()
	spec, err := pipeline.ParseSpec([]byte("name: wf\non_failure: DEACTIVATE\nretries_on_failure: 2\nconcurrency: 3\nstate: ACTIVE\ntasks: []\n"))
	require.NoError(t, err)
	o, err := schedule.SpecOptions(spec)
	require.NoError(t, err)
	require.Equal(t, &schedule.PipelineOptions{MaxActiveRuns: 3, RetriesOnFailure: 2, OnFailure: pipeline.Deactivate}, o)
	o, err = schedule.SpecOptions(&pipeline.Spec{Name: "wf"})
	require.NoError(t, err)
	require.Equal(t, &schedule.PipelineOptions{MaxActiveRuns: 1, Inactive: true}, o, "dart's defaults")
	for _, bad := range []pipeline.Spec{{Concurrency: 11}, {RetriesOnFailure: -1}, {OnFailure: "RETRY"}, {State: "PAUSED"}} {
		_, err := schedule.SpecOptions(&bad)
		require.Error(t, err, "%+v", bad)
	}
	_, err = pipeline.NewRegistry().Build(&pipeline.Spec{Name: "wf", Concurrency: 11})
	require.ErrorContains(t, err, "concurrency 11 is not within 1..10")
}

func TestAllOverCompletionAndEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := &runLog{}
	s := schedule.New(&schedule.Options{Synchronous: true})
	t.Cleanup(s.Stop)
	require.NoError(t, s.AddPipeline(onePipeline(t, "upstream", log.task(nil)), nil))
	require.NoError(t, s.AddPipeline(onePipeline(t, "view", log.task(nil)), nil))
	require.NoError(t, s.AddTrigger("done", schedule.CompletionTrigger{Pipeline: "upstream"}))
	require.NoError(t, s.AddTrigger("ev", schedule.EventTrigger{Event: "go"}))
	require.NoError(t, s.AddTrigger("both", schedule.SuperTrigger{Mode: schedule.All, Triggers: []string{"done", "ev"}}, "view"))

	require.NoError(t, s.RunNow(ctx, "upstream", nil))
	require.Zero(t, log.count("view"), "only the completion happened")
	require.NoError(t, s.FireEvent(ctx, "go", nil))
	require.Equal(t, 1, log.count("view"), "both happened: fires once")
	require.NoError(t, s.FireEvent(ctx, "go", nil))
	require.Equal(t, 1, log.count("view"), "reset: the event alone does not fire it again")
	require.NoError(t, s.RunNow(ctx, "upstream", nil))
	require.Equal(t, 2, log.count("view"))
}
