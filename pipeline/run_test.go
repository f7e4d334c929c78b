package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// transitions records every transition and checks each is legal.
type transitions struct {
	mu  sync.Mutex
	all []pipeline.Transition
}

func (tr *transitions) record(t pipeline.Transition) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.all = append(tr.all, t)
}

// of returns the state sequence of one task instance, starting with its
// first from-state.
func (tr *transitions) of(task string, inst int) []pipeline.State {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []pipeline.State
	for _, t := range tr.all {
		if t.Task == task && t.Instance == inst {
			if len(out) == 0 {
				out = append(out, t.From)
			}
			out = append(out, t.To)
		}
	}
	return out
}

func (tr *transitions) requireLegal(t *testing.T) {
	t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	last := map[[2]any]pipeline.State{}
	for _, x := range tr.all {
		k := [2]any{x.Task, x.Instance}
		if prev, ok := last[k]; ok {
			require.Equal(t, prev, x.From, "transition %+v does not start where the last ended", x)
		} else {
			require.Equal(t, pipeline.StatePending, x.From, "first transition %+v", x)
		}
		require.True(t, pipeline.CanTransition(x.From, x.To), "illegal transition %+v", x)
		last[k] = x.To
	}
}

type bundle struct {
	clock *pipelinetest.FakeClock
	tr    *transitions
	opts  *pipeline.RunOptions
}

func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{clock: pipelinetest.NewFakeClock(t0), tr: &transitions{}}
	b.opts = &pipeline.RunOptions{RunID: "run-1", Clock: b.clock, OnTransition: b.tr.record}
	t.Cleanup(func() { b.tr.requireLegal(t) })
	return b
}

func fail(msg string) pipeline.Task {
	return pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error { return errors.New(msg) })
}

func TestStateTransitions(t *testing.T) {
	t.Parallel()
	S := func(s ...pipeline.State) []pipeline.State { return s }
	const (
		P  = pipeline.StatePending
		R  = pipeline.StateRunning
		U  = pipeline.StateUpForRetry
		OK = pipeline.StateSuccess
		F  = pipeline.StateFailed
		SK = pipeline.StateSkipped
	)
	b := setup(t)
	b.opts.Concurrency = 1 // one task at a time: the fake clock moves only for the task measured
	var flaky atomic.Int32
	retry := &pipeline.ExponentialBackoff{MaxAttempts: 3, Initial: time.Second}
	p, err := pipeline.NewBuilder("states").
		Add("ok", noop(), nil).
		Add("flaky", pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error {
			if flaky.Add(1) < 2 {
				return errors.New("transient")
			}
			return nil
		}), &pipeline.TaskOptions{Retry: retry}).
		Add("broken", fail("boom"), &pipeline.TaskOptions{Retry: retry, DependsOn: []string{"ok"}}).
		Add("child", noop(), deps("broken")).
		Add("grandchild", noop(), deps("child", "ok")).
		Add("cleanup", noop(), &pipeline.TaskOptions{DependsOn: []string{"child"}, TriggerRule: pipeline.AllDone}).
		Build()
	require.NoError(t, err)
	sum, err := pipeline.Run(context.Background(), p, nil, b.opts)
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	var te *pipeline.TaskError
	require.ErrorAs(t, err, &te)
	require.Equal(t, "broken", te.Task)
	require.Equal(t, 3, te.Attempt)
	require.EqualError(t, te.Err, "boom")
	require.Equal(t, pipeline.StateFailed, sum.State)

	require.Equal(t, S(P, R, OK), b.tr.of("ok", 0))
	require.Equal(t, S(P, R, U, R, OK), b.tr.of("flaky", 0))
	require.Equal(t, S(P, R, U, R, U, R, F), b.tr.of("broken", 0))
	require.Equal(t, S(P, SK), b.tr.of("child", 0))
	require.Equal(t, S(P, SK), b.tr.of("grandchild", 0))
	require.Equal(t, S(P, R, OK), b.tr.of("cleanup", 0))

	want := map[string]struct {
		state    pipeline.State
		attempts int
	}{"ok": {OK, 1}, "flaky": {OK, 2}, "broken": {F, 3}, "child": {SK, 0}, "grandchild": {SK, 0}, "cleanup": {OK, 1}}
	require.Len(t, sum.Tasks, len(want))
	for _, ts := range sum.Tasks {
		require.Equal(t, want[ts.Name].state, ts.State, ts.Name)
		require.Equal(t, want[ts.Name].attempts, ts.Attempts, ts.Name)
	}
	br, ok := sum.Task("broken")
	require.True(t, ok)
	require.Equal(t, 3*time.Second, br.Duration, "1s + 2s of fake backoff")
	require.Equal(t, []time.Duration{time.Second, time.Second, 2 * time.Second}, sortedDurations(b.clock.Sleeps()))
}

