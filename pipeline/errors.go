package pipeline

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors.
var (
	// ErrInvalidPipeline is matched by every error from [Builder.Build]:
	// cycles, unknown dependencies, duplicate or invalid names.
	ErrInvalidPipeline = errors.New("invalid pipeline")
	// ErrInvalidConf is matched when a run's conf fails the pipeline's
	// JSON Schema.
	ErrInvalidConf = errors.New("invalid run conf")
	// ErrInvalidParams is matched when a task's params fail its type's
	// JSON Schema (see [ParamsError]).
	ErrInvalidParams = errors.New("invalid task params")
	// ErrRunFailed is matched by the error [Run] returns when a task failed.
	ErrRunFailed = errors.New("pipeline run failed")
	// ErrUnknownTaskType is matched when a spec names an unregistered type.
	ErrUnknownTaskType = errors.New("unknown task type")
	// ErrUnknownTask is matched when a task name is not in the pipeline.
	ErrUnknownTask = errors.New("unknown task")
	// ErrQueueClosed is returned by [Queue.Claim] once the queue is closed
	// and drained.
	ErrQueueClosed = errors.New("queue closed")
	// ErrQueueSplit is matched by the queue errors of tasks that cannot
	// reach their run's queues: tasks run one by one by [RunTask], and
	// attempts run by [RunAttempt] without a [QueueBroker]. Executors
	// that hold a run's queues (in-process, temporalexec) never give it.
	ErrQueueSplit = errors.New("queue split across processes")
	// ErrNoOutput is matched when an upstream output does not exist.
	ErrNoOutput = errors.New("no such output")
	// ErrClosed is returned when a stopped scheduler is used.
	ErrClosed = errors.New("closed")
)

// permanentError marks an error that must not be retried.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err so that the task is not retried, whatever its retry
// policy says. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err was wrapped by [Permanent].
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// retryAfterError asks the runner to run the task again after a delay,
// without counting an attempt.
type retryAfterError struct{ d time.Duration }

func (e *retryAfterError) Error() string { return fmt.Sprintf("retry after %s", e.d) }

// RetryAfter returns an error that makes the runner run the task again
// after d without counting the attempt against the retry policy (like
// River's JobSnooze). Use it while waiting for something outside the task.
func RetryAfter(d time.Duration) error { return &retryAfterError{d: d} }

// TaskError is the error of a task that ended FAILED.
type TaskError struct {
	Task     string // task name
	Instance int    // fan-out instance
	Attempt  int    // the last attempt (1-based)
	Err      error  // what the task returned
}

// Error returns "task <name>[<instance>] attempt <n>: <error>".
func (e *TaskError) Error() string {
	return fmt.Sprintf("task %s[%d] attempt %d: %v", e.Task, e.Instance, e.Attempt, e.Err)
}

// Unwrap returns the task's error.
func (e *TaskError) Unwrap() error { return e.Err }

// ParamsError reports task params that fail their type's JSON Schema.
type ParamsError struct {
	Task  string // task name in the spec
	Type  string // registered task type
	Field string // JSON pointer of the offending field ("/url"), "" for the root
	Err   error  // the schema validation error
}

// Error names the task, its type, the field and the reason.
func (e *ParamsError) Error() string {
	f := e.Field
	if f == "" {
		f = "(root)"
	}
	return fmt.Sprintf("task %s (type %s): params field %s: %s", e.Task, e.Type, f, errorReason(e.Err))
}

// Unwrap returns the validation error.
func (e *ParamsError) Unwrap() error { return e.Err }

// Is makes ParamsError match ErrInvalidParams.
func (e *ParamsError) Is(target error) bool { return target == ErrInvalidParams }
