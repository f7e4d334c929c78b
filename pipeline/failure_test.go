package pipeline_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
)

func TestOnFailure(t *testing.T) {
	t.Parallel()
	type want struct {
		run    pipeline.State
		policy pipeline.FailurePolicy
		tasks  map[string]pipeline.State
		runErr bool
	}
	F, OK, SK := pipeline.StateFailed, pipeline.StateSuccess, pipeline.StateSkipped
	tests := []struct {
		policy pipeline.FailurePolicy
		want   want
	}{
		{"", want{F, "", map[string]pipeline.State{"x": OK, "bad": F, "next": SK, "always": OK}, true}},
		{pipeline.Halt, want{F, pipeline.Halt, map[string]pipeline.State{"x": SK, "bad": F, "next": SK, "always": SK}, true}},
		{pipeline.Deactivate, want{F, pipeline.Deactivate, map[string]pipeline.State{"x": SK, "bad": F, "next": SK, "always": SK}, true}},
		{pipeline.Continue, want{OK, "", map[string]pipeline.State{"x": OK, "bad": F, "next": OK, "always": OK}, false}},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			t.Parallel()
			// With one slot, bad runs before x (both are ready at the start;
			// the executor launches the task added last first): a halting
			// failure skips x, which is independent of bad but not started.
			p, err := pipeline.NewBuilder("policy").
				Add("x", noop(), nil).
				Add("bad", fail("broken"), &pipeline.TaskOptions{OnFailure: tt.policy}).
				Add("next", noop(), deps("bad")).
				Add("always", noop(), &pipeline.TaskOptions{DependsOn: []string{"bad"}, TriggerRule: pipeline.AllDone}).
				Build()
			require.NoError(t, err)
			h := pipelinetest.New(t)
			opts := h.RunOptions("run-1")
			opts.Concurrency = 1
			sum, err := pipeline.Run(context.Background(), p, nil, opts)
			require.Equal(t, tt.want.runErr, err != nil, "%v", err)
			require.Equal(t, tt.want.run, sum.State)
			require.Equal(t, tt.want.policy, sum.FailurePolicy)
			for name, st := range tt.want.tasks {
				ts, _ := sum.Task(name)
				require.Equal(t, st, ts.State, name)
			}
			bad, _ := sum.Task("bad")
			var te *pipeline.TaskError
			require.True(t, errors.As(bad.Err, &te), "the task keeps its error under every policy")
		})
	}
}

func TestOnFailureContinueSplit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := pipelinetest.New(t)
	p, err := pipeline.NewBuilder("cont").
		Add("bad", fail("broken"), &pipeline.TaskOptions{OnFailure: pipeline.Continue}).
		Add("next", noop(), deps("bad")).Build()
	require.NoError(t, err)
	runID, err := pipeline.CreateRun(ctx, p, nil, h.RunOptions("c-1"))
	require.NoError(t, err)
	_, err = pipeline.RunTask(ctx, p, runID, "bad", h.RunOptions(""))
	require.Error(t, err)
	ts, err := pipeline.RunTask(ctx, p, runID, "next", h.RunOptions(""))
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, ts.State, "a failure under CONTINUE lets its dependents run")
	sum, err := pipeline.FinishRun(ctx, p, runID, h.RunOptions(""))
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)
}

func TestOnFailureRejectsUnknown(t *testing.T) {
	t.Parallel()
	_, err := pipeline.NewBuilder("p").Add("a", noop(), &pipeline.TaskOptions{OnFailure: "PANIC"}).Build()
	require.ErrorIs(t, err, pipeline.ErrInvalidPipeline)
	require.ErrorContains(t, err, `unknown on_failure "PANIC"`)
}
