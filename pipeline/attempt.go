package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// ErrTimeout is matched by the error of an attempt that ran over its
// task's Timeout.
var ErrTimeout = errors.New("task timed out")

// runUnit runs one task instance through its attempts and retries.
func (r *runState) runUnit(ctx context.Context, n *node, inst int) unitResult {
	res := unitResult{task: n.idx, inst: inst}
	from := StatePending
	attempt := 0
	for {
		attempt++
		a := r.runAttempt(ctx, n, inst, attempt, from)
		if res.start.IsZero() {
			res.start = a.Start
		}
		res.end = a.End
		if !a.RetryAfter {
			res.attempts++
		}
		if a.State != StateUpForRetry {
			r.transition(n, inst, StateRunning, a.State, attempt)
			res.state = a.State
			if a.State == StateFailed {
				res.err = &TaskError{Task: n.name, Instance: inst, Attempt: attempt, Err: a.Err}
			}
			return res
		}
		if a.RetryAfter {
			attempt-- // not counted
		}
		r.transition(n, inst, StateRunning, StateUpForRetry, attempt)
		from = StateUpForRetry
		if err := r.clock.Sleep(ctx, a.Delay); err != nil {
			r.transition(n, inst, StateUpForRetry, StateCancelled, attempt)
			res.state = StateCancelled
			return res
		}
	}
}

// AttemptResult is how one attempt of a task instance ended.
type AttemptResult struct {
	// State is SUCCESS, UP_FOR_RETRY (Delay says when), FAILED or
	// CANCELLED.
	State      State
	Start, End time.Time
	// Err is the task's error (nil on success).
	Err error
	// RetryAfter is true when the task returned [RetryAfter]: it runs
	// again after Delay and the attempt does not count.
	RetryAfter bool
	// Delay is the wait before the next attempt when State is UP_FOR_RETRY.
	Delay time.Duration
}

// runAttempt runs attempt (1-based) of instance inst, records it and
// decides, with the task's retry policy, what comes next.
func (r *runState) runAttempt(ctx context.Context, n *node, inst, attempt int, from State) AttemptResult {
	r.transition(n, inst, from, StateRunning, attempt)
	res := AttemptResult{Start: r.clock.Now()}
	tc := &TaskContext{run: r, node: n, instance: inst, attempt: attempt}
	tc.queues = &attemptQueues{broker: r.brokerFor(QueueOwner{Task: n.name, Instance: inst, Attempt: attempt})}
	r.rec.attemptStarted(ctx, tc, res.Start)
	err := r.attempt(ctx, n, tc)
	if qerr := tc.queues.end(ctx, err == nil); qerr != nil && err == nil {
		err = qerr // its claims are not acknowledged: it did not succeed
	}
	res.End, res.Err = r.clock.Now(), err
	var ra *retryAfterError
	res.RetryAfter = errors.As(err, &ra)
	res.State = StateSuccess
	switch {
	case err == nil:
	case ctx.Err() != nil:
		res.State = StateCancelled
	case res.RetryAfter:
		res.State, res.Delay = StateUpForRetry, ra.d
	default:
		res.State = r.retryState(n, attempt, err, &res.Delay)
	}
	r.rec.attemptFinished(ctx, tc, res.Start, res.End, err, res.State)
	r.logAttempt(ctx, n, inst, attempt, res.State, res.End.Sub(res.Start), err)
	return res
}

// brokerFor returns the queue broker of an attempt.
func (r *runState) brokerFor(o QueueOwner) QueueBroker {
	if r.broker != nil {
		return r.broker(o)
	}
	return memBroker{r: r, o: o}
}

// retryState is FAILED or, when the task's retry policy retries after
// attempt failed with err, UP_FOR_RETRY with the wait in *delay.
func (r *runState) retryState(n *node, attempt int, err error, delay *time.Duration) State {
	if IsPermanent(err) {
		return StateFailed
	}
	d, retry := n.retry.NextRetry(attempt, err)
	if !retry {
		return StateFailed
	}
	*delay = d
	return StateUpForRetry
}

// attempt runs the task once, with its timeout, turning a panic into an
// error.
func (r *runState) attempt(ctx context.Context, n *node, tc *TaskContext) (err error) {
	if n.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, n.timeout, ErrTimeout)
		defer cancel()
		defer func() {
			if err != nil && errors.Is(context.Cause(ctx), ErrTimeout) && !errors.Is(err, ErrTimeout) {
				err = fmt.Errorf("%w after %s: %w", ErrTimeout, n.timeout, err)
			}
		}()
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return n.task.Run(ctx, tc)
}

// logAttempt logs an attempt's outcome at debug level (the error is also
// returned in the run's summary).
func (r *runState) logAttempt(ctx context.Context, n *node, inst, attempt int, state State, d time.Duration, err error) {
	if !r.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String(LogKeyTask, n.name), slog.Int(LogKeyInstance, inst), slog.Int(LogKeyAttempt, attempt),
		slog.String("state", string(state)), slog.Duration("duration", d)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	r.logger.LogAttrs(ctx, slog.LevelDebug, "task attempt ended", attrs...)
}
