// Package memstatus is an in-memory status backend for tests and
// single-process tools. It keeps everything in maps guarded by a mutex and
// passes statustest like the SQL backend; data is lost on Close.
package memstatus

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/driver"
)

// Options configure New. The zero value (or nil) means defaults.
type Options struct {
	// Now is the store's clock. Default time.Now.
	Now func() time.Time
}

// New returns an empty in-memory store.
func New(opts *Options) *status.Store {
	o := status.Options{}
	if opts != nil {
		o.Now = opts.Now
	}
	return status.New(newDriver(), &o)
}

type memJob struct {
	job driver.Job
	seq int64
}

type memDriver struct {
	mu       sync.Mutex
	closed   bool
	traces   map[string][]driver.Event
	eventIDs map[string]bool
	jobs     map[string]*memJob
	seq      int64
}

var _ driver.Driver = (*memDriver)(nil)

func newDriver() *memDriver {
	return &memDriver{traces: map[string][]driver.Event{}, eventIDs: map[string]bool{}, jobs: map[string]*memJob{}}
}

// lock takes the mutex, failing after Close.
func (d *memDriver) lock() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return driver.ErrClosed
	}
	return nil
}

// CreateTrace implements driver.Driver.
func (d *memDriver) CreateTrace(_ context.Context, ev driver.Event) (driver.Event, error) {
	if err := d.lock(); err != nil {
		return driver.Event{}, err
	}
	defer d.mu.Unlock()
	if _, ok := d.traces[ev.TraceID]; ok || d.eventIDs[ev.TraceEventID] {
		return driver.Event{}, driver.ErrExists
	}
	ev = copyEvent(ev)
	d.traces[ev.TraceID] = []driver.Event{ev}
	d.eventIDs[ev.TraceEventID] = true
	return copyEvent(ev), nil
}

// AppendEvent implements driver.Driver.
func (d *memDriver) AppendEvent(_ context.Context, ev driver.Event) (driver.Event, error) {
	if err := d.lock(); err != nil {
		return driver.Event{}, err
	}
	defer d.mu.Unlock()
	evs, ok := d.traces[ev.TraceID]
	if !ok {
		return driver.Event{}, driver.ErrNotFound
	}
	if d.eventIDs[ev.TraceEventID] {
		return driver.Event{}, driver.ErrExists
	}
	ev = copyEvent(ev)
	// Insert after every event that does not start later (stable order).
	i := sort.Search(len(evs), func(i int) bool { return evs[i].StartTime.After(ev.StartTime) })
	d.traces[ev.TraceID] = slices.Insert(evs, i, ev)
	d.eventIDs[ev.TraceEventID] = true
	return copyEvent(ev), nil
}

// Events implements driver.Driver.
func (d *memDriver) Events(_ context.Context, traceID string) ([]driver.Event, error) {
	if err := d.lock(); err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	evs := d.traces[traceID]
	out := make([]driver.Event, len(evs))
	for i := range evs {
		out[i] = copyEvent(evs[i])
	}
	return out, nil
}

// TraceIDsByPath implements driver.Driver.
func (d *memDriver) TraceIDsByPath(_ context.Context, path string, limit int) ([]string, error) {
	if err := d.lock(); err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	var ids []string
	for id, evs := range d.traces {
		for _, ev := range evs {
			if ev.S3Path == path && len(ids) < limit {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// ErrorKind implements driver.Driver: every error of this driver carries
// its kind.
func (d *memDriver) ErrorKind(err error) driver.ErrorKind { return driver.KindOf(err) }

// Close implements driver.Driver.
func (d *memDriver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	d.traces, d.jobs, d.eventIDs = nil, nil, nil
	return nil
}

// copyEvent returns ev with its slices copied, so callers cannot change
// stored data.
func copyEvent(ev driver.Event) driver.Event {
	ev.StatusBody = slices.Clone(ev.StatusBody)
	ev.Meta = slices.Clone(ev.Meta)
	if ev.Errors != nil {
		errs := make([]driver.ErrorEntry, len(ev.Errors))
		for i, e := range ev.Errors {
			errs[i] = driver.ErrorEntry{Raw: slices.Clone(e.Raw)}
			if e.Message != nil {
				errs[i].Message = make(map[string]string, len(e.Message))
				for k, v := range e.Message {
					errs[i].Message[k] = v
				}
			}
		}
		ev.Errors = errs
	}
	return ev
}

// copyInfo deep-copies info through JSON, so stored values have the same
// types as in the SQL backend (numbers become float64).
func copyInfo(info map[string]any) (map[string]any, error) {
	if len(info) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(b, &out)
}
