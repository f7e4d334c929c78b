package sqlstatus

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/datafactory/datafactory/status/driver"
	"github.com/jmoiron/sqlx"
)

// maxCASAttempts bounds the read-check-update loop of TransitionJob.
const maxCASAttempts = 20

// CreateJob inserts a job at version 1.
func (d *sqlDriver) CreateJob(ctx context.Context, j driver.Job) (driver.Job, error) {
	return d.createJob(ctx, d.db, j)
}

// CreateJobTx is CreateJob in the caller's transaction.
func (d *sqlDriver) CreateJobTx(ctx context.Context, tx any, j driver.Job) (driver.Job, error) {
	ext, err := asExt(tx)
	if err != nil {
		return driver.Job{}, err
	}
	return d.createJob(ctx, ext, j)
}

func (d *sqlDriver) createJob(ctx context.Context, ext sqlx.ExecerContext, j driver.Job) (driver.Job, error) {
	args, err := jobArgs(&j, 1)
	if err != nil {
		return driver.Job{}, err
	}
	if _, err := ext.ExecContext(ctx, d.q.insertJob, args...); err != nil {
		return driver.Job{}, err
	}
	return j, nil
}

// GetJob reads one job.
func (d *sqlDriver) GetJob(ctx context.Context, id string) (driver.Job, error) {
	j, _, err := scanJob(d.db.QueryRowContext(ctx, d.q.getJob, id))
	return j, err
}

// TransitionJob reads the job, checks the move and writes it back only if
// the job's version did not change meanwhile (optimistic locking, the
// same on every database); on a lost race it reads again.
// A statement the database picks as a deadlock victim is run again.
func (d *sqlDriver) TransitionJob(ctx context.Context, req driver.TransitionRequest) (driver.Job, error) {
	var j driver.Job
	err := retryDeadlocks(ctx, func() (err error) {
		j, err = d.transitionJob(ctx, d.db, req)
		return err
	})
	return j, err
}

// TransitionJobTx is TransitionJob in the caller's transaction.
func (d *sqlDriver) TransitionJobTx(ctx context.Context, tx any, req driver.TransitionRequest) (driver.Job, error) {
	ext, err := asExt(tx)
	if err != nil {
		return driver.Job{}, err
	}
	return d.transitionJob(ctx, ext, req)
}

func (d *sqlDriver) transitionJob(ctx context.Context, ext sqlx.ExtContext, req driver.TransitionRequest) (driver.Job, error) {
	for range maxCASAttempts {
		j, version, err := scanJob(ext.QueryRowxContext(ctx, d.q.getJob, req.ID))
		if err != nil {
			return driver.Job{}, err
		}
		if !req.IfHeartbeatBefore.IsZero() && !j.Heartbeat.Before(req.IfHeartbeatBefore) {
			return driver.Job{}, driver.ErrConflict
		}
		if err := driver.CheckTransition(j.ID, j.Status, req.To); err != nil {
			return driver.Job{}, err
		}
		j.Status, j.Updated = req.To, req.Now
		j.Info = driver.MergeInfo(j.Info, req.Info)
		if req.To == driver.JobRunning {
			j.Heartbeat = req.Now
		}
		info, err := infoJSON(j.Info)
		if err != nil {
			return driver.Job{}, err
		}
		res, err := ext.ExecContext(ctx, d.q.updateJob, string(j.Status), info, micros(j.Updated),
			micros(j.Heartbeat), j.ID, version)
		if err != nil {
			return driver.Job{}, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return driver.Job{}, err
		} else if n == 1 {
			return j, nil
		}
	}
	return driver.Job{}, driver.ErrConflict
}

// HeartbeatJob updates the heartbeat of a RUNNING job.
func (d *sqlDriver) HeartbeatJob(ctx context.Context, id string, at time.Time) error {
	var res sql.Result
	err := retryDeadlocks(ctx, func() (err error) {
		res, err = d.db.ExecContext(ctx, d.q.heartbeat, micros(at), id)
		return err
	})
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	if _, err := d.GetJob(ctx, id); err != nil {
		return err
	}
	return driver.ErrNotRunning
}

// ListJobs selects jobs newest first.
func (d *sqlDriver) ListJobs(ctx context.Context, q driver.JobQuery) ([]driver.Job, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if q.Dataset != "" {
		add("dataset = ?", q.Dataset)
	}
	if q.Resource != "" {
		add("resource = ?", q.Resource)
	}
	if q.FactoryID != "" {
		add("factory_id = ?", q.FactoryID)
	}
	if q.Status != "" {
		add("status = ?", string(q.Status))
	}
	if !q.HeartbeatBefore.IsZero() {
		add("heartbeat < ?", q.HeartbeatBefore.UnixMicro())
	}
	query := d.q.listJobs
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created DESC, seq DESC LIMIT ? OFFSET ?"
	args = append(args, q.Limit, q.Offset)
	rows, err := d.db.QueryContext(ctx, d.q.rebind(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []driver.Job
	for rows.Next() {
		j, _, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
