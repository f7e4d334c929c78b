package status

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/datafactory/datafactory/status/driver"
)

// reapPage is how many expired jobs Reap handles per query.
const reapPage = 200

// Reap marks every RUNNING job whose heartbeat is older than olderThan as
// FAILED, with info "error" saying why (and "finished_at"), and returns
// those jobs. A job that heartbeats or finishes meanwhile is left alone.
// When a reaped job's FactoryID names an existing trace, that trace also
// gets a FINISHED/FAILED event with the reason, so neither the job nor its
// run stays unfinished. Run it periodically ([Reaper]) or at startup.
func (s *Store) Reap(ctx context.Context, olderThan time.Duration) ([]Job, error) {
	const op = "reap jobs"
	if err := s.check(op, ""); err != nil {
		return nil, err
	}
	if olderThan <= 0 {
		return nil, invalid(op, "", fmt.Errorf("olderThan %v is not positive", olderThan))
	}
	if r, ok := s.drv.(driver.Reaper); ok {
		jobs, err := r.ReapJobs(ctx, olderThan)
		return jobs, s.wrap(op, "", err)
	}
	now := s.Now()
	cutoff := now.Add(-olderThan)
	var (
		reaped    []Job
		eventErrs []error
	)
	for {
		page, err := s.drv.ListJobs(ctx, driver.JobQuery{Status: JobRunning, HeartbeatBefore: cutoff, Limit: reapPage})
		if err != nil {
			return reaped, s.wrap(op, "", err)
		}
		n := 0
		for _, j := range page {
			done, err := s.reapOne(ctx, j, now, cutoff, olderThan)
			if err != nil {
				return reaped, s.wrap(op, j.ID, err)
			}
			if done.ID == "" {
				continue
			}
			reaped = append(reaped, done)
			n++
			if err := s.finishTrace(ctx, done, now); err != nil {
				eventErrs = append(eventErrs, err)
			}
		}
		if len(page) < reapPage || n == 0 {
			return reaped, errors.Join(eventErrs...)
		}
	}
}

// reapOne fails one expired job; a job that changed meanwhile is skipped
// (zero Job, nil error).
func (s *Store) reapOne(ctx context.Context, j Job, now, cutoff time.Time, olderThan time.Duration) (Job, error) {
	out, err := s.drv.TransitionJob(ctx, driver.TransitionRequest{
		ID: j.ID, To: JobFailed, Now: now, IfHeartbeatBefore: cutoff,
		Info: withTimings(map[string]any{InfoError: reapReason(j, olderThan)}, JobFailed, now),
	})
	if err == nil {
		return out, nil
	}
	var te *TransitionError
	if errors.As(err, &te) {
		return Job{}, nil
	}
	switch s.drv.ErrorKind(err) {
	case driver.Conflict, driver.NotFound:
		return Job{}, nil
	}
	return Job{}, err
}

func reapReason(j Job, olderThan time.Duration) string {
	return fmt.Sprintf("heartbeat expired: last heartbeat %s, none for more than %s",
		driver.FormatTime(j.Heartbeat), olderThan)
}

// finishTrace records a reaped job's failure in its run's trace, if the
// trace exists.
func (s *Store) finishTrace(ctx context.Context, j Job, now time.Time) error {
	if j.FactoryID == "" {
		return nil
	}
	reason, _ := j.Info[InfoError].(string)
	_, err := s.AddEvent(ctx, Event{
		TraceID: j.FactoryID, Component: "datafactory", Operation: "reap job " + j.ID,
		StartTime: now, EndTime: now, TraceStatus: TraceFinished, TraceEventStatus: EventFailed,
		Exception: reason,
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// DefaultReapInterval is ReaperOptions.Interval's default.
const DefaultReapInterval = time.Minute

// ReaperOptions configure a Reaper. The zero value (or nil) means defaults.
type ReaperOptions struct {
	// Interval between reaps. Default DefaultReapInterval.
	Interval time.Duration
	// OlderThan is the heartbeat age after which a RUNNING job is failed.
	// Default 4 × DefaultHeartbeatInterval.
	OlderThan time.Duration
	// Logger receives reaped jobs (info) and failed reaps (warning).
	// Default: discard.
	Logger *slog.Logger
}

// Reaper runs [Store.Reap] periodically from a goroutine (for a service
// such as `datafactory serve`).
type Reaper struct {
	store     *Store
	interval  time.Duration
	olderThan time.Duration
	log       *slog.Logger

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewReaper returns a reaper; call Start to run it.
func (s *Store) NewReaper(opts *ReaperOptions) *Reaper {
	r := &Reaper{store: s, interval: DefaultReapInterval, olderThan: 4 * DefaultHeartbeatInterval}
	if opts != nil {
		if opts.Interval > 0 {
			r.interval = opts.Interval
		}
		if opts.OlderThan > 0 {
			r.olderThan = opts.OlderThan
		}
		r.log = opts.Logger
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

// Start reaps now and then every interval until Stop or until ctx ends.
// Calling it twice returns an error.
func (r *Reaper) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		return errors.New("status: reaper already started")
	}
	ctx, r.cancel = context.WithCancel(ctx)
	r.done = make(chan struct{})
	go r.loop(ctx)
	return nil
}

// Stop ends the reaper and waits for it. Safe to call twice or before Start.
func (r *Reaper) Stop() {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

func (r *Reaper) loop(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		jobs, err := r.store.Reap(ctx, r.olderThan)
		for _, j := range jobs {
			r.log.InfoContext(ctx, "reaped job", logKeyJob, j.ID, logKeyTrace, j.FactoryID)
		}
		if err != nil && ctx.Err() == nil {
			r.log.WarnContext(ctx, "reap failed", logKeyError, err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
