package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
)

// flakyFanOut builds a pipeline whose fan-out task has three instances:
// 0 succeeds, 1 fails once then succeeds, 2 always fails (three attempts).
func flakyFanOut(t *testing.T) *pipeline.Pipeline {
	t.Helper()
	fan := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		if err := tc.SetOutput(ctx, "attempt", tc.Attempt()); err != nil {
			return err
		}
		switch {
		case tc.Instance() == 1 && tc.Attempt() == 1:
			return errors.New("flaky")
		case tc.Instance() == 2:
			return fmt.Errorf("broken on attempt %d", tc.Attempt())
		}
		return nil
	})
	p, err := pipeline.NewBuilder("fan").
		Add("start", noop(), nil).
		Add("fan", fan, &pipeline.TaskOptions{DependsOn: []string{"start"}, Instances: 3,
			Retry: &pipeline.ExponentialBackoff{MaxAttempts: 3}}).
		Add("after", noop(), deps("fan")).
		Add("cleanup", noop(), &pipeline.TaskOptions{DependsOn: []string{"fan"}, TriggerRule: pipeline.AllDone}).
		Build()
	require.NoError(t, err)
	return p
}

func TestFinishRunSummaryMatchesRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inProc := pipelinetest.New(t)
	want, wantErr := pipeline.Run(ctx, flakyFanOut(t), nil, inProc.RunOptions("run-x"))
	require.ErrorIs(t, wantErr, pipeline.ErrRunFailed)

	split := pipelinetest.New(t)
	runID, err := pipeline.CreateRun(ctx, flakyFanOut(t), nil, split.RunOptions("run-x"))
	require.NoError(t, err)
	for _, task := range want.Tasks {
		_, _ = pipeline.RunTask(ctx, flakyFanOut(t), runID, task.Name, split.RunOptions(""))
	}
	got, gotErr := pipeline.FinishRun(ctx, flakyFanOut(t), runID, split.RunOptions(""))
	require.ErrorIs(t, gotErr, pipeline.ErrRunFailed)
	require.Equal(t, wantErr.Error(), gotErr.Error())

	for _, res := range []struct {
		sum *pipeline.Summary
		err error
	}{{want, wantErr}, {got, gotErr}} {
		sum := res.sum
		require.Equal(t, pipeline.StateFailed, sum.State)
		fan, ok := sum.Task("fan")
		require.True(t, ok)
		require.Equal(t, 3, fan.Attempts, "the most tries of an instance, not their sum (6)")
		require.Len(t, fan.Instances, 3)
		for i, want := range []struct {
			state    pipeline.State
			attempts int
		}{{pipeline.StateSuccess, 1}, {pipeline.StateSuccess, 2}, {pipeline.StateFailed, 3}} {
			in := fan.Instances[i]
			require.Equal(t, i, in.Instance)
			require.Equal(t, want.state, in.State, i)
			require.Equal(t, want.attempts, in.Attempts, i)
			require.False(t, in.Start.IsZero())
		}
		var te *pipeline.TaskError
		require.ErrorAs(t, res.err, &te, "a *TaskError after Run and after FinishRun")
		require.Equal(t, pipeline.TaskError{Task: "fan", Instance: 2, Attempt: 3, Err: te.Err}, *te)
		require.EqualError(t, te.Err, "broken on attempt 3")
		require.ErrorAs(t, fan.Err, &te)
		require.ErrorAs(t, fan.Instances[2].Err, &te)
		require.Equal(t, 2, te.Instance)
		after, _ := sum.Task("after")
		require.Equal(t, pipeline.StateSkipped, after.State)
		require.Nil(t, after.Instances, "never due")
	}
	require.Len(t, got.Tasks, len(want.Tasks))
	for i := range want.Tasks {
		w, g := want.Tasks[i], got.Tasks[i]
		require.Equal(t, w.Name, g.Name)
		require.Equal(t, w.State, g.State, w.Name)
		require.Equal(t, w.Attempts, g.Attempts, w.Name)
		require.Equal(t, w.Err == nil, g.Err == nil, w.Name)
		if w.Err != nil {
			require.Equal(t, w.Err.Error(), g.Err.Error(), w.Name)
		}
		require.Len(t, g.Instances, len(w.Instances), w.Name)
		for k := range w.Instances {
			wi, gi := w.Instances[k], g.Instances[k]
			require.Equal(t, [3]any{wi.Instance, wi.State, wi.Attempts}, [3]any{gi.Instance, gi.State, gi.Attempts}, w.Name)
			require.Equal(t, wi.Err == nil, gi.Err == nil)
			if wi.Err != nil {
				require.Equal(t, wi.Err.Error(), gi.Err.Error())
			}
		}
	}
	// The outputs of each instance are its own, in both.
	for _, sum := range []*pipeline.Summary{want, got} {
		for inst, tries := range []int{1, 2, 3} {
			var n int
			require.NoError(t, sum.InstanceOutput(ctx, "fan", inst, "attempt", &n))
			require.Equal(t, tries, n, inst)
		}
	}
}

func TestOutputsAfterRunWithNilOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, err := pipeline.NewBuilder("outs").
		Add("one", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			return tc.SetOutput(ctx, "rows", 42)
		}), nil).
		Add("fan", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			return tc.SetOutput(ctx, "rows", 10*tc.Instance())
		}), &pipeline.TaskOptions{Instances: 3}).
		Build()
	require.NoError(t, err)
	sum, err := pipeline.Run(ctx, p, nil, nil)
	require.NoError(t, err)

	var n int
	require.NoError(t, sum.Output(ctx, "one", "rows", &n))
	require.Equal(t, 42, n)
	require.NoError(t, sum.InstanceOutput(ctx, "one", 0, "rows", &n), "instance 0 of a one-instance task is the task")
	require.Equal(t, 42, n)
	for i := range 3 {
		require.NoError(t, sum.InstanceOutput(ctx, "fan", i, "rows", &n))
		require.Equal(t, 10*i, n, "instances do not overwrite each other")
	}
	tests := []struct {
		name string
		read func() error
		want error
		msg  string
	}{
		{"fan-out read as one", func() error { return sum.Output(ctx, "fan", "rows", &n) }, pipeline.ErrNoOutput, "runs 3 instances"},
		{"instance out of range", func() error { return sum.InstanceOutput(ctx, "fan", 3, "rows", &n) }, pipeline.ErrNoOutput, "has 3 instance(s)"},
		{"missing key", func() error { return sum.Output(ctx, "one", "nope", &n) }, pipeline.ErrNoOutput, "output one/nope"},
		{"unknown task", func() error { return sum.Output(ctx, "ghost", "rows", &n) }, pipeline.ErrUnknownTask, "ghost"},
		{"hostile key", func() error { return sum.Output(ctx, "one", "../../etc/passwd", &n) }, nil, "invalid name"},
		{"zero summary", func() error { return (&pipeline.Summary{}).Output(ctx, "one", "rows", &n) }, pipeline.ErrNoOutput, "kept no outputs"},
	}
	for _, tt := range tests {
		err := tt.read()
		require.Error(t, err, tt.name)
		if tt.want != nil {
			require.ErrorIs(t, err, tt.want, tt.name)
		}
		require.ErrorContains(t, err, tt.msg, tt.name)
	}
}

func TestInstanceOutputLayout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := pipelinetest.New(t)
	set := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		return tc.SetOutput(ctx, "n", tc.Instance())
	})
	p, err := pipeline.NewBuilder("lay").Add("one", set, nil).Add("fan", set, &pipeline.TaskOptions{Instances: 2}).Build()
	require.NoError(t, err)
	_, err = h.Run(ctx, p, nil, "run-1")
	require.NoError(t, err)
	var keys []string
	for o, err := range h.Bucket.List(ctx, "lay/run-1/") {
		require.NoError(t, err)
		keys = append(keys, o.Key)
	}
	require.Subset(t, keys, []string{"lay/run-1/one/outputs/n.json", "lay/run-1/fan/outputs/0/n.json", "lay/run-1/fan/outputs/1/n.json"})
	var n int
	require.NoError(t, h.Backend.InstanceOutput(ctx, p, "run-1", "fan", 1, "n", &n))
	require.Equal(t, 1, n)
	require.ErrorIs(t, h.Backend.Output(ctx, p, "run-1", "fan", "n", &n), pipeline.ErrNoOutput)
	require.NoError(t, h.Backend.Output(ctx, p, "run-1", "one", "n", &n))
	require.Zero(t, n)
	require.ErrorIs(t, pipeline.NewBackend(nil).Output(ctx, p, "run-1", "one", "n", &n), pipeline.ErrNoStorage)
}
