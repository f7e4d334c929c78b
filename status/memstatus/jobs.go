package memstatus

import (
	"context"
	"sort"
	"time"

	"github.com/datafactory/datafactory/status/driver"
)

// CreateJob implements driver.Driver.
func (d *memDriver) CreateJob(_ context.Context, j driver.Job) (driver.Job, error) {
	info, err := copyInfo(j.Info)
	if err != nil {
		return driver.Job{}, err
	}
	if err := d.lock(); err != nil {
		return driver.Job{}, err
	}
	defer d.mu.Unlock()
	if _, ok := d.jobs[j.ID]; ok {
		return driver.Job{}, driver.ErrExists
	}
	j.Info = info
	d.seq++
	d.jobs[j.ID] = &memJob{job: j, seq: d.seq}
	return copyJob(j)
}

// GetJob implements driver.Driver.
func (d *memDriver) GetJob(_ context.Context, id string) (driver.Job, error) {
	if err := d.lock(); err != nil {
		return driver.Job{}, err
	}
	defer d.mu.Unlock()
	m, ok := d.jobs[id]
	if !ok {
		return driver.Job{}, driver.ErrNotFound
	}
	return copyJob(m.job)
}

// TransitionJob implements driver.Driver.
func (d *memDriver) TransitionJob(_ context.Context, req driver.TransitionRequest) (driver.Job, error) {
	if err := d.lock(); err != nil {
		return driver.Job{}, err
	}
	defer d.mu.Unlock()
	m, ok := d.jobs[req.ID]
	if !ok {
		return driver.Job{}, driver.ErrNotFound
	}
	j := m.job
	if !req.IfHeartbeatBefore.IsZero() && !j.Heartbeat.Before(req.IfHeartbeatBefore) {
		return driver.Job{}, driver.ErrConflict
	}
	if err := driver.CheckTransition(j.ID, j.Status, req.To); err != nil {
		return driver.Job{}, err
	}
	info, err := copyInfo(driver.MergeInfo(j.Info, req.Info))
	if err != nil {
		return driver.Job{}, err
	}
	j.Status, j.Updated, j.Info = req.To, req.Now, info
	if req.To == driver.JobRunning {
		j.Heartbeat = req.Now
	}
	m.job = j
	return copyJob(j)
}

// HeartbeatJob implements driver.Driver.
func (d *memDriver) HeartbeatJob(_ context.Context, id string, at time.Time) error {
	if err := d.lock(); err != nil {
		return err
	}
	defer d.mu.Unlock()
	m, ok := d.jobs[id]
	switch {
	case !ok:
		return driver.ErrNotFound
	case m.job.Status != driver.JobRunning:
		return driver.ErrNotRunning
	}
	m.job.Heartbeat = at
	return nil
}

// ListJobs implements driver.Driver.
func (d *memDriver) ListJobs(_ context.Context, q driver.JobQuery) ([]driver.Job, error) {
	if err := d.lock(); err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	var match []*memJob
	for _, m := range d.jobs {
		if matches(&m.job, &q) {
			match = append(match, m)
		}
	}
	sort.Slice(match, func(a, b int) bool {
		ja, jb := match[a], match[b]
		if !ja.job.Created.Equal(jb.job.Created) {
			return ja.job.Created.After(jb.job.Created)
		}
		return ja.seq > jb.seq
	})
	var out []driver.Job
	for i := q.Offset; i < len(match) && len(out) < q.Limit; i++ {
		j, err := copyJob(match[i].job)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

func matches(j *driver.Job, q *driver.JobQuery) bool {
	switch {
	case q.Dataset != "" && j.Dataset != q.Dataset,
		q.Resource != "" && j.Resource != q.Resource,
		q.FactoryID != "" && j.FactoryID != q.FactoryID,
		q.Status != "" && j.Status != q.Status:
		return false
	case !q.HeartbeatBefore.IsZero():
		return !j.Heartbeat.IsZero() && j.Heartbeat.Before(q.HeartbeatBefore)
	}
	return true
}

func copyJob(j driver.Job) (driver.Job, error) {
	info, err := copyInfo(j.Info)
	j.Info = info
	return j, err
}
