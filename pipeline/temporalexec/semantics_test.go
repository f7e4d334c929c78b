package temporalexec_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/temporalexec"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/storage"
)

// executors are the executors every semantics case runs against: the
// in-process one always, Temporal when DATAFACTORY_TEST_TEMPORAL_ADDR is set.
type executorCase struct {
	name string
	exec func(t *testing.T) pipeline.Executor
}

// registry is the pipelines the test worker runs, by name.
var registry sync.Map

func lookup(name string) (*pipeline.Pipeline, error) {
	if p, ok := registry.Load(name); ok {
		return p.(*pipeline.Pipeline), nil
	}
	return nil, fmt.Errorf("no pipeline %s", name)
}

// temporalExecutor starts a worker on a fresh task queue of the dev server
// at DATAFACTORY_TEST_TEMPORAL_ADDR, with the given backend.
func temporalExecutor(t *testing.T, backend *pipeline.Backend) pipeline.Executor {
	t.Helper()
	addr := os.Getenv("DATAFACTORY_TEST_TEMPORAL_ADDR")
	if addr == "" {
		t.Skip("DATAFACTORY_TEST_TEMPORAL_ADDR not set")
	}
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: "default", Logger: quietLogger{}})
	if err != nil {
		t.Fatalf("dial temporal: %v", err)
	}
	t.Cleanup(c.Close)
	queue := "tfanout-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + fmt.Sprint(time.Now().UnixNano())
	w := worker.New(c, queue, worker.Options{})
	temporalexec.Register(w, lookup, &pipeline.RunOptions{Backend: backend})
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	t.Cleanup(w.Stop)
	return &temporalexec.Executor{Client: c, TaskQueue: queue, HeartbeatTimeout: 5 * time.Second}
}

// quietLogger drops the SDK's logs.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}

