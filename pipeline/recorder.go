package pipeline

import (
	"context"
	"time"
)

// recorder reports a run's progress (to the status store). Its methods
// never fail the run: a recorder logs and counts its own write errors.
type recorder interface {
	runStarted(ctx context.Context, r *runState, start time.Time)
	attemptStarted(ctx context.Context, tc *TaskContext, start time.Time)
	attemptFinished(ctx context.Context, tc *TaskContext, start, end time.Time, err error, state State)
	taskEnded(r *runState, n *node, s State)
	runFinished(ctx context.Context, r *runState, sum *Summary)
}

// nopRecorder records nothing (status off).
type nopRecorder struct{}

func (nopRecorder) runStarted(context.Context, *runState, time.Time)        {}
func (nopRecorder) attemptStarted(context.Context, *TaskContext, time.Time) {}
func (nopRecorder) taskEnded(*runState, *node, State)                       {}
func (nopRecorder) runFinished(context.Context, *runState, *Summary)        {}
func (nopRecorder) attemptFinished(context.Context, *TaskContext, time.Time, time.Time, error, State) {
}