func sortedDurations(d []time.Duration) []time.Duration {
	out := append([]time.Duration(nil), d...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestCanTransition(t *testing.T) {
	t.Parallel()
	all := []pipeline.State{pipeline.StatePending, pipeline.StateRunning, pipeline.StateUpForRetry,
		pipeline.StateSuccess, pipeline.StateFailed, pipeline.StateSkipped, pipeline.StateCancelled}
	legal := map[[2]pipeline.State]bool{
		{pipeline.StatePending, pipeline.StateRunning}: true, {pipeline.StatePending, pipeline.StateSkipped}: true,
		{pipeline.StatePending, pipeline.StateCancelled}: true, {pipeline.StateRunning, pipeline.StateSuccess}: true,
		{pipeline.StateRunning, pipeline.StateFailed}: true, {pipeline.StateRunning, pipeline.StateUpForRetry}: true,
		{pipeline.StateRunning, pipeline.StateCancelled}: true, {pipeline.StateUpForRetry, pipeline.StateRunning}: true,
		{pipeline.StateUpForRetry, pipeline.StateCancelled}: true,
	}
	for _, from := range all {
		for _, to := range all {
			require.Equal(t, legal[[2]pipeline.State{from, to}], pipeline.CanTransition(from, to), "%s → %s", from, to)
		}
		require.Equal(t, from != pipeline.StatePending && from != pipeline.StateRunning && from != pipeline.StateUpForRetry, from.Terminal())
	}
}

func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		policy     pipeline.RetryPolicy
		errs       []error // returned by attempt k; nil after the list
		wantState  pipeline.State
		wantTries  int
		wantSleeps []time.Duration
	}{
		{"exponential until success", &pipeline.ExponentialBackoff{MaxAttempts: 5, Initial: time.Second, Multiplier: 3},
			[]error{errors.New("a"), errors.New("b"), errors.New("c")}, pipeline.StateSuccess, 4,
			[]time.Duration{time.Second, 3 * time.Second, 9 * time.Second}},
		{"capped at Max", &pipeline.ExponentialBackoff{MaxAttempts: 4, Initial: time.Second, Max: 3 * time.Second},
			[]error{errors.New("a"), errors.New("b"), errors.New("c"), errors.New("d")}, pipeline.StateFailed, 4,
			[]time.Duration{time.Second, 2 * time.Second, 3 * time.Second}},
		{"jitter within bounds", &pipeline.ExponentialBackoff{MaxAttempts: 2, Initial: 10 * time.Second, Jitter: 0.5,
			Rand: func() float64 { return 0.75 }}, []error{errors.New("a")}, pipeline.StateSuccess, 2,
			[]time.Duration{12500 * time.Millisecond}},
		{"permanent stops retries", &pipeline.ExponentialBackoff{MaxAttempts: 5},
			[]error{pipeline.Permanent(errors.New("bad input"))}, pipeline.StateFailed, 1, nil},
		{"retry after does not count", &pipeline.ExponentialBackoff{MaxAttempts: 2, Initial: time.Second},
			[]error{pipeline.RetryAfter(time.Minute), pipeline.RetryAfter(time.Minute), errors.New("x"), pipeline.RetryAfter(5 * time.Second)},
			pipeline.StateSuccess, 2, []time.Duration{time.Minute, time.Minute, time.Second, 5 * time.Second}},
		{"no retry by default", nil, []error{errors.New("once")}, pipeline.StateFailed, 1, nil},
		{"policy func", pipeline.RetryPolicyFunc(func(a int, err error) (time.Duration, bool) { return time.Duration(a) * time.Hour, a < 3 }),
			[]error{errors.New("a"), errors.New("b")}, pipeline.StateSuccess, 3, []time.Duration{time.Hour, 2 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			var calls int
			var attempts []int
			task := pipeline.TaskFunc(func(_ context.Context, tc *pipeline.TaskContext) error {
				attempts = append(attempts, tc.Attempt())
				calls++
				if calls <= len(tt.errs) {
					return tt.errs[calls-1]
				}
				return nil
			})
			p, err := pipeline.NewBuilder("retry").Add("t", task, &pipeline.TaskOptions{Retry: tt.policy}).Build()
			require.NoError(t, err)
			sum, err := pipeline.Run(context.Background(), p, nil, b.opts)
			require.Equal(t, tt.wantState, sum.State)
			if tt.wantState == pipeline.StateSuccess {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, pipeline.ErrRunFailed)
			}
			require.Equal(t, tt.wantTries, sum.Tasks[0].Attempts)
			require.Equal(t, tt.wantSleeps, b.clock.Sleeps())
			require.Equal(t, tt.wantTries, attempts[len(attempts)-1], "attempt numbers skip RetryAfter re-runs")
		})
	}
}

