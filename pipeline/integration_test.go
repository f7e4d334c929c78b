package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
	"github.com/datafactory/datafactory/status"
)

// etl is a small pipeline that passes data through storage and outputs:
// extract writes a CSV file to its directory, transform reads it from the
// upstream directory and writes an output, fan-out loaders claim rows.
func etl(t *testing.T, failLoad bool) *pipeline.Pipeline {
	t.Helper()
	extract := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		var conf struct {
			Rows int `json:"rows"`
		}
		if err := tc.DecodeConf(&conf); err != nil {
			return err
		}
		var sb strings.Builder
		for i := range conf.Rows {
			fmt.Fprintf(&sb, "%d,%s\n", i, tc.LogicalDate().Format("2006-01-02"))
		}
		if _, err := tc.Dir().Put(ctx, "data.csv", strings.NewReader(sb.String()), nil); err != nil {
			return err
		}
		if iv := tc.DataInterval(); !iv.IsZero() {
			text := iv.Start.Format(time.RFC3339) + "/" + iv.End.Format(time.RFC3339)
			if _, err := tc.Dir().Put(ctx, "interval.txt", strings.NewReader(text), nil); err != nil {
				return err
			}
		}
		tc.AddCounts(pipeline.Counts{RowsOut: int64(conf.Rows), FilesOut: 1})
		return tc.SetOutput(ctx, "rows", conf.Rows)
	})
	transform := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		rd, err := tc.TaskDir("extract").NewReader(ctx, "data.csv")
		if err != nil {
			return err
		}
		defer rd.Close()
		data, err := io.ReadAll(rd)
		if err != nil {
			return err
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		var rows int
		if err := tc.Output(ctx, "extract", "rows", &rows); err != nil {
			return err
		}
		if rows != len(lines) {
			return fmt.Errorf("output says %d rows, file has %d", rows, len(lines))
		}
		tc.AddCounts(pipeline.Counts{RowsIn: int64(len(lines)), FilesIn: 1, RowsOut: int64(len(lines))})
		tc.SetStatus("checked", true)
		_, err = tc.Dir().Put(ctx, "upper.csv", strings.NewReader(strings.ToUpper(string(data))), nil)
		if err != nil {
			return err
		}
		return tc.SetOutput(ctx, "summary", map[string]any{"rows": len(lines), "first": lines[0]})
	})
	load := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		if failLoad {
			tc.AddError(map[string]string{"en": "Invalid value.", "nb": "Ugyldig verdi."})
			return pipeline.Permanent(errors.New("table is locked"))
		}
		var s map[string]any
		if err := tc.Output(ctx, "transform", "summary", &s); err != nil {
			return err
		}
		return tc.SetOutput(ctx, fmt.Sprintf("loaded-%d", tc.Instance()), s["rows"])
	})
	p, err := pipeline.NewBuilder("etl").
		ConfSchema(json.RawMessage(`{"type":"object","properties":{"rows":{"type":"integer","minimum":1}},"required":["rows"]}`)).
		Add("extract", extract, nil).
		Add("transform", transform, deps("extract")).
		Add("load", load, &pipeline.TaskOptions{DependsOn: []string{"transform"}, Instances: 2}).
		Add("report", noop(), deps("load")).
		Add("cleanup", noop(), &pipeline.TaskOptions{DependsOn: []string{"load"}, TriggerRule: pipeline.AllDone}).
		Build()
	require.NoError(t, err)
	return p
}

func TestStatusTraceEventsAndJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := pipelinetest.New(t)
	p := etl(t, false)
	sum, err := h.Run(ctx, p, json.RawMessage(`{"rows": 3}`), "etl-run-1")
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)

	events, err := h.Events(ctx, "etl-run-1")
	require.NoError(t, err)
	var ops []string
	for _, ev := range events {
		ops = append(ops, ev.Operation)
		require.Equal(t, "etl", ev.Component)
		require.Equal(t, "pipeline", ev.Domain)
		require.Equal(t, status.EventOK, ev.TraceEventStatus)
	}
	require.Equal(t, "run", ops[0])
	require.Equal(t, status.TraceStarted, events[0].TraceStatus)
	require.Equal(t, "run", ops[len(ops)-1])
	require.Equal(t, status.TraceFinished, events[len(events)-1].TraceStatus)
	require.ElementsMatch(t, []string{"run", "extract", "transform", "load", "load", "report", "cleanup", "run"}, ops)
	for _, ev := range events {
		if ev.Operation != "transform" {
			continue
		}
		var body map[string]any
		require.NoError(t, json.Unmarshal(ev.StatusBody, &body))
		require.EqualValues(t, 3, body["rows_in"])
		require.EqualValues(t, 3, body["rows_out"])
		require.EqualValues(t, 1, body["files_in"])
		require.Equal(t, true, body["checked"])
		require.Equal(t, "SUCCESS", body["state"])
	}
	summary, err := h.Status.Summary(ctx, "etl-run-1")
	require.NoError(t, err)
	require.True(t, summary.Done)
	require.Equal(t, status.EventOK, summary.TraceEventStatus)

	job, err := h.Job(ctx, "etl-run-1")
	require.NoError(t, err)
	require.Equal(t, status.JobDone, job.Status)
	require.Equal(t, "etl-run-1", job.FactoryID)
	require.Equal(t, status.JobType("PIPELINE"), job.Type)
	require.False(t, job.Heartbeat.IsZero(), "the run heartbeated")
	require.Equal(t, "SUCCESS", job.Info["state"])
	require.Equal(t, map[string]any{"SUCCESS": float64(5)}, job.Info["task_states"])
	require.Len(t, job.Info["tasks"], 5)

	var s map[string]any
	require.NoError(t, h.Output(ctx, p, "etl-run-1", "transform", "summary", &s))
	require.Equal(t, "0,2026-01-01", s["first"])
	require.Zero(t, h.Backend.StatusFailures())
}

func TestStatusFailedRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := pipelinetest.New(t)
	sum, err := h.Run(ctx, etl(t, true), json.RawMessage(`{"rows": 2}`), "etl-fail")
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	require.Equal(t, pipeline.StateFailed, sum.State)
	job, err := h.Job(ctx, "etl-fail")
	require.NoError(t, err)
	require.Equal(t, status.JobFailed, job.Status)
	require.Contains(t, job.Info["error"], "table is locked")
	summary, err := h.Status.Summary(ctx, "etl-fail")
	require.NoError(t, err)
	require.True(t, summary.Done)
	require.Equal(t, status.EventFailed, summary.TraceEventStatus)
	require.Equal(t, []string{"Invalid value.", "Invalid value."}, summary.Errors, "one per failed load instance")
	events, err := h.Events(ctx, "etl-fail")
	require.NoError(t, err)
	states := map[string]string{}
	for _, ev := range events {
		var body map[string]any
		require.NoError(t, json.Unmarshal(ev.StatusBody, &body))
		if st, ok := body["state"].(string); ok && ev.Operation != "run" {
			states[ev.Operation] = st
		}
	}
	require.Equal(t, map[string]string{"extract": "SUCCESS", "transform": "SUCCESS", "load": "FAILED", "report": "SKIPPED", "cleanup": "SUCCESS"}, states)
}

func TestStatusJobWaitingRunningCancelled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := pipelinetest.New(t)
	var during status.JobStatus
	ctx2, cancel := context.WithCancel(ctx)
	p, err := pipeline.NewBuilder("cancelme").Add("t", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		job, err := h.Job(ctx, tc.RunID())
		if err != nil {
			return err
		}
		during = job.Status
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}), nil).Add("after", noop(), deps("t")).Build()
	require.NoError(t, err)
	runID, err := pipeline.CreateRun(ctx, p, nil, h.RunOptions("cancel-run"))
	require.NoError(t, err)
	job, err := h.Job(ctx, runID)
	require.NoError(t, err)
	require.Equal(t, status.JobWaiting, job.Status)

	sum, err := h.Run(ctx2, p, nil, "cancel-run-2")
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, pipeline.StateCancelled, sum.State)
	require.Equal(t, status.JobRunning, during)
	job, err = h.Job(ctx, "cancel-run-2")
	require.NoError(t, err)
	require.Equal(t, status.JobCancelled, job.Status)
}

func TestLostJobCancelsRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := pipelinetest.New(t)
	backend := pipeline.NewBackend(&pipeline.BackendOptions{Storage: h.Bucket, Status: h.Status, HeartbeatInterval: 5 * time.Millisecond})
	p, err := pipeline.NewBuilder("lost").Add("t", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		// Someone cancels the job from outside (an operator, Reap).
		if _, err := h.Status.Transition(ctx, tc.RunID(), status.JobCancelled, nil); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return errors.New("the run was not stopped")
		}
	}), nil).Build()
	require.NoError(t, err)
	sum, err := pipeline.Run(ctx, p, nil, &pipeline.RunOptions{RunID: "lost-1", Backend: backend})
	require.Error(t, err)
	require.Equal(t, pipeline.StateCancelled, sum.State)
}

func TestRunTaskMatchesInProcessRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conf := json.RawMessage(`{"rows": 4}`)
	logical := time.Date(2019, 7, 1, 0, 0, 0, 0, time.UTC)
	interval := pipeline.Interval{Start: logical, End: logical.AddDate(0, 1, 0)}
	for _, failLoad := range []bool{false, true} {
		t.Run(fmt.Sprint("failLoad=", failLoad), func(t *testing.T) {
			t.Parallel()
			p := etl(t, failLoad)
			inProc := pipelinetest.New(t)
			opts := inProc.RunOptions("run-x")
			opts.LogicalDate, opts.DataInterval = logical, interval
			want, wantErr := pipeline.Run(ctx, p, conf, opts)

			// Each task in its own "process": a fresh pipeline value and
			// fresh options every time, sharing only storage and status.
			split := pipelinetest.New(t)
			opts = split.RunOptions("run-x")
			opts.LogicalDate, opts.DataInterval = logical, interval
			runID, err := pipeline.CreateRun(ctx, etl(t, failLoad), conf, opts)
			require.NoError(t, err)
			_, err = pipeline.RunTask(ctx, p, runID, "transform", split.RunOptions(""))
			require.ErrorIs(t, err, pipeline.ErrUpstreamNotDone)
			for _, task := range p.Tasks() {
				ts, err := pipeline.RunTask(ctx, etl(t, failLoad), runID, task, split.RunOptions(""))
				w, _ := want.Task(task)
				require.Equal(t, w.State, ts.State, task)
				require.Equal(t, w.Attempts, ts.Attempts, task)
				require.Equal(t, w.State == pipeline.StateFailed, err != nil, task)
			}
			got, gotErr := pipeline.FinishRun(ctx, p, runID, split.RunOptions(""))
			require.Equal(t, wantErr == nil, gotErr == nil)
			require.Equal(t, want.State, got.State)

			wantFiles := objects(t, inProc)
			gotFiles := objects(t, split)
			require.Equal(t, wantFiles, gotFiles)
			require.Contains(t, gotFiles, "etl/run-x/extract/data.csv")
			require.Contains(t, gotFiles, "etl/run-x/_run/tasks/report.json")
			require.Equal(t, "0,2019-07-01\n1,2019-07-01\n2,2019-07-01\n3,2019-07-01\n", gotFiles["etl/run-x/extract/data.csv"])
			// the data interval reaches a task run in another process through the run record
			require.Equal(t, "2019-07-01T00:00:00Z/2019-08-01T00:00:00Z", gotFiles["etl/run-x/extract/interval.txt"])

			for _, h := range []*pipelinetest.Harness{inProc, split} {
				job, err := h.Job(ctx, "run-x")
				require.NoError(t, err)
				if failLoad {
					require.Equal(t, status.JobFailed, job.Status)
				} else {
					require.Equal(t, status.JobDone, job.Status)
				}
				sum, err := h.Status.Summary(ctx, "run-x")
				require.NoError(t, err)
				require.True(t, sum.Done)
			}
			require.Equal(t, operations(t, inProc), operations(t, split))
		})
	}
}

// objects returns every object of the harness's bucket with its content,
// task state records reduced to their state.
func objects(t *testing.T, h *pipelinetest.Harness) map[string]string {
	t.Helper()
	objs, err := h.Bucket.ListAll(context.Background(), "")
	require.NoError(t, err)
	out := map[string]string{}
	for _, o := range objs {
		data, err := h.Bucket.ReadAll(context.Background(), o.Key)
		require.NoError(t, err)
		if strings.Contains(o.Key, "/_run/") {
			var rec map[string]any
			require.NoError(t, json.Unmarshal(data, &rec))
			delete(rec, "start")
			delete(rec, "end")
			b, err := json.Marshal(rec)
			require.NoError(t, err)
			data = b
		}
		out[o.Key] = string(data)
	}
	return out
}

func operations(t *testing.T, h *pipelinetest.Harness) []string {
	t.Helper()
	events, err := h.Events(context.Background(), "run-x")
	require.NoError(t, err)
	var out []string
	for _, ev := range events {
		out = append(out, ev.Operation+"/"+string(ev.TraceStatus)+"/"+string(ev.TraceEventStatus))
	}
	// Tasks that ran in parallel may have written their events in either
	// order; the first and last events are the run's.
	require.Equal(t, "run/STARTED/OK", out[0])
	require.True(t, strings.HasPrefix(out[len(out)-1], "run/FINISHED/"))
	slices.Sort(out)
	return out
}

func TestRunTaskRefusesQueues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := pipelinetest.New(t)
	p, err := pipeline.NewBuilder("q").
		Add("fetch", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			return tc.Queue("pages").Put(ctx, "p0")
		}), &pipeline.TaskOptions{Feeds: []string{"pages"}}).
		Add("insert", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			_, err := tc.Queue("pages").Claim(ctx)
			return err
		}), nil).Build()
	require.NoError(t, err)
	runID, err := pipeline.CreateRun(ctx, p, nil, h.RunOptions("q-1"))
	require.NoError(t, err)
	for _, task := range []string{"fetch", "insert"} {
		ts, err := pipeline.RunTask(ctx, p, runID, task, h.RunOptions(""))
		require.ErrorIs(t, err, pipeline.ErrQueueSplit, task)
		require.Equal(t, pipeline.StateFailed, ts.State)
	}
	sum, err := pipeline.FinishRun(ctx, p, runID, h.RunOptions(""))
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	require.Equal(t, pipeline.StateFailed, sum.State)
	job, err := h.Job(ctx, runID)
	require.NoError(t, err)
	require.Equal(t, status.JobFailed, job.Status)
}
