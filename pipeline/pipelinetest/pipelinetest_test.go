package pipelinetest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"

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

func TestHarnessRunAloneWithDatastore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, err := pipelinetest.Open(ctx)
	require.NoError(t, err)
	schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "n", Type: frictionless.TypeInteger}}}
	require.NoError(t, h.Data.CreateTable(ctx, "t", schema))
	task := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		rep, err := datastore.Ingest(ctx, h.Data, "t", []map[string]any{{"n": 1}, {"n": "x"}}, nil)
		if err != nil {
			return err
		}
		return fmt.Errorf("written %d rejected %d", rep.Written, rep.Rejected)
	})
	sum, err := h.RunAlone(ctx, "alone", task, nil)
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	require.ErrorContains(t, err, "written 1 rejected 1")
	require.Equal(t, pipeline.StateFailed, sum.State)
	var rows []frictionless.Row
	_, err = h.Data.ReadRows(ctx, "t", func(r frictionless.Row) error { rows = append(rows, r); return nil })
	require.NoError(t, err)
	require.Len(t, rows, 1)
	job, err := h.Job(ctx, sum.RunID)
	require.NoError(t, err)
	require.Equal(t, status.JobFailed, job.Status, "the run went to the harness's status store")

	_, err = h.RunAlone(ctx, "../bad", task, nil)
	require.ErrorIs(t, err, pipeline.ErrInvalidPipeline)

	require.NoError(t, h.Close())
	require.NoError(t, h.Close(), "closing twice is harmless")
	_, err = h.RunAlone(ctx, "after-close", task, nil)
	require.Error(t, err, "the stores are closed")
}