func TestDefaultRetryPolicy(t *testing.T) {
	t.Parallel()
	p := pipeline.DefaultRetryPolicy()
	p.Rand = func() float64 { return 0 } // lowest jitter: 0.8×
	d, ok := p.NextRetry(1, nil)
	require.True(t, ok)
	require.Equal(t, 800*time.Millisecond, d)
	d, ok = p.NextRetry(2, nil)
	require.True(t, ok)
	require.Equal(t, 1600*time.Millisecond, d)
	_, ok = p.NextRetry(3, nil)
	require.False(t, ok)
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var calls atomic.Int32
	task := pipeline.TaskFunc(func(ctx context.Context, _ *pipeline.TaskContext) error {
		if calls.Add(1) == 1 {
			<-ctx.Done() // first attempt hangs until the timeout
			return ctx.Err()
		}
		return nil
	})
	p, err := pipeline.NewBuilder("timeout").
		Add("slow", task, &pipeline.TaskOptions{Timeout: 20 * time.Millisecond, Retry: &pipeline.ExponentialBackoff{MaxAttempts: 2}}).
		Add("hang", pipeline.TaskFunc(func(ctx context.Context, _ *pipeline.TaskContext) error {
			<-ctx.Done()
			return ctx.Err()
		}), &pipeline.TaskOptions{Timeout: 10 * time.Millisecond}).Build()
	require.NoError(t, err)
	sum, err := pipeline.Run(context.Background(), p, nil, b.opts)
	require.ErrorIs(t, err, pipeline.ErrTimeout)
	slow, _ := sum.Task("slow")
	require.Equal(t, pipeline.StateSuccess, slow.State)
	require.Equal(t, 2, slow.Attempts)
	hang, _ := sum.Task("hang")
	require.Equal(t, pipeline.StateFailed, hang.State)
	require.ErrorIs(t, hang.Err, pipeline.ErrTimeout)
	require.ErrorIs(t, hang.Err, context.DeadlineExceeded)
}

func TestPanicIsFailure(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p, err := pipeline.NewBuilder("panic").Add("p", pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error {
		panic("kaboom")
	}), nil).Build()
	require.NoError(t, err)
	sum, err := pipeline.Run(context.Background(), p, nil, b.opts)
	require.ErrorContains(t, err, "panic: kaboom")
	require.Equal(t, pipeline.StateFailed, sum.Tasks[0].State)
}

func TestCancellation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{})
	var sawCancel atomic.Bool
	blocker := pipeline.TaskFunc(func(ctx context.Context, _ *pipeline.TaskContext) error {
		close(started)
		<-ctx.Done()
		sawCancel.Store(true)
		return ctx.Err()
	})
	retrying := pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error { return errors.New("again") })
	p, err := pipeline.NewBuilder("cancel").
		Add("running", blocker, nil).
		Add("after", noop(), deps("running")).
		Add("after2", noop(), &pipeline.TaskOptions{DependsOn: []string{"after"}, TriggerRule: pipeline.AllDone}).
		Add("done", noop(), nil).
		Build()
	require.NoError(t, err)
	_ = retrying
	go func() { <-started; cancel() }()
	sum, err := pipeline.Run(ctx, p, nil, b.opts)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, pipeline.StateCancelled, sum.State)
	require.True(t, sawCancel.Load(), "running task saw the cancellation")
	for name, want := range map[string]pipeline.State{"running": pipeline.StateCancelled, "after": pipeline.StateCancelled,
		"after2": pipeline.StateCancelled, "done": pipeline.StateSuccess} {
		ts, ok := sum.Task(name)
		require.True(t, ok)
		require.Equal(t, want, ts.State, name)
	}
	require.Equal(t, []pipeline.State{pipeline.StatePending, pipeline.StateRunning, pipeline.StateCancelled}, b.tr.of("running", 0))
	require.Equal(t, []pipeline.State{pipeline.StatePending, pipeline.StateCancelled}, b.tr.of("after", 0))
}

