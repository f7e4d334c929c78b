// Package driver defines the interface that status backends implement and
// the records they store.
//
// Application code should use package status: [status.Store] validates
// input, fills in IDs and times, and wraps every driver error exactly once.
// This package is for backend authors (sqlstatus, memstatus, the statushttp
// client); its interface may change without a major version.
//
// Every driver must pass statustest.RunConformanceTests.
package driver

import (
	"context"
	"errors"
	"time"
)

// Driver stores traces, events and jobs. Methods are safe for concurrent use.
// All times passed in are UTC; drivers keep at least microsecond precision.
type Driver interface {
	// CreateTrace stores a new trace whose first event is ev. It fails with
	// kind Exists when a trace with ev.TraceID exists.
	CreateTrace(ctx context.Context, ev Event) (Event, error)
	// AppendEvent adds ev to the existing trace ev.TraceID. It fails with
	// kind NotFound when the trace does not exist and Exists when
	// ev.TraceEventID is taken. It returns the stored event.
	AppendEvent(ctx context.Context, ev Event) (Event, error)
	// Events returns the events of a trace, oldest StartTime first (ties in
	// the order they were stored). An unknown trace gives an empty slice.
	Events(ctx context.Context, traceID string) ([]Event, error)
	// TraceIDsByPath returns the trace ID of up to limit events whose
	// S3Path equals path (one entry per matching event).
	TraceIDsByPath(ctx context.Context, path string, limit int) ([]string, error)

	// CreateJob stores a new job; kind Exists when the ID is taken.
	CreateJob(ctx context.Context, j Job) (Job, error)
	// GetJob returns one job; kind NotFound when absent.
	GetJob(ctx context.Context, id string) (Job, error)
	// TransitionJob moves a job to req.To when [CheckTransition] allows it,
	// merges req.Info into its info and sets Updated to req.Now. Entering
	// RUNNING also sets Heartbeat. It returns a *TransitionError for an
	// illegal move and kind Conflict when req.IfHeartbeatBefore is set and
	// the job's heartbeat is not older.
	TransitionJob(ctx context.Context, req TransitionRequest) (Job, error)
	// HeartbeatJob sets the heartbeat of a RUNNING job to at; kind
	// NotRunning when the job is in another state, NotFound when absent.
	HeartbeatJob(ctx context.Context, id string, at time.Time) error
	// ListJobs returns the jobs matching q, newest Created first.
	ListJobs(ctx context.Context, q JobQuery) ([]Job, error)

	// ErrorKind classifies an error returned by this driver.
	ErrorKind(err error) ErrorKind
	// Close releases the backend's resources.
	Close() error
}

// TraceSummarizer is an optional interface for drivers that can gather a
// trace's summary inputs without reading every event.
type TraceSummarizer interface {
	// SummaryEvents returns the trace's first FINISHED event (oldest first)
	// or, when there is none, its last event; found is false when the trace
	// has no events. errs holds the Errors of every event that has any, in
	// event order.
	SummaryEvents(ctx context.Context, traceID string) (latest Event, errs [][]ErrorEntry, found bool, err error)
}

// Reaper is an optional interface for drivers that reap jobs themselves
// (the HTTP client asks its server to). Without it, status.Store.Reap lists
// expired jobs and fails them one by one with TransitionJob.
type Reaper interface {
	// ReapJobs marks RUNNING jobs whose heartbeat is older than olderThan
	// FAILED and returns them.
	ReapJobs(ctx context.Context, olderThan time.Duration) ([]Job, error)
}

// TxDriver is an optional interface for drivers whose writes can join a
// transaction the caller opened (status.Store's …Tx methods). tx is the
// backend's own transaction type (for sqlstatus, an sqlx.ExtContext such
// as *sqlx.Tx). The methods behave as their non-Tx twins.
type TxDriver interface {
	CreateTraceTx(ctx context.Context, tx any, ev Event) (Event, error)
	AppendEventTx(ctx context.Context, tx any, ev Event) (Event, error)
	CreateJobTx(ctx context.Context, tx any, j Job) (Job, error)
	TransitionJobTx(ctx context.Context, tx any, req TransitionRequest) (Job, error)
}

// TransitionRequest asks [Driver.TransitionJob] to move one job.
type TransitionRequest struct {
	// ID of the job.
	ID string
	// To is the wanted status.
	To JobStatus
	// Info keys are merged into the job's info (a nil value deletes a key).
	Info map[string]any
	// Now is the time recorded as Updated (and Heartbeat when entering RUNNING).
	Now time.Time
	// IfHeartbeatBefore, when not zero, applies the move only while the
	// job's heartbeat is older than this time (used by reaping).
	IfHeartbeatBefore time.Time
}

// JobQuery selects jobs. Empty fields do not filter.
type JobQuery struct {
	// Dataset and Resource match the job's fields exactly.
	Dataset, Resource string
	// FactoryID matches the run ID.
	FactoryID string
	// Status matches one status.
	Status JobStatus
	// HeartbeatBefore keeps jobs whose heartbeat is older than this time.
	HeartbeatBefore time.Time
	// Limit is the page size (> 0); Offset skips that many jobs.
	Limit, Offset int
}

// TransitionError reports a job status change that the state machine does
// not allow.
type TransitionError struct {
	// JobID is the job that was asked to move.
	JobID string
	// From is the job's status at the time, To the status asked for.
	From, To JobStatus
}

// ErrIllegalTransition is matched by every *TransitionError.
var ErrIllegalTransition = errors.New("illegal job status transition")

// Error implements error.
func (e *TransitionError) Error() string {
	return "job " + e.JobID + ": cannot go from " + string(e.From) + " to " + string(e.To)
}

// Is reports whether target is ErrIllegalTransition.
func (e *TransitionError) Is(target error) bool { return target == ErrIllegalTransition }

// CheckTransition returns nil when a job may move from one status to
// another, and a *TransitionError otherwise. Allowed: WAITING → RUNNING,
// FAILED or CANCELLED; RUNNING → DONE, FAILED or CANCELLED. DONE, FAILED and
// CANCELLED are final.
func CheckTransition(id string, from, to JobStatus) error {
	ok := false
	switch from {
	case JobWaiting:
		ok = to == JobRunning || to == JobFailed || to == JobCancelled
	case JobRunning:
		ok = to == JobDone || to == JobFailed || to == JobCancelled
	}
	if ok {
		return nil
	}
	return &TransitionError{JobID: id, From: from, To: to}
}

// MergeInfo returns a copy of base with the keys of add set (nil values
// delete the key). Neither argument is modified.
func MergeInfo(base, add map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(add))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range add {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}
