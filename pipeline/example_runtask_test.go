package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/storage"
)

// One task, one process: an orchestrator creates the run, runs each task
// (here in a loop; in production each in its own container, with the same
// storage and status), then finishes the run.
func ExampleRunTask() {
	ctx := context.Background()
	bucket, err := storage.Open(ctx, "mem://")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bucket.Close()
	st, err := sqlstatus.Open(ctx, "sqlite::memory:", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	backend := pipeline.NewBackend(&pipeline.BackendOptions{Storage: bucket, Status: st})

	p, err := pipeline.NewBuilder("report").
		Add("extract", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			_, err := tc.Dir().Put(ctx, "rows.csv", strings.NewReader("a\nb\nc\n"), nil)
			return err
		}), nil).
		Add("count", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			rd, err := tc.TaskDir("extract").NewReader(ctx, "rows.csv")
			if err != nil {
				return err
			}
			defer rd.Close()
			data, err := io.ReadAll(rd)
			if err != nil {
				return err
			}
			return tc.SetOutput(ctx, "rows", strings.Count(string(data), "\n"))
		}), &pipeline.TaskOptions{DependsOn: []string{"extract"}}).
		Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	runID, err := pipeline.CreateRun(ctx, p, nil, &pipeline.RunOptions{RunID: "report-1", Backend: backend})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, task := range p.Tasks() {
		ts, err := pipeline.RunTask(ctx, p, runID, task, &pipeline.RunOptions{Backend: backend})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ts.Name, ts.State)
	}
	sum, err := pipeline.FinishRun(ctx, p, runID, &pipeline.RunOptions{Backend: backend})
	if err != nil {
		fmt.Println(err)
		return
	}
	var rows int
	if err := backend.Output(ctx, p, runID, "count", "rows", &rows); err != nil {
		fmt.Println(err)
		return
	}
	job, err := st.Job(ctx, runID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("run", sum.State, "rows", rows, "job", job.Status)
	// Output:
	// extract SUCCESS
	// count SUCCESS
	// run SUCCESS rows 3 job DONE
}
