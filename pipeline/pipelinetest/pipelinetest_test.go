package pipelinetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/status"
)

func TestFakeClock(t *testing.T) {
	t.Parallel()
	c := pipelinetest.NewFakeClock(pipelinetest.Start)
	require.Equal(t, pipelinetest.Start, c.Now())
	require.NoError(t, c.Sleep(context.Background(), time.Minute))
	require.NoError(t, c.Sleep(context.Background(), 0))
	c.Advance(time.Hour)
	require.Equal(t, pipelinetest.Start.Add(61*time.Minute), c.Now())
	require.Equal(t, []time.Duration{time.Minute, 0}, c.Sleeps())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, c.Sleep(ctx, time.Second), context.Canceled)
	c.Set(pipelinetest.Start)
	require.Equal(t, pipelinetest.Start, c.Now())
}

func TestHarness(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := pipelinetest.New(t)
	p, err := pipeline.NewBuilder("h").
		Add("a", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			return tc.SetOutput(ctx, "when", tc.LogicalDate())
		}), nil).Build()
	require.NoError(t, err)
	sum, err := h.Run(ctx, p, nil, "run-1")
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)
	require.Equal(t, pipelinetest.Start, sum.Start, "the fake clock")
	var when time.Time
	require.NoError(t, h.Output(ctx, p, "run-1", "a", "when", &when))
	require.True(t, when.Equal(pipelinetest.Start))
	job, err := h.Job(ctx, "run-1")
	require.NoError(t, err)
	require.Equal(t, status.JobDone, job.Status)
	events, err := h.Events(ctx, "run-1")
	require.NoError(t, err)
	require.Len(t, events, 3)

	s := h.Scheduler()
	t.Cleanup(s.Stop)
	require.NoError(t, s.AddPipeline(p, nil))
	require.NoError(t, s.AddTrigger("go", schedule.EventTrigger{Event: "go"}, "h"))
	require.NoError(t, s.FireEvent(ctx, "go", nil))
	jobs, err := h.Status.ListJobs(ctx, nil)
	require.NoError(t, err)
	require.Len(t, jobs, 2, "the scheduled run used the harness's status store")
}