func TestCancelWhileWaitingToRetry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	p, err := pipeline.NewBuilder("cancel-retry").Add("t", pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error {
		cancel() // the fake clock's Sleep sees the cancelled context
		return errors.New("fails")
	}), &pipeline.TaskOptions{Retry: &pipeline.ExponentialBackoff{MaxAttempts: 3}}).Build()
	require.NoError(t, err)
	sum, err := pipeline.Run(ctx, p, nil, b.opts)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, pipeline.StateCancelled, sum.Tasks[0].State)
}

func TestCancelledBeforeStart(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var ran atomic.Int32
	task := pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error { ran.Add(1); return nil })
	p, err := pipeline.NewBuilder("pre").Add("a", task, nil).Add("b", task, deps("a")).Build()
	require.NoError(t, err)
	sum, err := pipeline.Run(ctx, p, nil, b.opts)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, ran.Load())
	for _, ts := range sum.Tasks {
		require.Equal(t, pipeline.StateCancelled, ts.State)
	}
}

func TestFanOutClaimsEachItemOnce(t *testing.T) {
	t.Parallel()
	const items, inserters = 2000, 8
	b := setup(t)
	var mu sync.Mutex
	seen := map[string]int{}
	perInstance := make([]int, inserters)
	producer := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		q := tc.Queue("pages")
		for i := range items {
			if err := q.Put(ctx, fmt.Sprintf("page%d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	inserter := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		for {
			item, err := tc.Queue("pages").Claim(ctx)
			if errors.Is(err, pipeline.ErrQueueClosed) {
				return nil
			}
			if err != nil {
				return err
			}
			mu.Lock()
			seen[item]++
			perInstance[tc.Instance()]++
			mu.Unlock()
			tc.AddCounts(pipeline.Counts{RowsOut: 1})
		}
	})
	p, err := pipeline.NewBuilder("fanout").
		Add("fetch", producer, &pipeline.TaskOptions{Feeds: []string{"pages"}}).
		Add("insert", inserter, &pipeline.TaskOptions{Instances: inserters}).
		Add("swap", noop(), deps("insert", "fetch")).Build()
	require.NoError(t, err)
	sum, err := pipeline.Run(context.Background(), p, nil, b.opts)
	require.NoError(t, err)
	require.Len(t, seen, items)
	for k, n := range seen {
		require.Equal(t, 1, n, "item %s claimed %d times", k, n)
	}
	total := 0
	for _, n := range perInstance {
		total += n
	}
	require.Equal(t, items, total)
	ins, _ := sum.Task("insert")
	require.Equal(t, 1, ins.Attempts, "attempts are per instance, not added up")
	require.Len(t, ins.Instances, inserters)
	for i, in := range ins.Instances {
		require.Equal(t, pipeline.InstanceSummary{Instance: i, State: pipeline.StateSuccess, Attempts: 1, Start: in.Start, End: in.End}, in)
	}
	for i := range inserters {
		require.Equal(t, []pipeline.State{pipeline.StatePending, pipeline.StateRunning, pipeline.StateSuccess}, b.tr.of("insert", i))
	}
}

func TestFanOutProducerFailureStopsConsumers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	producer := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		_ = tc.Queue("pages").Put(ctx, "p0", "p1")
		return errors.New("HAWK Authentication failed")
	})
	var claimed atomic.Int32
	consumer := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		for {
			_, err := tc.Queue("pages").Claim(ctx)
			if errors.Is(err, pipeline.ErrQueueClosed) {
				return nil
			}
			if err != nil {
				return err
			}
			claimed.Add(1)
		}
	})
	p, err := pipeline.NewBuilder("fanout-fail").
		Add("fetch", producer, &pipeline.TaskOptions{Feeds: []string{"pages"}}).
		Add("insert", consumer, &pipeline.TaskOptions{Instances: 3}).
		Add("swap", noop(), deps("insert", "fetch")).Build()
	require.NoError(t, err)
	sum, err := pipeline.Run(context.Background(), p, nil, b.opts)
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	ins, _ := sum.Task("insert")
	require.Equal(t, pipeline.StateFailed, ins.State)
	require.ErrorContains(t, ins.Err, "producer failed")
	swap, _ := sum.Task("swap")
	require.Equal(t, pipeline.StateSkipped, swap.State)
}

