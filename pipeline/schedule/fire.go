package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/datafactory/datafactory/pipeline"
)

// firing is one firing of a trigger, as handed to the runs it starts.
type firing struct {
	logical  time.Time
	interval pipeline.Interval // a cron firing's interval
	runID    string
	conf     json.RawMessage
	files    []pipeline.File
	chain    []string                                        // super triggers already fired in this chain
	retry    int                                             // retries of a failed run before this one
	onStart  func(ctx context.Context, runID string)         // called before the run starts
	onEnd    func(ctx context.Context, state pipeline.State) // called after the run ended
}

// fire starts a run of each target (dropping those at their limit) and
// offers the firing to super triggers.
func (s *Scheduler) fire(ctx context.Context, tr *trigger, f firing) error {
	if !s.isActive(ctx, kindTrigger, tr.id) {
		return nil
	}
	for _, name := range tr.targets {
		if s.isActive(ctx, kindPipeline, name) && s.reserve(name, true) {
			s.start(ctx, name, tr.id, f)
		}
	}
	return s.offerSuper(ctx, tr.id, f.chain)
}

// reserve takes a run slot of the pipeline. When the pipeline is at its
// limit it returns false and, if countDrop, counts a dropped firing.
func (s *Scheduler) reserve(name string, countDrop bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.pipelines[name]
	if s.stopped || sp == nil {
		return false
	}
	if sp.active >= sp.max {
		if countDrop {
			sp.dropped++
		}
		return false
	}
	sp.active++
	s.runs.Add(1)
	return true
}

// start runs the pipeline in a reserved slot, in a goroutine unless the
// scheduler is synchronous.
func (s *Scheduler) start(ctx context.Context, name, triggerID string, f firing) {
	run := func() {
		defer s.runs.Done()
		s.runOne(context.WithoutCancel(ctx), name, triggerID, f)
	}
	if s.o.Synchronous {
		run()
		return
	}
	go run()
}

func (s *Scheduler) runOne(ctx context.Context, name, triggerID string, f firing) {
	s.mu.Lock()
	sp := s.pipelines[name]
	s.mu.Unlock()
	var opts pipeline.RunOptions
	if s.o.RunOptions != nil {
		if o := s.o.RunOptions(name); o != nil {
			opts = *o
		}
	}
	if opts.Clock == nil {
		opts.Clock = s.o.Clock
	}
	if opts.Logger == nil {
		opts.Logger = s.o.Logger
	}
	opts.LogicalDate = f.logical
	if opts.LogicalDate.IsZero() {
		opts.LogicalDate = s.o.Clock.Now()
	}
	opts.DataInterval = f.interval
	opts.RunID = f.runID
	if opts.RunID == "" {
		opts.RunID = pipeline.NewRunID(name, s.o.Clock.Now())
	}
	opts.Files = f.files
	if f.onStart != nil {
		f.onStart(ctx, opts.RunID)
	}
	conf := f.conf
	if len(conf) == 0 {
		conf = sp.conf
	}
	runCtx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.runCancel[opts.RunID] = cancel
	s.mu.Unlock()
	sum, err := pipeline.Run(runCtx, sp.p, conf, &opts)
	cancel()
	state := pipeline.StateFailed
	if sum != nil {
		state = sum.State
	}
	if err != nil {
		s.o.Logger.WarnContext(ctx, "scheduled run did not succeed", slog.String(pipeline.LogKeyPipeline, name),
			slog.String(pipeline.LogKeyRunID, opts.RunID), slog.String(pipeline.LogKeyTrigger, triggerID), slog.Any("error", err))
	}
	s.mu.Lock()
	sp.active--
	delete(s.runCancel, opts.RunID)
	s.mu.Unlock()
	if f.onEnd != nil {
		f.onEnd(ctx, state)
	}
	if state == pipeline.StateFailed {
		s.failed(ctx, name, opts.RunID, sum, f, conf)
	}
	if state == pipeline.StateSuccess {
		if err := s.completed(ctx, name); err != nil {
			s.o.Logger.WarnContext(ctx, "completion triggers", slog.String(pipeline.LogKeyPipeline, name), slog.Any("error", err))
		}
	}
	s.poke()
}

// failed applies a pipeline's failure rules after a FAILED run: a retry
// while retries are left, else deactivation when the run failed under
// [pipeline.Deactivate].
func (s *Scheduler) failed(ctx context.Context, name, runID string, sum *pipeline.Summary, f firing, conf json.RawMessage) {
	s.mu.Lock()
	retries, policy := s.pipelines[name].retries, s.pipelines[name].policy
	s.mu.Unlock()
	if f.retry < retries {
		if s.isActive(ctx, kindPipeline, name) && s.reserve(name, true) {
			s.start(ctx, name, "retry", firing{logical: f.logical, interval: f.interval, conf: conf, retry: f.retry + 1})
		}
		return
	}
	task, by := "", "task"
	if sum != nil {
		for _, t := range sum.Tasks {
			if t.State == pipeline.StateFailed {
				task = t.Name
				break
			}
		}
		if sum.FailurePolicy != "" {
			policy, by = sum.FailurePolicy, "task"
		} else {
			by = "pipeline"
		}
	}
	if policy != pipeline.Deactivate {
		return
	}
	reason := fmt.Sprintf("run %s failed: task %s failed with on_failure DEACTIVATE", runID, task)
	if by == "pipeline" {
		reason = fmt.Sprintf("run %s failed (task %s) under the pipeline's on_failure DEACTIVATE", runID, task)
	}
	if retries > 0 {
		reason += fmt.Sprintf(" (after %d retries)", retries)
	}
	if err := s.SetPipelineState(ctx, name, Inactive, reason); err != nil {
		s.o.Logger.WarnContext(ctx, "deactivate pipeline", slog.String(pipeline.LogKeyPipeline, name), slog.Any("error", err))
	}
}

