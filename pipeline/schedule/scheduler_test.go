package schedule_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// runLog records the runs a scheduler starts.
type runLog struct {
	mu     sync.Mutex
	runs   []string // "<pipeline> <logical date> <run id>"
	dates  []time.Time
	files  [][]pipeline.File
	confs  []string
	runIDs []string
}

func (l *runLog) task(fail func() bool) pipeline.Task {
	return pipeline.TaskFunc(func(_ context.Context, tc *pipeline.TaskContext) error {
		l.mu.Lock()
		l.runs = append(l.runs, tc.Pipeline())
		l.dates = append(l.dates, tc.LogicalDate())
		l.files = append(l.files, tc.Files())
		l.confs = append(l.confs, string(tc.Conf()))
		l.runIDs = append(l.runIDs, tc.RunID())
		l.mu.Unlock()
		if fail != nil && fail() {
			return errors.New("planned failure")
		}
		return nil
	})
}

func (l *runLog) count(p string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.runs {
		if r == p {
			n++
		}
	}
	return n
}

func onePipeline(t *testing.T, name string, task pipeline.Task) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.NewBuilder(name).Add("t", task, nil).Build()
	require.NoError(t, err)
	return p
}

func month(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

func newSched(t *testing.T, clock pipeline.Clock, state schedule.StateStore, log *runLog, fail func() bool, maxActive int) *schedule.Scheduler {
	t.Helper()
	s := schedule.New(&schedule.Options{Clock: clock, State: state, Synchronous: true})
	require.NoError(t, s.AddPipeline(onePipeline(t, "view", log.task(fail)), &schedule.PipelineOptions{MaxActiveRuns: maxActive}))
	t.Cleanup(s.Stop)
	return s
}

func TestCronCatchupAcrossRestart(t *testing.T) {
	t.Parallel()
	stores := map[string]func(t *testing.T) schedule.StateStore{
		"memory": func(*testing.T) schedule.StateStore { return schedule.NewMemoryStateStore() },
		"bucket": func(t *testing.T) schedule.StateStore {
			st, err := schedule.NewBucketStateStore(pipelinetest.New(t).Bucket, "_scheduler")
			require.NoError(t, err)
			return st
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testCronCatchupAcrossRestart(t, mk(t))
		})
	}
}

func testCronCatchupAcrossRestart(t *testing.T, state schedule.StateStore) {
	clock := pipelinetest.NewFakeClock(time.Date(2019, 9, 15, 0, 0, 0, 0, time.UTC))
	log := &runLog{}
	trig := schedule.CronTrigger{Cron: "@monthly", Start: month(2019, 7), Catchup: true}

	s1 := newSched(t, clock, state, log, nil, 1)
	require.NoError(t, s1.AddTrigger("monthly", trig, "view"))
	require.NoError(t, s1.Tick(context.Background()))
	require.NoError(t, s1.Tick(context.Background())) // nothing new
	s1.Stop()
	require.ErrorIs(t, s1.Tick(context.Background()), pipeline.ErrClosed)
	require.Equal(t, []time.Time{month(2019, 7), month(2019, 8)}, log.dates)

	// Restart two months later with the same state: the missed intervals
	// run once each, in order.
	clock.Set(time.Date(2019, 11, 15, 0, 0, 0, 0, time.UTC))
	s2 := newSched(t, clock, state, log, nil, 1)
	require.NoError(t, s2.AddTrigger("monthly", trig, "view"))
	require.NoError(t, s2.Tick(context.Background()))
	require.NoError(t, s2.Tick(context.Background()))
	clock.Set(time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC)) // November's interval just ended
	require.NoError(t, s2.Tick(context.Background()))
	require.Equal(t, []time.Time{month(2019, 7), month(2019, 8), month(2019, 9), month(2019, 10), month(2019, 11)}, log.dates)
}

