package schedule

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/datafactory/datafactory/pipeline"
)

// Options configure a [Scheduler]. nil means defaults.
type Options struct {
	// Clock tells time; the loop sleeps with it. Default [pipeline.SystemClock].
	Clock pipeline.Clock
	// State persists trigger state. Default a new [MemoryStateStore]
	// (nothing survives a restart).
	State StateStore
	// Logger receives scheduler logs. Default discards.
	Logger *slog.Logger
	// PollInterval is the longest the loop sleeps between ticks (file
	// sources are polled every tick). Default 10s.
	PollInterval time.Duration
	// Synchronous runs every triggered run to its end inside the call that
	// triggered it (Tick, FireEvent, …) instead of in a goroutine. For
	// tests. Default false.
	Synchronous bool
	// RunOptions returns the options for a run the scheduler starts; the
	// scheduler then sets RunID, LogicalDate, DataInterval and Files.
	// Default: nil options with the scheduler's Clock and Logger.
	RunOptions func(name string) *pipeline.RunOptions
	// Cron, when set, fires the cron triggers instead of this scheduler
	// (see [CronSchedules]): the scheduler puts them there when it starts
	// and on every change, and ticks none itself. Runs it starts that way
	// are not seen by this scheduler: they fire no completion or super
	// trigger and are not retried on failure. Default nil: the scheduler
	// ticks cron triggers itself.
	Cron CronSchedules
}

// PipelineOptions configure a pipeline added to a scheduler. nil means
// defaults.
type PipelineOptions struct {
	// MaxActiveRuns caps the pipeline's runs in progress. A firing over the
	// limit is dropped (as in dart): event, completion, super and files
	// firings are lost (a files batch is simply not reserved, so its files
	// stay UNCONSUMED for a later tick), and counted in [Scheduler.Dropped].
	// Cron intervals are never lost: the cursor stays on the interval, which
	// starts on a later tick once a run ended. Default 1.
	MaxActiveRuns int
	// Conf is the conf of triggered runs. Default null.
	Conf json.RawMessage
	// Inactive adds the pipeline INACTIVE (dart's default for a new
	// workflow): it starts no run until [Scheduler.SetPipelineState]
	// activates it. A state set since, persisted in the [StateStore], wins.
	// Default false: ACTIVE.
	Inactive bool
	// RetriesOnFailure is how many times a FAILED run is retried, each
	// retry a new run (trigger "retry") with the same conf, as dart's
	// retries_on_failure. Once they are used up, a run whose failure was
	// under [pipeline.Deactivate] makes the pipeline INACTIVE. Default 0.
	RetriesOnFailure int
	// OnFailure is the pipeline's policy (dart's workflow on_failure) for a
	// FAILED run none of whose tasks set an OnFailure: [pipeline.Deactivate]
	// makes the pipeline INACTIVE once the retries are used up (dart's
	// datastore and workflow are both the pipeline here); [pipeline.Halt]
	// and [pipeline.Continue] leave it ACTIVE. Default Halt.
	OnFailure pipeline.FailurePolicy
}

// MaxConcurrency is the highest MaxActiveRuns, as dart's concurrency.
const MaxConcurrency = 10

type scheduled struct {
	p        *pipeline.Pipeline
	max      int
	conf     json.RawMessage
	inactive bool // the default activation
	retries  int
	policy   pipeline.FailurePolicy
	active   int
	dropped  int
}

type trigger struct {
	mu      sync.Mutex // serialises this trigger's state changes
	id      string
	t       Trigger
	targets []string
	sched   Schedule
	spec    *TriggerSpec // set for a trigger put as a spec (PutTrigger)
	// declaredBy is the pipeline whose spec file declares the trigger
	// (AddSpecTriggers); inactive is then its default activation.
	declaredBy string
	inactive   bool
}

// Scheduler starts pipeline runs from triggers. Add pipelines and triggers,
// then either call Start (a loop that ticks until Stop) or drive it with
// Tick, FireEvent and RunCompleted. It is safe for concurrent use.
type Scheduler struct {
	o         Options
	mu        sync.Mutex
	pipelines map[string]*scheduled
	triggers  map[string]*trigger
	specMu    sync.Mutex // serialises PutTrigger and DeleteTrigger
	stopped   bool
	runs      sync.WaitGroup
	runCancel map[string]context.CancelFunc
	wake      context.CancelFunc
	loopDone  chan struct{}
	loopStop  context.CancelFunc
}

// New returns a scheduler with no pipelines.
func New(opts *Options) *Scheduler {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Clock == nil {
		o.Clock = pipeline.SystemClock{}
	}
	if o.State == nil {
		o.State = NewMemoryStateStore()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 10 * time.Second
	}
	return &Scheduler{o: o, pipelines: map[string]*scheduled{}, triggers: map[string]*trigger{},
		runCancel: map[string]context.CancelFunc{}}
}