func TestConcurrencyLimit(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{1, 3} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.opts.Concurrency = limit
			var cur, peak, entered atomic.Int32
			barrier := make(chan struct{})
			task := pipeline.TaskFunc(func(ctx context.Context, _ *pipeline.TaskContext) error {
				n := cur.Add(1)
				defer cur.Add(-1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				// The first `limit` tasks wait for each other: the run must
				// let that many run at once, and no more.
				switch e := entered.Add(1); {
				case e == int32(limit):
					close(barrier)
				case e < int32(limit):
					select {
					case <-barrier:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				return nil
			})
			bl := pipeline.NewBuilder("wide")
			for i := range 12 {
				bl.Add(fmt.Sprintf("t%d", i), task, nil)
			}
			p, err := bl.Build()
			require.NoError(t, err)
			_, err = pipeline.Run(context.Background(), p, nil, b.opts)
			require.NoError(t, err)
			require.Equal(t, int32(limit), peak.Load())
		})
	}
}

func TestConfValidatedBeforeRun(t *testing.T) {
	t.Parallel()
	var ran atomic.Int32
	var got struct {
		Table string `json:"table"`
	}
	task := pipeline.TaskFunc(func(_ context.Context, tc *pipeline.TaskContext) error {
		ran.Add(1)
		return tc.DecodeConf(&got)
	})
	p, err := pipeline.NewBuilder("conf").Add("t", task, nil).ConfSchema(json.RawMessage(`{
		"type": "object", "required": ["table"],
		"properties": {"table": {"type": "string", "minLength": 1}}}`)).Build()
	require.NoError(t, err)
	for _, bad := range []string{`{}`, `{"table": 3}`, `{"table": ""}`, ``, `not json`} {
		sum, err := pipeline.Run(context.Background(), p, json.RawMessage(bad), nil)
		require.ErrorIs(t, err, pipeline.ErrInvalidConf, bad)
		require.Nil(t, sum)
	}
	require.Zero(t, ran.Load())
	sum, err := pipeline.Run(context.Background(), p, json.RawMessage(`{"table":"orders"}`), nil)
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)
	require.Equal(t, "orders", got.Table)
}

func TestTaskContextOutputsAndIdentity(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.opts.LogicalDate = time.Date(2019, 7, 1, 0, 0, 0, 0, time.UTC)
	var seen []string
	p, err := pipeline.NewBuilder("xcom").
		Add("check", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			return tc.SetOutput(ctx, "exists", map[string]bool{"exists": true})
		}), nil).
		Add("create", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			var v map[string]bool
			if err := tc.Output(ctx, "check", "exists", &v); err != nil {
				return err
			}
			seen = append(seen, fmt.Sprint(v["exists"]), tc.RunID(), tc.LogicalDate().Format("2006-01-02"), tc.Task(), tc.Pipeline())
			err := tc.Output(ctx, "check", "missing", &v)
			if !errors.Is(err, pipeline.ErrNoOutput) {
				return fmt.Errorf("want ErrNoOutput, got %v", err)
			}
			if err := tc.Output(ctx, "ghost", "x", &v); !errors.Is(err, pipeline.ErrUnknownTask) {
				return fmt.Errorf("want ErrUnknownTask, got %v", err)
			}
			if err := tc.SetOutput(ctx, "../escape", 1); err == nil {
				return errors.New("bad output name accepted")
			}
			return nil
		}), deps("check")).Build()
	require.NoError(t, err)
	_, err = pipeline.Run(context.Background(), p, nil, b.opts)
	require.NoError(t, err)
	require.Equal(t, []string{"true", "run-1", "2019-07-01", "create", "xcom"}, seen)
}

func TestLoggerAttributes(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, err := pipeline.NewBuilder("logs").Add("t", pipeline.TaskFunc(func(_ context.Context, tc *pipeline.TaskContext) error {
		tc.Logger().Info("hello")
		return nil
	}), nil).Build()
	require.NoError(t, err)
	_, err = pipeline.Run(context.Background(), p, nil, &pipeline.RunOptions{RunID: "r-7", Logger: logger})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec))
	require.Equal(t, "hello", rec["msg"])
	require.Equal(t, "logs", rec["pipeline"])
	require.Equal(t, "r-7", rec["run_id"])
	require.Equal(t, "t", rec["task"])
	require.EqualValues(t, 1, rec["attempt"])
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &rec))
	require.Equal(t, "task attempt ended", rec["msg"])
	require.Equal(t, "SUCCESS", rec["state"])
}

type lockedWriter struct {
	w  *strings.Builder
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
