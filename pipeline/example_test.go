package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
)

// A data-flow style pipeline: fetch pages into a queue while two inserters
// claim them, then swap once everything succeeded.
func ExampleRun() {
	fetch := pipeline.TaskFunc(func(_ context.Context, tc *pipeline.TaskContext) error {
		return tc.Queue("pages").Put("page0", "page1", "page2")
	})
	insert := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		n := 0
		for {
			_, err := tc.Queue("pages").Claim(ctx)
			if errors.Is(err, pipeline.ErrQueueClosed) {
				return tc.SetOutput(ctx, fmt.Sprintf("inserted-%d", tc.Instance()), n)
			}
			if err != nil {
				return err
			}
			n++
		}
	})
	swap := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		total := 0
		for i := range 2 {
			var n int
			if err := tc.Output(ctx, "insert", fmt.Sprintf("inserted-%d", i), &n); err != nil {
				return err
			}
			total += n
		}
		fmt.Println("pages inserted:", total)
		return nil
	})
	p, err := pipeline.NewBuilder("dataset").
		Add("fetch", fetch, &pipeline.TaskOptions{Feeds: []string{"pages"}}).
		Add("insert", insert, &pipeline.TaskOptions{Instances: 2}).
		Add("swap", swap, &pipeline.TaskOptions{DependsOn: []string{"fetch", "insert"}}).
		Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, err := pipeline.Run(context.Background(), p, nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range sum.Tasks {
		fmt.Println(t.Name, t.State, t.Attempts)
	}
	// Output:
	// pages inserted: 3
	// fetch SUCCESS 1
	// insert SUCCESS 2
	// swap SUCCESS 1
}

// Task types with JSON Schemas for their params; the spec's params are
// validated before anything runs.
func ExampleRegistry() {
	reg := pipeline.NewRegistry()
	err := reg.Register(pipeline.TaskType{
		Name:         "sql",
		Description:  "run one SQL statement",
		ParamsSchema: json.RawMessage(`{"type":"object","required":["statement"],"properties":{"statement":{"type":"string"}}}`),
		New: func(params json.RawMessage) (pipeline.Task, error) {
			return pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error { return nil }), nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = reg.Load([]byte(`
name: views
tasks:
  - name: create_view
    type: sql
    params: {statment: "CREATE VIEW v AS SELECT 1"}
`))
	fmt.Println(err)
	for _, t := range reg.Types() {
		fmt.Println(t.Name, "-", t.Description)
	}
	// Output:
	// pipeline views: task create_view (type sql): params field /statement: missing property 'statement'
	// sql - run one SQL statement
}

// A @monthly view pipeline with catch-up: every finished month runs once,
// with its logical date.
func ExampleScheduler() {
	clock := pipelinetest.NewFakeClock(time.Date(2019, 10, 15, 0, 0, 0, 0, time.UTC))
	view := pipeline.TaskFunc(func(_ context.Context, tc *pipeline.TaskContext) error {
		ds := tc.LogicalDate()
		fmt.Println("completed_omis_orders_" + ds.AddDate(0, 1, -1).Format("2006_01_02"))
		return nil
	})
	p, err := pipeline.NewBuilder("omis_view").Add("create_view", view, nil).Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	s := pipeline.NewScheduler(&pipeline.SchedulerOptions{Clock: clock, Synchronous: true})
	defer s.Stop()
	if err := s.AddPipeline(p, nil); err != nil {
		fmt.Println(err)
		return
	}
	err = s.AddTrigger("monthly", pipeline.CronTrigger{Cron: "@monthly", Start: time.Date(2019, 7, 1, 0, 0, 0, 0, time.UTC), Catchup: true}, "omis_view")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Tick(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// completed_omis_orders_2019_07_31
	// completed_omis_orders_2019_08_31
	// completed_omis_orders_2019_09_30
}