// AddPipeline makes a pipeline available to triggers.
func (s *Scheduler) AddPipeline(p *pipeline.Pipeline, opts *PipelineOptions) error {
	var o PipelineOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxActiveRuns <= 0 {
		o.MaxActiveRuns = 1
	}
	if o.MaxActiveRuns > MaxConcurrency {
		return fmt.Errorf("schedule %s: MaxActiveRuns %d is over %d", p.Name(), o.MaxActiveRuns, MaxConcurrency)
	}
	switch o.OnFailure {
	case "", pipeline.Halt, pipeline.Continue, pipeline.Deactivate:
	default:
		return fmt.Errorf("schedule %s: unknown OnFailure %q (want HALT, CONTINUE or DEACTIVATE)", p.Name(), o.OnFailure)
	}
	if o.RetriesOnFailure < 0 {
		return fmt.Errorf("schedule %s: RetriesOnFailure %d is negative", p.Name(), o.RetriesOnFailure)
	}
	if len(o.Conf) > 0 {
		if err := p.ValidateConf(o.Conf); err != nil {
			return fmt.Errorf("schedule %s: %w", p.Name(), err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.pipelines[p.Name()]; dup {
		return fmt.Errorf("schedule %s: pipeline already added", p.Name())
	}
	s.pipelines[p.Name()] = &scheduled{p: p, max: o.MaxActiveRuns, conf: slices.Clone(o.Conf),
		inactive: o.Inactive, retries: o.RetriesOnFailure, policy: o.OnFailure}
	return nil
}

// AddTrigger adds a trigger under a unique id. When it fires it starts a
// run of each target pipeline (a super trigger may have no targets and
// only feed other super triggers).
func (s *Scheduler) AddTrigger(id string, t Trigger, targets ...string) error {
	if err := pipeline.ValidateName(id); err != nil {
		return fmt.Errorf("add trigger: %w", err)
	}
	tr := &trigger{id: id, t: t, targets: slices.Clone(targets)}
	if err := checkTrigger(tr); err != nil {
		return fmt.Errorf("add trigger %s: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range targets {
		if _, ok := s.pipelines[p]; !ok {
			return fmt.Errorf("add trigger %s: %w: pipeline %s not added", id, pipeline.ErrUnknownTask, p)
		}
	}
	if _, dup := s.triggers[id]; dup {
		return fmt.Errorf("add trigger %s: id already used", id)
	}
	s.triggers[id] = tr
	return nil
}

func checkTrigger(tr *trigger) error {
	switch t := tr.t.(type) {
	case CronTrigger:
		tr.sched = t.Schedule
		if tr.sched == nil {
			sc, err := ParseSchedule(t.Cron)
			if err != nil {
				return err
			}
			tr.sched = sc
		}
		if t.Start.IsZero() {
			return errors.New("cron trigger needs a Start")
		}
		if len(tr.targets) != 1 {
			return errors.New("cron trigger must target exactly one pipeline")
		}
	case CompletionTrigger:
		if t.Pipeline == "" {
			return errors.New("completion trigger needs a Pipeline")
		}
	case SuperTrigger:
		if len(t.Triggers) == 0 {
			return errors.New("super trigger needs at least one trigger id")
		}
		if t.Mode != "" && t.Mode != All && t.Mode != Any {
			return fmt.Errorf("super trigger: unknown mode %q", t.Mode)
		}
	case EventTrigger:
		if t.Event == "" {
			return errors.New("event trigger needs an Event")
		}
	case FilesTrigger:
		if t.Source == nil || t.Threshold < 1 {
			return errors.New("files trigger needs a Source and a Threshold ≥ 1")
		}
		if len(tr.targets) != 1 {
			return errors.New("files trigger must target exactly one pipeline")
		}
	default:
		return fmt.Errorf("unknown trigger type %T", tr.t)
	}
	return nil
}

// sortedTriggers returns the triggers of kind k (all when ""), by id.
func (s *Scheduler) sortedTriggers(k string) []*trigger {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*trigger
	for _, t := range s.triggers {
		if k == "" || t.t.kind() == k {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// cronToTick returns the cron triggers this scheduler ticks itself: none
// when [Options].Cron fires them.
func (s *Scheduler) cronToTick() []*trigger {
	if s.o.Cron != nil {
		return nil
	}
	return s.sortedTriggers("cron")
}

// Dropped returns how many firings for the pipeline were dropped because it
// was at MaxActiveRuns.
func (s *Scheduler) Dropped(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sp, ok := s.pipelines[name]; ok {
		return sp.dropped
	}
	return 0
}

// Active returns the pipeline's runs in progress.
func (s *Scheduler) Active(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sp, ok := s.pipelines[name]; ok {
		return sp.active
	}
	return 0
}

// Tick evaluates the time- and file-based triggers now: it starts every
// due cron interval (all missed ones with Catchup) and one batch per files
// trigger that reached its threshold.
func (s *Scheduler) Tick(ctx context.Context) error {
	if s.isStopped() {
		return pipeline.ErrClosed
	}
	var errs []error
	for _, tr := range s.cronToTick() {
		if err := s.tickCron(ctx, tr); err != nil {
			errs = append(errs, err)
		}
	}
	for _, tr := range s.sortedTriggers("files") {
		if err := s.tickFiles(ctx, tr); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// FireEvent fires every event trigger listening to name. An event nobody
// listens to does nothing. conf, when not empty, replaces the pipelines'
// default conf for the runs it starts.
func (s *Scheduler) FireEvent(ctx context.Context, name string, conf json.RawMessage) error {
	if s.isStopped() {
		return pipeline.ErrClosed
	}
	if !s.isActive(ctx, kindEvent, name) {
		return nil
	}
	var errs []error
	for _, tr := range s.sortedTriggers("event") {
		if tr.t.(EventTrigger).Event == name {
			errs = append(errs, s.fire(ctx, tr, firing{conf: conf}))
		}
	}
	return errors.Join(errs...)
}

// RunCompleted tells the scheduler that a run of pipeline ended in state,
// for runs it did not start itself (another process, an orchestrator). A
// SUCCESS fires the completion triggers watching the pipeline.
func (s *Scheduler) RunCompleted(ctx context.Context, name string, state pipeline.State) error {
	if s.isStopped() {
		return pipeline.ErrClosed
	}
	if state != pipeline.StateSuccess {
		return nil
	}
	var errs []error
	for _, tr := range s.sortedTriggers("completion") {
		if tr.t.(CompletionTrigger).Pipeline == name {
			errs = append(errs, s.fire(ctx, tr, firing{}))
		}
	}
	return errors.Join(errs...)
}

func (s *Scheduler) isStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// ErrAtLimit is returned by [Scheduler.RunNow] when the pipeline is at its
// MaxActiveRuns.
var ErrAtLimit = errors.New("pipeline at its active-run limit")

// RunNow starts a manual run of pipeline (dart's manual trigger) with conf
// (empty: the pipeline's default conf). It is refused with [ErrInactive]
// (and the reason it was deactivated) when the pipeline is INACTIVE, and
// with [ErrAtLimit] when it is at MaxActiveRuns. Manual runs are not
// offered to super triggers; a successful one fires completion triggers
// like any run, and a failed one is retried per RetriesOnFailure.
func (s *Scheduler) RunNow(ctx context.Context, name string, conf json.RawMessage) error {
	if s.isStopped() {
		return pipeline.ErrClosed
	}
	s.mu.Lock()
	sp, ok := s.pipelines[name]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("run %s: %w: pipeline not added", name, pipeline.ErrUnknownTask)
	}
	if len(conf) > 0 {
		if err := sp.p.ValidateConf(conf); err != nil {
			return err
		}
	}
	st, err := s.PipelineState(ctx, name)
	if err != nil {
		return err
	}
	if st.State != Active {
		return fmt.Errorf("run %s: %w: %s", name, ErrInactive, cmp.Or(st.Reason, "deactivated"))
	}
	if !s.reserve(name, false) {
		return fmt.Errorf("run %s: %w", name, ErrAtLimit)
	}
	s.start(ctx, name, "manual", firing{conf: conf})
	return nil
}

// TriggerInfo describes an added trigger, for APIs.
type TriggerInfo struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Targets []string `json:"targets"`
	// Spec is the spec of a trigger put with [Scheduler.PutTrigger]; nil
	// for the operator's triggers.
	Spec *TriggerSpec `json:"spec,omitempty"`
	// DeclaredBy is the pipeline whose spec file declares the trigger
	// ([Scheduler.AddSpecTriggers]); empty for the others.
	DeclaredBy string `json:"declared_by,omitempty"`
}

// Triggers describes the added triggers, by id.
func (s *Scheduler) Triggers() []TriggerInfo {
	var out []TriggerInfo
	for _, t := range s.sortedTriggers("") {
		info := TriggerInfo{ID: t.id, Kind: t.t.kind(), Targets: slices.Clone(t.targets), DeclaredBy: t.declaredBy}
		if t.spec != nil {
			sp := *t.spec
			info.Spec = &sp
		}
		out = append(out, info)
	}
	return out
}

// Pipelines returns the names of the added pipelines, sorted.
func (s *Scheduler) Pipelines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.pipelines))
	for n := range s.pipelines {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
