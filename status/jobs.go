package status

import (
	"context"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/status/driver"
)

// Job list page sizes.
const (
	// DefaultJobLimit is the page size when JobQuery.Limit is 0.
	DefaultJobLimit = 50
	// MaxJobLimit is the largest page size.
	MaxJobLimit = 1000
)

// JobQuery selects jobs for [Store.ListJobs]. Empty fields do not filter.
type JobQuery struct {
	// Dataset and Resource match exactly.
	Dataset, Resource string
	// FactoryID matches the run ID.
	FactoryID string
	// Status matches one status.
	Status JobStatus
	// Limit is the page size. Default DefaultJobLimit, at most MaxJobLimit.
	Limit int
	// Offset skips that many jobs (newest first). Default 0.
	Offset int
}

// CreateJob stores a new job and returns it. Defaults: ID a UUID, Status
// WAITING (RUNNING is also allowed, and sets Heartbeat). Created and
// Updated are set to now. Type is required. A taken ID gives ErrExists.
func (s *Store) CreateJob(ctx context.Context, j Job) (Job, error) {
	return s.createJob(ctx, nil, j)
}

// CreateJobTx is CreateJob inside the caller's transaction (see [Tx]).
func (s *Store) CreateJobTx(ctx context.Context, tx Tx, j Job) (Job, error) {
	return s.createJob(ctx, orNoTx(tx), j)
}

func (s *Store) createJob(ctx context.Context, tx Tx, j Job) (Job, error) {
	const op = "create job"
	if err := s.check(op, j.ID); err != nil {
		return Job{}, err
	}
	if j.ID == "" {
		j.ID = NewID()
	}
	if j.Status == "" {
		j.Status = JobWaiting
	}
	now := s.Now()
	j.Created, j.Updated, j.Heartbeat = now, now, time.Time{}
	if j.Status == JobRunning {
		j.Heartbeat = now
	}
	if err := validateJob(&j); err != nil {
		return Job{}, invalid(op, j.ID, err)
	}
	out, err := dispatch(ctx, s, tx, j, s.drv.CreateJob, driver.TxDriver.CreateJobTx)
	return out, s.wrap(op, j.ID, err)
}

// Job returns one job; ErrNotFound when there is none with that ID.
func (s *Store) Job(ctx context.Context, id string) (Job, error) {
	const op = "get job"
	if err := s.check(op, id); err != nil {
		return Job{}, err
	}
	j, err := s.drv.GetJob(ctx, id)
	return j, s.wrap(op, id, err)
}

// Transition moves a job to another status and merges info into its info
// (a nil value deletes a key). Illegal moves (see the Job status
// constants) give a *TransitionError matching ErrIllegalTransition.
// Entering RUNNING sets the heartbeat and info "started_at"; entering
// DONE, FAILED or CANCELLED sets info "finished_at" (times in
// driver.TimeLayout), unless info sets them.
func (s *Store) Transition(ctx context.Context, id string, to JobStatus, info map[string]any) (Job, error) {
	return s.transition(ctx, nil, id, to, info)
}

// TransitionTx is Transition inside the caller's transaction (see [Tx]).
func (s *Store) TransitionTx(ctx context.Context, tx Tx, id string, to JobStatus, info map[string]any) (Job, error) {
	return s.transition(ctx, orNoTx(tx), id, to, info)
}

func (s *Store) transition(ctx context.Context, tx Tx, id string, to JobStatus, info map[string]any) (Job, error) {
	const op = "transition job"
	if err := s.check(op, id); err != nil {
		return Job{}, err
	}
	if !to.Valid() {
		return Job{}, invalid(op, id, fmt.Errorf("status %q is not a job status", to))
	}
	now := s.Now()
	req := driver.TransitionRequest{ID: id, To: to, Info: withTimings(info, to, now), Now: now}
	j, err := dispatch(ctx, s, tx, req, s.drv.TransitionJob, driver.TxDriver.TransitionJobTx)
	return j, s.wrap(op, id, err)
}

// Info keys the store sets on transitions (unless the caller sets them).
const (
	// InfoStartedAt is set when a job enters RUNNING.
	InfoStartedAt = "started_at"
	// InfoFinishedAt is set when a job enters DONE, FAILED or CANCELLED.
	InfoFinishedAt = "finished_at"
	// InfoError holds the reason Reap failed a job.
	InfoError = "error"
)

// withTimings returns info plus started_at or finished_at for the move.
func withTimings(info map[string]any, to JobStatus, now time.Time) map[string]any {
	key := InfoStartedAt
	if to.Terminal() {
		key = InfoFinishedAt
	} else if to != JobRunning {
		return info
	}
	if _, set := info[key]; set {
		return info
	}
	out := make(map[string]any, len(info)+1)
	for k, v := range info {
		out[k] = v
	}
	out[key] = driver.FormatTime(now)
	return out
}

// Heartbeat records that a RUNNING job's worker is alive. A job in another
// state gives ErrNotRunning (the worker should stop: the job was finished,
// cancelled or reaped), an unknown job ErrNotFound.
func (s *Store) Heartbeat(ctx context.Context, id string) error {
	const op = "heartbeat job"
	if err := s.check(op, id); err != nil {
		return err
	}
	return s.wrap(op, id, s.drv.HeartbeatJob(ctx, id, s.Now()))
}

// ListJobs returns the jobs matching q (nil: all), newest first.
func (s *Store) ListJobs(ctx context.Context, q *JobQuery) ([]Job, error) {
	const op = "list jobs"
	if err := s.check(op, ""); err != nil {
		return nil, err
	}
	var dq driver.JobQuery
	if q != nil {
		dq = driver.JobQuery{Dataset: q.Dataset, Resource: q.Resource, FactoryID: q.FactoryID,
			Status: q.Status, Limit: q.Limit, Offset: q.Offset}
	}
	switch {
	case dq.Limit < 0 || dq.Limit > MaxJobLimit:
		return nil, invalid(op, "", fmt.Errorf("limit %d is not between 0 and %d", dq.Limit, MaxJobLimit))
	case dq.Offset < 0:
		return nil, invalid(op, "", fmt.Errorf("offset %d is negative", dq.Offset))
	case dq.Status != "" && !dq.Status.Valid():
		return nil, invalid(op, "", fmt.Errorf("status %q is not a job status", dq.Status))
	case dq.Limit == 0:
		dq.Limit = DefaultJobLimit
	}
	jobs, err := s.drv.ListJobs(ctx, dq)
	return jobs, s.wrap(op, "", err)
}