// completed fires the completion triggers watching pipeline.
func (s *Scheduler) completed(ctx context.Context, name string) error {
	var errs []error
	for _, tr := range s.sortedTriggers("completion") {
		if tr.t.(CompletionTrigger).Pipeline == name {
			errs = append(errs, s.fire(ctx, tr, firing{}))
		}
	}
	return errors.Join(errs...)
}

// superState is the persisted progress of an ALL super trigger: when each
// listed trigger last fired since the super trigger's last firing.
type superState struct {
	Fired map[string]time.Time `json:"fired"`
}

// offerSuper offers the firing of trigger id to the super triggers that
// list it. chain holds the super triggers already fired in this chain, so a
// loop of super triggers fires each at most once.
func (s *Scheduler) offerSuper(ctx context.Context, id string, chain []string) error {
	var errs []error
	for _, st := range s.sortedTriggers("super") {
		sup := st.t.(SuperTrigger)
		if !slices.Contains(sup.Triggers, id) || slices.Contains(chain, st.id) || !s.isActive(ctx, kindTrigger, st.id) {
			continue
		}
		fire := sup.Mode == Any
		if !fire {
			var err error
			fire, err = s.recordSuper(ctx, st, sup, id)
			if err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if fire {
			next := append(slices.Clone(chain), st.id)
			errs = append(errs, s.fire(ctx, st, firing{chain: next}))
		}
	}
	return errors.Join(errs...)
}

// recordSuper records that id fired for an ALL super trigger and reports
// whether every listed trigger has now fired (then the state resets).
func (s *Scheduler) recordSuper(ctx context.Context, st *trigger, sup SuperTrigger, id string) (bool, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	key := "super/" + st.id
	var state superState
	if _, err := getJSON(ctx, s.o.State, key, &state); err != nil {
		return false, err
	}
	if state.Fired == nil {
		state.Fired = map[string]time.Time{}
	}
	state.Fired[id] = s.o.Clock.Now().UTC()
	all := true
	for _, t := range sup.Triggers {
		if _, ok := state.Fired[t]; !ok {
			all = false
		}
	}
	if all {
		state.Fired = map[string]time.Time{}
	}
	if err := putJSON(ctx, s.o.State, key, state); err != nil {
		return false, err
	}
	return all, nil
}

// poke wakes the loop early (a run ended, so a waiting cron interval or
// files batch may start now).
func (s *Scheduler) poke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wake != nil {
		s.wake()
	}
}

// Wait blocks until every run the scheduler started has ended.
func (s *Scheduler) Wait() { s.runs.Wait() }

// Start runs the scheduler loop until Stop or until ctx is done: it returns
// reserved files whose runs died with a previous process to UNCONSUMED,
// then ticks whenever a cron interval is due, a run ends, or PollInterval
// passed.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return pipeline.ErrClosed
	}
	if s.loopDone != nil {
		s.mu.Unlock()
		return errors.New("scheduler already started")
	}
	lctx, cancel := context.WithCancel(ctx)
	s.loopStop, s.loopDone = cancel, make(chan struct{})
	s.mu.Unlock()
	if err := s.Recover(ctx); err != nil {
		cancel()
		close(s.loopDone)
		return err
	}
	if err := s.putAllCron(ctx); err != nil {
		cancel()
		close(s.loopDone)
		return err
	}
	go s.loop(lctx)
	return nil
}

func (s *Scheduler) loop(ctx context.Context) {
	defer close(s.loopDone)
	for ctx.Err() == nil {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.o.Logger.WarnContext(ctx, "scheduler tick", slog.Any("error", err))
		}
		wait := s.untilDue(ctx)
		sctx, cancel := context.WithCancel(ctx)
		s.mu.Lock()
		s.wake = cancel
		s.mu.Unlock()
		_ = s.o.Clock.Sleep(sctx, wait)
		cancel()
	}
}

// untilDue returns how long until the next cron interval ends, at most
// PollInterval.
func (s *Scheduler) untilDue(ctx context.Context) time.Duration {
	wait := s.o.PollInterval
	now := s.o.Clock.Now()
	for _, tr := range s.cronToTick() {
		cur, err := s.cronCursor(ctx, tr)
		if err != nil {
			continue
		}
		next := tr.sched.Next(cur)
		if next.IsZero() {
			continue // no activation left
		}
		if d := next.Sub(now); d < wait {
			wait = max(d, 0)
		}
	}
	return wait
}

// Stop ends the loop, cancels the runs in progress and waits for them.
// Calling it again does nothing.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	for _, c := range s.runCancel {
		c()
	}
	stop, done := s.loopStop, s.loopDone
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	s.runs.Wait()
}
