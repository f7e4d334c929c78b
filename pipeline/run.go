package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/datafactory/datafactory/storage"
)

// RunOptions configure one run. nil means defaults.
type RunOptions struct {
	// RunID identifies the run (and is its status trace_id). Default
	// "<pipeline>-<UTC time>-<random>".
	RunID string
	// LogicalDate is the run's logical date. Default Clock.Now().
	LogicalDate time.Time
	// DataInterval is the span of data the run covers; a cron trigger sets
	// its interval (the logical date to the next activation). Default
	// zero: the run has none and tasks fall back to their own rule.
	DataInterval Interval
	// Concurrency caps the task instances running at once. Fan-out
	// instances each take a slot, and an instance waiting to retry keeps
	// its slot. Default 16.
	Concurrency int
	// Clock tells time and sleeps between retries. Default [SystemClock].
	Clock Clock
	// Logger receives run and task logs. Default discards.
	Logger *slog.Logger
	// OnTransition, when set, is called for every state change of a task
	// instance, from several goroutines at once. Default none.
	OnTransition func(Transition)
	// Files are handed to the tasks through [TaskContext.Files] (set by
	// the scheduler for new-files triggers). Default none.
	Files []File
	// Backend stores outputs and records status. Default: outputs in memory,
	// no status. See [NewBackend].
	Backend *Backend
	// Dataset, Resource and User are copied into the run's status job; with
	// a Dataset the events have domain "dataset" and domain_id
	// "<dataset>[/<resource>]" (status-api's rule), else domain "pipeline"
	// and the pipeline's name. Default empty.
	Dataset, Resource, User string
	// Executor runs the run. Default [InProcess].
	Executor Executor
}

// withDefaults returns a filled copy.
func (o *RunOptions) withDefaults(p *Pipeline) RunOptions {
	var r RunOptions
	if o != nil {
		r = *o
	}
	if r.Clock == nil {
		r.Clock = SystemClock{}
	}
	if r.Concurrency <= 0 {
		r.Concurrency = 16
	}
	if r.LogicalDate.IsZero() {
		r.LogicalDate = r.Clock.Now()
	}
	if r.RunID == "" {
		r.RunID = NewRunID(p.name, r.Clock.Now())
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	return r
}

// NewRunID returns a run id for pipeline at now: "<pipeline>-<yyyymmddThhmmssZ>-<8 hex>".
func NewRunID(pipeline string, now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return pipeline + "-" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// runState is what a run's tasks share.
type runState struct {
	p           *Pipeline
	runID       string
	logicalDate time.Time
	interval    Interval
	conf        json.RawMessage
	files       []File
	logger      *slog.Logger
	clock       Clock
	concurrency int
	onTrans     func(Transition)
	outputs     outputStore
	rec         recorder
	dir         *storage.Run // nil without storage
	dataset     string
	resource    string
	user        string
	abort       context.CancelCauseFunc // cancels the run
	done        chan struct{}           // closed when the run ended
	qmu         sync.Mutex
	queues      map[string]*memQueue
	// broker gives an attempt access to the run's queues; nil: memBroker.
	broker func(o QueueOwner) QueueBroker
}

func (r *runState) queue(name string) *memQueue {
	r.qmu.Lock()
	defer r.qmu.Unlock()
	q, ok := r.queues[name]
	if !ok {
		q = newMemQueue(name)
		r.queues[name] = q
	}
	return q
}

func (r *runState) transition(n *node, inst int, from, to State, attempt int) {
	if r.onTrans != nil {
		r.onTrans(Transition{Task: n.name, Instance: inst, From: from, To: to, Attempt: attempt})
	}
}

// Run runs the pipeline once: it validates conf against the pipeline's
// schema, then runs ready tasks in dependency order, at most
// opts.Concurrency instances at once, until every task is terminal.
//
// The error is nil when every task succeeded. It matches [ErrInvalidConf]
// (no task ran, no summary), [ErrRunFailed] with the [*TaskError]s of the
// failed tasks, or the context's error when the run was cancelled. The
// summary is returned whenever the run started.
//
// With opts.Executor set, that executor runs it (see [Executor]).
func Run(ctx context.Context, p *Pipeline, conf json.RawMessage, opts *RunOptions) (*Summary, error) {
	if err := p.ValidateConf(conf); err != nil {
		return nil, err
	}
	if len(conf) == 0 {
		conf = json.RawMessage("null")
	}
	if opts != nil && opts.Executor != nil {
		o := *opts
		o.Executor = nil
		return opts.Executor.Execute(ctx, p, conf, &o)
	}
	return runInProcess(ctx, p, conf, opts)
}

// runInProcess is [InProcess]'s Run.
func runInProcess(ctx context.Context, p *Pipeline, conf json.RawMessage, opts *RunOptions) (*Summary, error) {
	o := opts.withDefaults(p)
	rs, err := newRunState(p, conf, &o, false)
	if err != nil {
		return nil, err
	}
	if rs.dir != nil {
		if err := writeRunRecord(ctx, rs); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rs.abort = cancel
	defer close(rs.done)
	return rs.execute(ctx, nil)
}

func newRunState(p *Pipeline, conf json.RawMessage, o *RunOptions, split bool) (*runState, error) {
	rs := &runState{p: p, runID: o.RunID, logicalDate: o.LogicalDate, interval: o.DataInterval, conf: slices.Clone(conf), files: o.Files,
		clock: o.Clock, concurrency: o.Concurrency, onTrans: o.OnTransition, queues: map[string]*memQueue{},
		dataset: o.Dataset, resource: o.Resource, user: o.User, done: make(chan struct{}),
		abort:  func(error) {},
		logger: o.Logger.With(slog.String(LogKeyPipeline, p.name), slog.String(LogKeyRunID, o.RunID))}
	rs.outputs = newMemOutputs()
	rs.rec = nopRecorder{}
	if o.Backend != nil {
		if err := o.Backend.attach(rs, split); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// execute runs the tasks selected by only (nil = all) and summarises.
func (r *runState) execute(ctx context.Context, only map[int]bool) (*Summary, error) {
	start := r.clock.Now()
	r.rec.runStarted(ctx, r, start)
	ex := newExecutor(r, only)
	ex.loop(ctx)
	end := r.clock.Now()
	tasks := make([]TaskSummary, 0, len(r.p.nodes))
	for i, n := range r.p.nodes {
		if only == nil || only[i] {
			tasks = append(tasks, ex.tasks[i].summary(n))
		}
	}
	sum, err := summarize(r, tasks, start, end, context.Cause(ctx))
	r.rec.runFinished(context.WithoutCancel(ctx), r, sum)
	return sum, err
}