type harness struct {
	backend *pipeline.Backend
	status  *status.Store
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	b, err := storage.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstatus.Open(ctx, "sqlite::memory:", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return &harness{backend: pipeline.NewBackend(&pipeline.BackendOptions{Storage: b, Status: st}), status: st}
}

// semCase is one semantics case: it builds a pipeline (fresh counters per
// executor), may cancel the run, and checks the summary and error.
type semCase struct {
	name  string
	build func(name string, cancel func()) *pipeline.Pipeline
	check func(t *testing.T, sum *pipeline.Summary, err error)
}

func fails(times int, err error) pipeline.TaskFunc {
	var n atomic.Int32
	return func(context.Context, *pipeline.TaskContext) error {
		if int(n.Add(1)) <= times {
			return err
		}
		return nil
	}
}

func must(b *pipeline.Builder) *pipeline.Pipeline {
	p, err := b.Build()
	if err != nil {
		panic(err)
	}
	return p
}

func ok(context.Context, *pipeline.TaskContext) error { return nil }

func wantTask(t *testing.T, sum *pipeline.Summary, task string, state pipeline.State, attempts int) pipeline.TaskSummary {
	t.Helper()
	ts, found := sum.Task(task)
	if !found {
		t.Fatalf("no task %s in summary", task)
	}
	if ts.State != state || ts.Attempts != attempts {
		t.Errorf("task %s: state %s attempts %d, want %s %d (err %v)", task, ts.State, ts.Attempts, state, attempts, ts.Err)
	}
	return ts
}

var semCases = []semCase{
	{
		name: "retries",
		build: func(name string, _ func()) *pipeline.Pipeline {
			return must(pipeline.NewBuilder(name).
				Add("flaky", fails(2, errors.New("boom")), &pipeline.TaskOptions{Retry: &pipeline.ExponentialBackoff{MaxAttempts: 3, Initial: 20 * time.Millisecond}}).
				Add("after", pipeline.TaskFunc(ok), &pipeline.TaskOptions{DependsOn: []string{"flaky"}}))
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			wantTask(t, sum, "flaky", pipeline.StateSuccess, 3)
			wantTask(t, sum, "after", pipeline.StateSuccess, 1)
		},
	},
	{
		name: "retries_exhausted",
		build: func(name string, _ func()) *pipeline.Pipeline {
			return must(pipeline.NewBuilder(name).
				Add("flaky", fails(5, errors.New("boom")), &pipeline.TaskOptions{Retry: &pipeline.ExponentialBackoff{MaxAttempts: 2, Initial: 10 * time.Millisecond}}).
				Add("after", pipeline.TaskFunc(ok), &pipeline.TaskOptions{DependsOn: []string{"flaky"}}))
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if !errors.Is(err, pipeline.ErrRunFailed) || !strings.Contains(err.Error(), "boom") {
				t.Fatalf("run error %v, want ErrRunFailed with boom", err)
			}
			ts := wantTask(t, sum, "flaky", pipeline.StateFailed, 2)
			var te *pipeline.TaskError
			if !errors.As(ts.Err, &te) || te.Attempt != 2 {
				t.Errorf("task error %#v, want a TaskError of attempt 2", ts.Err)
			}
			wantTask(t, sum, "after", pipeline.StateSkipped, 0)
		},
	},
	{
		name: "permanent",
		build: func(name string, _ func()) *pipeline.Pipeline {
			return must(pipeline.NewBuilder(name).
				Add("bad", fails(5, pipeline.Permanent(errors.New("bad input"))), &pipeline.TaskOptions{Retry: &pipeline.ExponentialBackoff{MaxAttempts: 5, Initial: 10 * time.Millisecond}}))
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if !errors.Is(err, pipeline.ErrRunFailed) {
				t.Fatalf("run error %v, want ErrRunFailed", err)
			}
			wantTask(t, sum, "bad", pipeline.StateFailed, 1)
		},
	},
	{
		name: "retry_after",
		build: func(name string, _ func()) *pipeline.Pipeline {
			return must(pipeline.NewBuilder(name).
				Add("poll", fails(2, pipeline.RetryAfter(30*time.Millisecond)), nil))
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			wantTask(t, sum, "poll", pipeline.StateSuccess, 1)
		},
	},
	{
		name: "timeout",
		build: func(name string, _ func()) *pipeline.Pipeline {
			slow := func(ctx context.Context, _ *pipeline.TaskContext) error { <-ctx.Done(); return ctx.Err() }
			return must(pipeline.NewBuilder(name).
				Add("slow", pipeline.TaskFunc(slow), &pipeline.TaskOptions{Timeout: 300 * time.Millisecond}))
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if !errors.Is(err, pipeline.ErrRunFailed) || !strings.Contains(err.Error(), pipeline.ErrTimeout.Error()) {
				t.Fatalf("run error %v, want ErrRunFailed with %q", err, pipeline.ErrTimeout)
			}
			wantTask(t, sum, "slow", pipeline.StateFailed, 1)
		},
	},
	{
		name: "trigger_rules",
		build: func(name string, _ func()) *pipeline.Pipeline {
			return must(pipeline.NewBuilder(name).
				Add("fail", fails(1, errors.New("x")), nil).
				Add("cleanup", pipeline.TaskFunc(ok), &pipeline.TaskOptions{DependsOn: []string{"fail"}, TriggerRule: pipeline.AllDone}).
				Add("next", pipeline.TaskFunc(ok), &pipeline.TaskOptions{DependsOn: []string{"fail"}}).
				Add("after_next", pipeline.TaskFunc(ok), &pipeline.TaskOptions{DependsOn: []string{"next"}}).
				Add("soft", fails(1, errors.New("y")), &pipeline.TaskOptions{OnFailure: pipeline.Continue}).
				Add("after_soft", pipeline.TaskFunc(ok), &pipeline.TaskOptions{DependsOn: []string{"soft"}}))
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if !errors.Is(err, pipeline.ErrRunFailed) {
				t.Fatalf("run error %v, want ErrRunFailed", err)
			}
			wantTask(t, sum, "fail", pipeline.StateFailed, 1)
			wantTask(t, sum, "cleanup", pipeline.StateSuccess, 1)
			wantTask(t, sum, "next", pipeline.StateSkipped, 0)
			wantTask(t, sum, "after_next", pipeline.StateSkipped, 0)
			wantTask(t, sum, "soft", pipeline.StateFailed, 1)
			wantTask(t, sum, "after_soft", pipeline.StateSuccess, 1)
		},
	},
	{
		name: "outputs_and_fanout",
		build: func(name string, _ func()) *pipeline.Pipeline {
			put := func(ctx context.Context, tc *pipeline.TaskContext) error { return tc.SetOutput(ctx, "n", 41) }
			inst := func(ctx context.Context, tc *pipeline.TaskContext) error {
				return tc.SetOutput(ctx, "i", tc.Instance()*10)
			}
			sum := func(ctx context.Context, tc *pipeline.TaskContext) error {
				var n, total int
				if err := tc.Output(ctx, "put", "n", &n); err != nil {
					return err
				}
				for i := range 3 {
					var v int
					if err := tc.InstanceOutput(ctx, "fan", i, "i", &v); err != nil {
						return err
					}
					total += v
				}
				return tc.SetOutput(ctx, "total", n+1+total)
			}
			return must(pipeline.NewBuilder(name).
				Add("put", pipeline.TaskFunc(put), nil).
				Add("fan", pipeline.TaskFunc(inst), &pipeline.TaskOptions{Instances: 3}).
				Add("sum", pipeline.TaskFunc(sum), &pipeline.TaskOptions{DependsOn: []string{"put", "fan"}}))
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			ts := wantTask(t, sum, "fan", pipeline.StateSuccess, 1)
			if len(ts.Instances) != 3 {
				t.Errorf("fan instances %d, want 3", len(ts.Instances))
			}
			var total int
			if err := sum.Output(context.Background(), "sum", "total", &total); err != nil || total != 72 {
				t.Errorf("output total = %d, %v; want 72", total, err)
			}
		},
	},
	{
		name: "halt",
		build: func(name string, _ func()) *pipeline.Pipeline {
			return must(pipeline.NewBuilder(name).
				Add("fail", fails(1, errors.New("stop")), &pipeline.TaskOptions{OnFailure: pipeline.Halt}).
				Add("after", pipeline.TaskFunc(ok), &pipeline.TaskOptions{DependsOn: []string{"fail"}, TriggerRule: pipeline.AllDone}))
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if !errors.Is(err, pipeline.ErrRunFailed) {
				t.Fatalf("run error %v, want ErrRunFailed", err)
			}
			wantTask(t, sum, "fail", pipeline.StateFailed, 1)
			wantTask(t, sum, "after", pipeline.StateSkipped, 0)
		},
	},
	{
		name: "cancellation",
		build: func(name string, cancel func()) *pipeline.Pipeline {
			block := func(ctx context.Context, _ *pipeline.TaskContext) error {
				cancel()
				<-ctx.Done()
				return ctx.Err()
			}
			return must(pipeline.NewBuilder(name).
				Add("block", pipeline.TaskFunc(block), &pipeline.TaskOptions{Retry: &pipeline.ExponentialBackoff{MaxAttempts: 3, Initial: 10 * time.Millisecond}}).
				Add("after", pipeline.TaskFunc(ok), &pipeline.TaskOptions{DependsOn: []string{"block"}, TriggerRule: pipeline.AllDone}))
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if !errors.Is(err, context.Canceled) || sum == nil || sum.State != pipeline.StateCancelled {
				t.Fatalf("run: %v (summary %v), want cancelled", err, sum)
			}
			wantTask(t, sum, "block", pipeline.StateCancelled, 1)
			wantTask(t, sum, "after", pipeline.StateCancelled, 0)
		},
	},
}

// TestSemantics runs every case against both executors, with storage and
// status, and checks that both write the same status events per task.
func TestSemantics(t *testing.T) {
	for _, c := range semCases {
		t.Run(c.name, func(t *testing.T) {
			events := map[string]map[string]int{}
			for _, ex := range []executorCase{
				{"inprocess", func(*testing.T) pipeline.Executor { return pipeline.InProcess{} }},
				{"temporal", nil},
			} {
				t.Run(ex.name, func(t *testing.T) {
					h := newHarness(t)
					var e pipeline.Executor = pipeline.InProcess{}
					if ex.exec == nil {
						e = temporalExecutor(t, h.backend)
					}
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					name := "sem_" + c.name + "_" + ex.name
					p := c.build(name, cancel)
					registry.Store(name, p)
					tctx, tcancel := context.WithTimeout(ctx, time.Minute)
					defer tcancel()
					sum, err := pipeline.Run(tctx, p, nil, &pipeline.RunOptions{Backend: h.backend, Executor: e})
					c.check(t, sum, err)
					if sum != nil {
						events[ex.name] = eventCounts(t, h.status, sum.RunID)
					}
				})
			}
			if a, b := events["inprocess"], events["temporal"]; a != nil && b != nil && fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("status events per operation: in-process %v, temporal %v", a, b)
			}
		})
	}
}

// eventCounts counts a run's status events by operation and event status.
func eventCounts(t *testing.T, st *status.Store, runID string) map[string]int {
	t.Helper()
	evs, err := st.Events(context.Background(), runID)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	m := map[string]int{}
	for _, ev := range evs {
		m[ev.Operation+"/"+string(ev.TraceEventStatus)]++
	}
	return m
}
