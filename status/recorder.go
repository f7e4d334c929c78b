package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Log attribute keys.
const (
	logKeyTrace     = "trace_id"
	logKeyOperation = "operation"
	logKeyJob       = "job_id"
	logKeyError     = "error"
)

// RecorderOptions configure a Recorder. The zero value (or nil) means
// defaults.
type RecorderOptions struct {
	// Domain, DomainID, Component, User and S3Path are copied into every
	// event. Default empty.
	Domain, DomainID, Component, User, S3Path string
	// Meta is copied into every event. Default none.
	Meta json.RawMessage
	// Logger receives a warning for every status write that failed.
	// Default: discard.
	Logger *slog.Logger
	// Now is the clock for start, end and duration. Default: the store's
	// clock.
	Now func() time.Time
}

// Recorder writes one event per step of a trace, like okdata's status
// wrapper. A failing status write never fails the step's work: it is
// logged and counted ([Recorder.Failures]). A Recorder with an empty trace
// ID writes nothing. Start the trace first with [Store.StartTrace].
// It is safe for concurrent use.
type Recorder struct {
	store    *Store
	traceID  string
	opts     RecorderOptions
	log      *slog.Logger
	failures atomic.Int64
}

// NewRecorder returns a recorder for the trace traceID.
func NewRecorder(s *Store, traceID string, opts *RecorderOptions) *Recorder {
	r := &Recorder{store: s, traceID: traceID}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.Now == nil {
		r.opts.Now = s.now
	}
	r.log = r.opts.Logger
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

// TraceID returns the recorder's trace.
func (r *Recorder) TraceID() string { return r.traceID }

// Failures returns how many status writes failed so far.
func (r *Recorder) Failures() int64 { return r.failures.Load() }

// Start begins a step. Nothing is written until [Step.Finish].
func (r *Recorder) Start(operation string) *Step {
	return &Step{rec: r, operation: operation, start: r.opts.Now(), traceStatus: TraceContinue}
}

// Wrap runs fn as one step and records exactly one event for it, with its
// start, end and duration: OK/CONTINUE when fn returns nil (or the trace
// status fn set on the step), FAILED/FINISHED with the error's message as
// exception when it returns an error or panics. A panic is recorded, then
// re-raised. Wrap returns fn's error unchanged; status write failures are
// only logged and counted.
func (r *Recorder) Wrap(ctx context.Context, operation string, fn func(ctx context.Context, st *Step) error) (err error) {
	st := r.Start(operation)
	panicked := true
	defer func() {
		if !panicked {
			return
		}
		v := recover()
		if v == nil { // runtime.Goexit: record it and let it continue
			st.Finish(ctx, errors.New("goroutine exited (runtime.Goexit)"))
			return
		}
		st.Finish(ctx, fmt.Errorf("panic: %v", v))
		panic(v)
	}()
	err = fn(ctx, st)
	panicked = false
	st.Finish(ctx, err)
	return err
}

// Record writes ev to the recorder's trace, filling the recorder's
// defaults (domain, component, …) where ev leaves them empty. Failures
// are logged and counted; the stored event is returned when it worked.
func (r *Recorder) Record(ctx context.Context, ev Event) (Event, bool) {
	if r.traceID == "" {
		return Event{}, false
	}
	ev.TraceID = r.traceID
	r.defaults(&ev)
	out, err := r.store.AddEvent(ctx, ev)
	if err != nil {
		r.failures.Add(1)
		r.log.WarnContext(ctx, "status write failed", logKeyTrace, r.traceID,
			logKeyOperation, ev.Operation, logKeyError, err.Error())
		return Event{}, false
	}
	return out, true
}

func (r *Recorder) defaults(ev *Event) {
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&ev.Domain, r.opts.Domain)
	set(&ev.DomainID, r.opts.DomainID)
	set(&ev.Component, r.opts.Component)
	set(&ev.User, r.opts.User)
	set(&ev.S3Path, r.opts.S3Path)
	if len(ev.Meta) == 0 {
		ev.Meta = r.opts.Meta
	}
}

// Step is one step being recorded. Its methods are safe for concurrent
// use; Finish writes the step's single event.
type Step struct {
	rec         *Recorder
	operation   string
	start       time.Time
	mu          sync.Mutex
	body        map[string]any
	errs        []ErrorEntry
	traceStatus TraceStatus
	s3Path      string
	finished    bool
}

// Set adds key=value to the step's status_body.
func (st *Step) Set(key string, value any) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.body == nil {
		st.body = make(map[string]any)
	}
	st.body[key] = value
}

// AddError adds a user-facing error with messages by language code
// ({"en": "...", "nb": "..."}). It does not by itself fail the step.
func (st *Step) AddError(messages map[string]string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.errs = append(st.errs, Localized(messages))
}

// SetTraceStatus sets the trace status written when the step succeeds
// (default CONTINUE; use FINISHED for the last step). A failed step is
// always FINISHED.
func (st *Step) SetTraceStatus(ts TraceStatus) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.traceStatus = ts
}

// SetS3Path sets the event's s3_path (default: the recorder's).
func (st *Step) SetS3Path(path string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s3Path = path
}

// Finish writes the step's event: OK with the step's trace status when
// err is nil, FAILED/FINISHED with exception err.Error() otherwise. Only
// the first call writes; the stored event and whether the write worked
// are returned. The status write never fails the caller's work.
func (st *Step) Finish(ctx context.Context, err error) (Event, bool) {
	ev, ok := st.event(err)
	if !ok {
		return Event{}, false
	}
	return st.rec.Record(ctx, ev)
}

// event builds the step's event once.
func (st *Step) event(err error) (Event, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.finished || st.rec.traceID == "" {
		return Event{}, false
	}
	st.finished = true
	end := st.rec.opts.Now()
	ev := Event{
		Operation: st.operation, StartTime: st.start, EndTime: end,
		Duration: end.Sub(st.start), TraceStatus: st.traceStatus,
		TraceEventStatus: EventOK, S3Path: st.s3Path, Errors: st.errs,
	}
	if ev.Duration < 0 {
		ev.Duration = 0
	}
	if err != nil {
		ev.TraceStatus, ev.TraceEventStatus, ev.Exception = TraceFinished, EventFailed, err.Error()
	}
	if len(st.body) > 0 {
		b, merr := json.Marshal(st.body)
		if merr != nil {
			b, _ = json.Marshal(map[string]string{"body_error": merr.Error()})
		}
		ev.StatusBody = b
	}
	return ev, true
}
