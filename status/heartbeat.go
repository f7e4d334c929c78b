package status

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultHeartbeatInterval is HeartbeatOptions.Interval's default.
const DefaultHeartbeatInterval = 30 * time.Second

// HeartbeatOptions configure a Heartbeater. The zero value (or nil) means
// defaults.
type HeartbeatOptions struct {
	// Interval between heartbeats. Default DefaultHeartbeatInterval. Reap
	// with an olderThan of several intervals.
	Interval time.Duration
	// Logger receives a warning for each failed heartbeat. Default: discard.
	Logger *slog.Logger
}

// Heartbeater keeps a RUNNING job's heartbeat fresh from a goroutine, so
// [Store.Reap] can tell a live job from one whose worker died. Failed
// heartbeats are logged and counted, never returned. When the job is no
// longer RUNNING (finished elsewhere, or reaped) it stops and closes
// [Heartbeater.Lost].
type Heartbeater struct {
	store    *Store
	jobID    string
	interval time.Duration
	log      *slog.Logger
	failures atomic.Int64
	lost     chan struct{}

	mu      sync.Mutex
	started bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// NewHeartbeater returns a heartbeater for a job; call Start to run it.
func (s *Store) NewHeartbeater(jobID string, opts *HeartbeatOptions) *Heartbeater {
	h := &Heartbeater{store: s, jobID: jobID, interval: DefaultHeartbeatInterval, lost: make(chan struct{})}
	if opts != nil {
		if opts.Interval > 0 {
			h.interval = opts.Interval
		}
		h.log = opts.Logger
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h
}

// errStarted is returned by a second Start.
var errStarted = errors.New("status: heartbeater already started")

// Start sends a heartbeat now and then every interval until Stop or until
// ctx ends. It returns an error only when called twice.
func (h *Heartbeater) Start(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started {
		return errStarted
	}
	h.started = true
	ctx, h.cancel = context.WithCancel(ctx)
	h.done = make(chan struct{})
	go h.loop(ctx)
	return nil
}

// Stop ends the heartbeats and waits for the goroutine. Safe to call twice
// or before Start.
func (h *Heartbeater) Stop() {
	h.mu.Lock()
	cancel, done := h.cancel, h.done
	h.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// Lost is closed when a heartbeat found the job no longer RUNNING (or
// gone): its worker should stop.
func (h *Heartbeater) Lost() <-chan struct{} { return h.lost }

// Failures returns how many heartbeats failed.
func (h *Heartbeater) Failures() int64 { return h.failures.Load() }

func (h *Heartbeater) loop(ctx context.Context) {
	defer close(h.done)
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for {
		if !h.beat(ctx) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// beat sends one heartbeat; false means stop.
func (h *Heartbeater) beat(ctx context.Context) bool {
	err := h.store.Heartbeat(ctx, h.jobID)
	if err == nil || ctx.Err() != nil {
		return ctx.Err() == nil
	}
	h.failures.Add(1)
	h.log.WarnContext(ctx, "job heartbeat failed", logKeyJob, h.jobID, logKeyError, err.Error())
	if errors.Is(err, ErrNotRunning) || errors.Is(err, ErrNotFound) {
		close(h.lost)
		return false
	}
	return true
}
