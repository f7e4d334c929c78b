package temporalexec_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/temporalexec"
)

// workerKey carries a test worker's identity in its activities' contexts.
type workerKey struct{}

// whoami outputs the identity of the worker running the attempt and its
// task queue.
func whoami(ctx context.Context, tc *pipeline.TaskContext) error {
	id, _ := ctx.Value(workerKey{}).(string)
	return tc.SetOutput(ctx, "worker", id+"@"+activity.GetInfo(ctx).TaskQueue)
}

// engineRegistry has a type on the default workers ("light"), one on
// engine "heavy" and one on engine "nobody", which no worker serves.
func engineRegistry(t *testing.T) *pipeline.Registry {
	t.Helper()
	reg := pipeline.NewRegistry()
	for _, tt := range []pipeline.TaskType{{Name: "light"}, {Name: "heavy", Engine: "heavy"}, {Name: "orphan", Engine: "nobody"}} {
		tt.New = func(json.RawMessage) (pipeline.Task, error) { return pipeline.TaskFunc(whoami), nil }
		if err := reg.Register(tt); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// startWorker runs a worker with the given identity on queue: the default
// worker when engine is "", else the engine's.
func startWorker(t *testing.T, addr, queue, identity, engine string, backend *pipeline.Backend) {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: addr, Logger: quietLogger{}, Identity: identity})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	w := worker.New(c, queue, worker.Options{Identity: identity,
		BackgroundActivityContext: context.WithValue(context.Background(), workerKey{}, identity)})
	if engine == "" {
		temporalexec.Register(w, lookup, &pipeline.RunOptions{Backend: backend})
	} else {
		temporalexec.RegisterEngine(w, engine, lookup, &pipeline.RunOptions{Backend: backend})
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}

// TestEngines runs a pipeline of two task types on two workers of two
// task queues: each type's attempts run on its own engine's worker; a type
// whose engine has no worker fails at the schedule-to-start timeout with
// an error naming the engine and its queue.
func TestEngines(t *testing.T) {
	addr := os.Getenv("DATAFACTORY_TEST_TEMPORAL_ADDR")
	if addr == "" {
		t.Skip("DATAFACTORY_TEST_TEMPORAL_ADDR not set")
	}
	h := newHarness(t)
	reg := engineRegistry(t)
	base := fmt.Sprintf("tfanout-engines-%d", time.Now().UnixNano())
	startWorker(t, addr, base, "tfanout-main", "", h.backend)
	startWorker(t, addr, temporalexec.EngineQueue(base, "heavy"), "tfanout-heavy", "heavy", h.backend)
	c, err := client.Dial(client.Options{HostPort: addr, Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ex := &temporalexec.Executor{Client: c, TaskQueue: base, HeartbeatTimeout: 2 * time.Second, ScheduleToStartTimeout: 3 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	t.Run("each_type_on_its_engine", func(t *testing.T) {
		p, err := reg.Build(&pipeline.Spec{Name: "engines_two", Tasks: []pipeline.TaskSpec{
			{Name: "l1", Type: "light"}, {Name: "h1", Type: "heavy"},
			{Name: "h2", Type: "heavy", DependsOn: []string{"l1"}}, {Name: "l2", Type: "light", DependsOn: []string{"h1"}}}})
		if err != nil {
			t.Fatal(err)
		}
		registry.Store(p.Name(), p)
		sum, err := pipeline.Run(ctx, p, nil, &pipeline.RunOptions{Backend: h.backend, Executor: ex})
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		want := map[string]string{"l1": "tfanout-main@" + base, "l2": "tfanout-main@" + base,
			"h1": "tfanout-heavy@" + base + ".heavy", "h2": "tfanout-heavy@" + base + ".heavy"}
		for task, w := range want {
			var got string
			if err := sum.Output(ctx, task, "worker", &got); err != nil || got != w {
				t.Errorf("task %s ran on %q (%v), want %q", task, got, err, w)
			}
		}
	})

	t.Run("engine_without_worker", func(t *testing.T) {
		p, err := reg.Build(&pipeline.Spec{Name: "engines_orphan", Tasks: []pipeline.TaskSpec{
			{Name: "l1", Type: "light"}, {Name: "o1", Type: "orphan", DependsOn: []string{"l1"}}}})
		if err != nil {
			t.Fatal(err)
		}
		registry.Store(p.Name(), p)
		sum, err := pipeline.Run(ctx, p, nil, &pipeline.RunOptions{Backend: h.backend, Executor: ex})
		if !errors.Is(err, pipeline.ErrRunFailed) {
			t.Fatalf("run error %v, want ErrRunFailed", err)
		}
		wantTask(t, sum, "l1", pipeline.StateSuccess, 1)
		ts := wantTask(t, sum, "o1", pipeline.StateFailed, 1)
		want := `no worker of engine "nobody" polled task queue ` + base + ".nobody"
		if ts.Err == nil || !strings.Contains(ts.Err.Error(), want) {
			t.Errorf("task o1 error %v, want it to say %q", ts.Err, want)
		}
	})
}