func TestCronOptions(t *testing.T) {
	t.Parallel()
	now := time.Date(2019, 12, 10, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		trig schedule.CronTrigger
		want []time.Time
	}{
		{"end date", schedule.CronTrigger{Cron: "@monthly", Start: month(2019, 7), End: month(2019, 9), Catchup: true},
			[]time.Time{month(2019, 7), month(2019, 8), month(2019, 9)}},
		{"no catchup runs the latest interval only", schedule.CronTrigger{Cron: "@monthly", Start: month(2019, 7)},
			[]time.Time{month(2019, 11)}},
		{"start mid-interval", schedule.CronTrigger{Cron: "0 0 1 * *", Start: time.Date(2019, 9, 20, 0, 0, 0, 0, time.UTC), Catchup: true},
			[]time.Time{month(2019, 10), month(2019, 11)}},
		{"daily", schedule.CronTrigger{Cron: "@daily", Start: time.Date(2019, 12, 7, 0, 0, 0, 0, time.UTC), Catchup: true},
			[]time.Time{time.Date(2019, 12, 7, 0, 0, 0, 0, time.UTC), time.Date(2019, 12, 8, 0, 0, 0, 0, time.UTC), time.Date(2019, 12, 9, 0, 0, 0, 0, time.UTC)}},
		{"not yet due", schedule.CronTrigger{Cron: "@monthly", Start: month(2019, 12), Catchup: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log := &runLog{}
			s := newSched(t, pipelinetest.NewFakeClock(now), nil, log, nil, 1)
			require.NoError(t, s.AddTrigger("cron", tt.trig, "view"))
			require.NoError(t, s.Tick(context.Background()))
			require.NoError(t, s.Tick(context.Background()))
			require.Equal(t, tt.want, log.dates)
		})
	}
}

func TestTriggerValidation(t *testing.T) {
	t.Parallel()
	s := newSched(t, nil, nil, &runLog{}, nil, 1)
	src := &memSource{}
	tests := []struct {
		name    string
		trig    schedule.Trigger
		targets []string
		want    string
	}{
		{"bad cron", schedule.CronTrigger{Cron: "61 * * * *", Start: pipelinetest.Start}, []string{"view"}, "parse schedule"},
		{"cron without start", schedule.CronTrigger{Cron: "@daily"}, []string{"view"}, "needs a Start"},
		{"unknown pipeline", schedule.EventTrigger{Event: "x"}, []string{"ghost"}, "pipeline ghost not added"},
		{"empty super", schedule.SuperTrigger{}, nil, "at least one"},
		{"bad mode", schedule.SuperTrigger{Mode: "SOME", Triggers: []string{"a"}}, nil, "unknown mode"},
		{"files threshold", schedule.FilesTrigger{Source: src}, []string{"view"}, "Threshold"},
		{"files two targets", schedule.FilesTrigger{Source: src, Threshold: 1}, []string{"view", "view"}, "exactly one"},
	}
	for _, tt := range tests {
		require.ErrorContains(t, s.AddTrigger("t-"+strconv.Itoa(len(tt.name)), tt.trig, tt.targets...), tt.want, tt.name)
	}
	require.NoError(t, s.AddTrigger("ok", schedule.EventTrigger{Event: "x"}, "view"))
	require.ErrorContains(t, s.AddTrigger("ok", schedule.EventTrigger{Event: "x"}, "view"), "already used")
}

func TestCompletionTriggerOnSuccessOnly(t *testing.T) {
	t.Parallel()
	log := &runLog{}
	failUpstream := false
	s := schedule.New(&schedule.Options{Synchronous: true})
	t.Cleanup(s.Stop)
	require.NoError(t, s.AddPipeline(onePipeline(t, "dataset", log.task(func() bool { return failUpstream })), nil))
	require.NoError(t, s.AddPipeline(onePipeline(t, "view", log.task(nil)), nil))
	require.NoError(t, s.AddTrigger("go", schedule.EventTrigger{Event: "upload"}, "dataset"))
	require.NoError(t, s.AddTrigger("after-dataset", schedule.CompletionTrigger{Pipeline: "dataset"}, "view"))
	ctx := context.Background()

	require.NoError(t, s.FireEvent(ctx, "upload", nil))
	require.Equal(t, 1, log.count("view"))
	failUpstream = true
	require.NoError(t, s.FireEvent(ctx, "upload", nil))
	require.Equal(t, 2, log.count("dataset"))
	require.Equal(t, 1, log.count("view"), "a failed run fires no completion trigger")
	require.NoError(t, s.RunCompleted(ctx, "dataset", pipeline.StateSuccess))
	require.Equal(t, 2, log.count("view"))
	require.NoError(t, s.RunCompleted(ctx, "dataset", pipeline.StateFailed))
	require.Equal(t, 2, log.count("view"))
}

func TestSuperTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	state := schedule.NewMemoryStateStore()
	log := &runLog{}
	mk := func() *schedule.Scheduler {
		s := schedule.New(&schedule.Options{Synchronous: true, State: state})
		t.Cleanup(s.Stop)
		require.NoError(t, s.AddPipeline(onePipeline(t, "all", log.task(nil)), nil))
		require.NoError(t, s.AddPipeline(onePipeline(t, "any", log.task(nil)), nil))
		require.NoError(t, s.AddPipeline(onePipeline(t, "superSuper", log.task(nil)), nil))
		require.NoError(t, s.AddTrigger("a", schedule.EventTrigger{Event: "a"}))
		require.NoError(t, s.AddTrigger("b", schedule.EventTrigger{Event: "b"}))
		require.NoError(t, s.AddTrigger("c", schedule.EventTrigger{Event: "c"}))
		require.NoError(t, s.AddTrigger("s-all", schedule.SuperTrigger{Mode: schedule.All, Triggers: []string{"a", "b"}}, "all"))
		require.NoError(t, s.AddTrigger("s-any", schedule.SuperTrigger{Mode: schedule.Any, Triggers: []string{"a", "b"}}, "any"))
		require.NoError(t, s.AddTrigger("s-super", schedule.SuperTrigger{Triggers: []string{"s-all", "c"}}, "superSuper"))
		// A loop of ANY supers must not fire forever.
		require.NoError(t, s.AddTrigger("loop1", schedule.SuperTrigger{Mode: schedule.Any, Triggers: []string{"loop2", "c"}}))
		require.NoError(t, s.AddTrigger("loop2", schedule.SuperTrigger{Mode: schedule.Any, Triggers: []string{"loop1"}}))
		return s
	}
	s := mk()
	steps := []struct {
		event          string
		all, any, supr int
	}{
		{"a", 0, 1, 0},
		{"a", 0, 2, 0}, // ALL keeps a set: a twice is still only a
		{"b", 1, 3, 0}, // now both: fire and reset
		{"b", 1, 4, 0},
		{"restart", 1, 4, 0},
		{"a", 2, 5, 0}, // b's firing survived the restart
		{"c", 2, 5, 1}, // super of super: s-all and c both fired
		{"nobody-listens", 2, 5, 1},
	}
	for i, st := range steps {
		if st.event == "restart" {
			s.Stop()
			s = mk()
			continue
		}
		require.NoError(t, s.FireEvent(ctx, st.event, nil), i)
		require.Equal(t, st.all, log.count("all"), "step %d all", i)
		require.Equal(t, st.any, log.count("any"), "step %d any", i)
		require.Equal(t, st.supr, log.count("superSuper"), "step %d super", i)
	}
}

func TestEventConf(t *testing.T) {
	t.Parallel()
	log := &runLog{}
	s := schedule.New(&schedule.Options{Synchronous: true})
	t.Cleanup(s.Stop)
	p, err := pipeline.NewBuilder("load").Add("t", log.task(nil), nil).
		ConfSchema(json.RawMessage(`{"type":"object","required":["resource"]}`)).Build()
	require.NoError(t, err)
	require.ErrorIs(t, s.AddPipeline(p, &schedule.PipelineOptions{Conf: json.RawMessage(`{}`)}), pipeline.ErrInvalidConf)
	require.NoError(t, s.AddPipeline(p, &schedule.PipelineOptions{Conf: json.RawMessage(`{"resource":"default"}`)}))
	require.NoError(t, s.AddTrigger("upload", schedule.EventTrigger{Event: "upload"}, "load"))
	ctx := context.Background()
	require.NoError(t, s.FireEvent(ctx, "upload", nil))
	require.NoError(t, s.FireEvent(ctx, "upload", json.RawMessage(`{"resource":"r1"}`)))
	require.NoError(t, s.FireEvent(ctx, "upload", json.RawMessage(`{"bad":1}`))) // invalid conf: run refused, logged
	require.Equal(t, []string{`{"resource":"default"}`, `{"resource":"r1"}`}, log.confs)
}

