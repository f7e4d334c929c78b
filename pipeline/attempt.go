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
		r.transition(n, inst, from, StateRunning, attempt)
		start := r.clock.Now()
		if res.start.IsZero() {
			res.start = start
		}
		tc := &TaskContext{run: r, node: n, instance: inst, attempt: attempt}
		r.rec.attemptStarted(ctx, tc, start)
		err := r.attempt(ctx, n, tc)
		res.end = r.clock.Now()
		var ra *retryAfterError
		isRA := errors.As(err, &ra)
		state := StateSuccess
		switch {
		case err == nil:
		case ctx.Err() != nil:
			state = StateCancelled
		case isRA:
			state = StateUpForRetry
		case IsPermanent(err):
			state = StateFailed
		default:
			state = StateFailed
			if _, retry := n.retry.NextRetry(attempt, err); retry {
				state = StateUpForRetry
			}
		}
		r.rec.attemptFinished(ctx, tc, start, res.end, err, state)
		r.logAttempt(ctx, n, inst, attempt, state, res.end.Sub(start), err)
		if !isRA || state != StateUpForRetry {
			res.attempts++
		}
		if state != StateUpForRetry {
			r.transition(n, inst, StateRunning, state, attempt)
			res.state = state
			if state == StateFailed {
				res.err = &TaskError{Task: n.name, Instance: inst, Attempt: attempt, Err: err}
			}
			return res
		}
		delay := time.Duration(0)
		if isRA {
			delay = ra.d
			attempt-- // not counted
		} else {
			delay, _ = n.retry.NextRetry(attempt, err)
		}
		r.transition(n, inst, StateRunning, StateUpForRetry, attempt)
		from = StateUpForRetry
		if err := r.clock.Sleep(ctx, delay); err != nil {
			r.transition(n, inst, StateUpForRetry, StateCancelled, attempt)
			res.state = StateCancelled
			return res
		}
	}
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
