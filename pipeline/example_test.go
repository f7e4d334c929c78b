package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/pipeline"
)

// A data-flow style pipeline: fetch pages into a queue while two inserters
// claim them, then swap once everything succeeded. Each inserter has its
// own outputs; the run's outputs stay readable through its summary.
func ExampleRun() {
	fetch := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		return tc.Queue("pages").Put(ctx, "page0", "page1", "page2")
	})
	insert := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		n := 0
		for {
			_, err := tc.Queue("pages").Claim(ctx)
			if errors.Is(err, pipeline.ErrQueueClosed) {
				return tc.SetOutput(ctx, "inserted", n)
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
			if err := tc.InstanceOutput(ctx, "insert", i, "inserted", &n); err != nil {
				return err
			}
			total += n
		}
		return tc.SetOutput(ctx, "total", total)
	})
	p, err := pipeline.NewBuilder("dataset").
		Add("fetch", fetch, &pipeline.TaskOptions{Feeds: []string{"pages"}}).
		Add("insert", insert, &pipeline.TaskOptions{Consumes: []string{"pages"}, Instances: 2}).
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
	var total int
	if err := sum.Output(context.Background(), "swap", "total", &total); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("pages inserted:", total)
	for _, t := range sum.Tasks {
		fmt.Println(t.Name, t.State, "attempts:", t.Attempts, "instances:", len(t.Instances))
	}
	// Output:
	// pages inserted: 3
	// fetch SUCCESS attempts: 1 instances: 1
	// insert SUCCESS attempts: 1 instances: 2
	// swap SUCCESS attempts: 1 instances: 1
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