func TestActiveRunLimitDropsFirings(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	var mu sync.Mutex
	runs := 0
	task := pipeline.TaskFunc(func(ctx context.Context, _ *pipeline.TaskContext) error {
		mu.Lock()
		runs++
		mu.Unlock()
		started <- struct{}{}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	s := schedule.New(nil) // asynchronous
	t.Cleanup(s.Stop)
	require.NoError(t, s.AddPipeline(onePipeline(t, "slow", task), &schedule.PipelineOptions{MaxActiveRuns: 2}))
	require.NoError(t, s.AddTrigger("go", schedule.EventTrigger{Event: "go"}, "slow"))
	ctx := context.Background()
	for range 5 {
		require.NoError(t, s.FireEvent(ctx, "go", nil))
	}
	<-started
	<-started
	require.Equal(t, 2, s.Active("slow"))
	require.Equal(t, 3, s.Dropped("slow"), "firings over the limit are dropped, not queued")
	close(release)
	s.Wait()
	require.Equal(t, 0, s.Active("slow"))
	require.NoError(t, s.FireEvent(ctx, "go", nil))
	<-started
	s.Wait()
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 3, runs, "2 + 1 after the slots freed; the dropped ones never ran")
}

func TestCronWaitsAtLimitInsteadOfDropping(t *testing.T) {
	t.Parallel()
	clock := pipelinetest.NewFakeClock(time.Date(2019, 10, 2, 0, 0, 0, 0, time.UTC))
	release := make(chan struct{}, 10)
	var mu sync.Mutex
	var dates []time.Time
	task := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		mu.Lock()
		dates = append(dates, tc.LogicalDate())
		mu.Unlock()
		<-release
		return nil
	})
	s := schedule.New(&schedule.Options{Clock: clock})
	t.Cleanup(s.Stop)
	require.NoError(t, s.AddPipeline(onePipeline(t, "view", task), nil))
	require.NoError(t, s.AddTrigger("m", schedule.CronTrigger{Cron: "@monthly", Start: month(2019, 7), Catchup: true}, "view"))
	ctx := context.Background()
	for i := range 3 {
		require.NoError(t, s.Tick(ctx))
		require.NoError(t, s.Tick(ctx)) // at the limit: waits
		require.Equal(t, 1, s.Active("view"))
		release <- struct{}{}
		s.Wait()
		mu.Lock()
		require.Len(t, dates, i+1)
		mu.Unlock()
	}
	require.NoError(t, s.Tick(ctx))
	s.Wait()
	require.Equal(t, []time.Time{month(2019, 7), month(2019, 8), month(2019, 9)}, dates)
	require.Zero(t, s.Dropped("view"))
}

func TestStartStop(t *testing.T) {
	t.Parallel()
	clock := pipelinetest.NewFakeClock(month(2019, 7))
	log := &runLog{}
	s := schedule.New(&schedule.Options{Clock: clock, PollInterval: time.Hour})
	require.NoError(t, s.AddPipeline(onePipeline(t, "view", log.task(nil)), nil))
	require.NoError(t, s.AddTrigger("m", schedule.CronTrigger{Cron: "@monthly", Start: month(2019, 7), End: month(2019, 12), Catchup: true}, "view"))
	require.NoError(t, s.Start(context.Background()))
	require.Error(t, s.Start(context.Background()))
	// The fake clock's Sleep returns at once, so the loop walks through
	// the months by itself.
	require.Eventually(t, func() bool { return log.count("view") == 6 }, 10*time.Second, time.Millisecond)
	s.Stop()
	s.Stop()
	require.ErrorIs(t, s.Start(context.Background()), pipeline.ErrClosed)
	require.Equal(t, []time.Time{month(2019, 7), month(2019, 8), month(2019, 9), month(2019, 10), month(2019, 11), month(2019, 12)}, log.dates)
}

func TestRunNow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	release := make(chan struct{})
	var mu sync.Mutex
	var confs []string
	task := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		mu.Lock()
		confs = append(confs, string(tc.Conf()))
		mu.Unlock()
		<-release
		return nil
	})
	s := schedule.New(nil)
	t.Cleanup(s.Stop)
	p, err := pipeline.NewBuilder("manual").Add("t", task, nil).ConfSchema(json.RawMessage(`{"type":["object","null"]}`)).Build()
	require.NoError(t, err)
	require.NoError(t, s.AddPipeline(p, nil))
	log := &runLog{}
	require.NoError(t, s.AddPipeline(onePipeline(t, "after", log.task(nil)), nil))
	require.NoError(t, s.AddTrigger("done", schedule.CompletionTrigger{Pipeline: "manual"}, "after"))
	require.NoError(t, s.AddTrigger("super", schedule.SuperTrigger{Mode: schedule.Any, Triggers: []string{"manual"}}, "after"))

	require.ErrorIs(t, s.RunNow(ctx, "manual", json.RawMessage(`[1]`)), pipeline.ErrInvalidConf)
	require.ErrorIs(t, s.RunNow(ctx, "ghost", nil), pipeline.ErrUnknownTask)
	require.NoError(t, s.RunNow(ctx, "manual", json.RawMessage(`{"x":1}`)))
	require.ErrorIs(t, s.RunNow(ctx, "manual", nil), schedule.ErrAtLimit)
	require.Zero(t, s.Dropped("manual"), "a refused manual run is an error, not a drop")
	close(release)
	s.Wait()
	require.Equal(t, []string{`{"x":1}`}, confs)
	require.Equal(t, 1, log.count("after"), "completion fired once; the manual run was not offered to the super trigger")
}
