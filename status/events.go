package status

import (
	"context"
	"errors"
	"time"

	"github.com/datafactory/datafactory/status/driver"
)

// StartTrace stores the first event of a new trace and returns it. As
// status-api's POST /status does, the event is stored as STARTED/OK
// whatever ev says. An empty TraceID gets "<dataset>-<uuid4>" (see
// [DatasetID]) cut to 80 characters; an empty TraceEventID a UUID; zero
// StartTime and EndTime the current time. A TraceID that is taken gives
// ErrExists.
func (s *Store) StartTrace(ctx context.Context, ev Event) (Event, error) {
	return s.startTrace(ctx, nil, ev)
}

// StartTraceTx is StartTrace inside the caller's transaction (see [Tx]).
func (s *Store) StartTraceTx(ctx context.Context, tx Tx, ev Event) (Event, error) {
	return s.startTrace(ctx, orNoTx(tx), ev)
}

func (s *Store) startTrace(ctx context.Context, tx Tx, ev Event) (Event, error) {
	const op = "start trace"
	if err := s.check(op, ev.TraceID); err != nil {
		return Event{}, err
	}
	if ev.TraceID == "" {
		ev.TraceID = newTraceID(DatasetID(ev))
	}
	ev.TraceStatus, ev.TraceEventStatus = TraceStarted, EventOK
	return s.store(ctx, op, tx, ev, s.drv.CreateTrace, driver.TxDriver.CreateTraceTx)
}

// AddEvent appends an event to an existing trace and returns it as stored.
// Defaults: TraceStatus CONTINUE, TraceEventStatus OK, a new TraceEventID,
// StartTime and EndTime now. An unknown trace gives ErrNotFound (events
// never create a trace), a taken TraceEventID ErrExists.
func (s *Store) AddEvent(ctx context.Context, ev Event) (Event, error) {
	return s.addEvent(ctx, nil, ev)
}

// AddEventTx is AddEvent inside the caller's transaction (see [Tx]).
func (s *Store) AddEventTx(ctx context.Context, tx Tx, ev Event) (Event, error) {
	return s.addEvent(ctx, orNoTx(tx), ev)
}

func (s *Store) addEvent(ctx context.Context, tx Tx, ev Event) (Event, error) {
	const op = "add event"
	if err := s.check(op, ev.TraceID); err != nil {
		return Event{}, err
	}
	if ev.TraceStatus == "" {
		ev.TraceStatus = TraceContinue
	}
	if ev.TraceEventStatus == "" {
		ev.TraceEventStatus = EventOK
	}
	return s.store(ctx, op, tx, ev, s.drv.AppendEvent, driver.TxDriver.AppendEventTx)
}

// store fills in and validates ev, then writes it with direct (no tx) or,
// inside the caller's transaction, with inTx on the driver's TxDriver.
func (s *Store) store(ctx context.Context, op string, tx Tx, ev Event,
	direct func(context.Context, Event) (Event, error),
	inTx func(driver.TxDriver, context.Context, Tx, Event) (Event, error)) (Event, error) {
	s.fill(&ev)
	if err := validateEvent(&ev); err != nil {
		return Event{}, invalid(op, ev.TraceID, err)
	}
	out, err := dispatch(ctx, s, tx, ev, direct, inTx)
	return out, s.wrap(op, ev.TraceID, err)
}

// fill sets the event ID and times that are unset, and normalises times
// to UTC microseconds.
func (s *Store) fill(ev *Event) {
	if ev.TraceEventID == "" {
		ev.TraceEventID = NewID()
	}
	now := s.Now()
	if ev.StartTime.IsZero() {
		ev.StartTime = now
	}
	if ev.EndTime.IsZero() {
		ev.EndTime = now
	}
	ev.StartTime = ev.StartTime.UTC().Truncate(time.Microsecond)
	ev.EndTime = ev.EndTime.UTC().Truncate(time.Microsecond)
}

// Events returns every event of a trace, oldest StartTime first (events
// with equal StartTime in the order they were stored). An unknown trace
// gives ErrNotFound.
func (s *Store) Events(ctx context.Context, traceID string) ([]Event, error) {
	const op = "get events"
	if err := s.check(op, traceID); err != nil {
		return nil, err
	}
	evs, err := s.drv.Events(ctx, traceID)
	if err != nil {
		return nil, s.wrap(op, traceID, err)
	}
	if len(evs) == 0 {
		return nil, &Error{Op: op, Key: traceID, Kind: ErrNotFound}
	}
	return evs, nil
}

// Summary returns the trace's summary as the okdata CLI computes it (see
// [Summarize]). An unknown trace gives ErrNotFound.
func (s *Store) Summary(ctx context.Context, traceID string) (Summary, error) {
	const op = "summarize trace"
	ts, ok := s.drv.(driver.TraceSummarizer)
	if !ok {
		evs, err := s.Events(ctx, traceID)
		if err != nil {
			return Summary{}, err
		}
		return Summarize(evs), nil
	}
	if err := s.check(op, traceID); err != nil {
		return Summary{}, err
	}
	latest, errs, found, err := ts.SummaryEvents(ctx, traceID)
	if err != nil {
		return Summary{}, s.wrap(op, traceID, err)
	}
	if !found {
		return Summary{}, &Error{Op: op, Key: traceID, Kind: ErrNotFound}
	}
	sum := summaryOf(&latest)
	for _, e := range errs {
		sum.Errors = appendMessages(sum.Errors, e)
	}
	return sum, nil
}

// TraceIDFromPath returns the trace of the one event whose S3Path is path.
// As status-api's status-from-path, it gives ErrNotFound unless exactly one
// event matches (none, or two or more).
func (s *Store) TraceIDFromPath(ctx context.Context, path string) (string, error) {
	const op = "find trace by path"
	if err := s.check(op, path); err != nil {
		return "", err
	}
	if path == "" {
		return "", invalid(op, path, errors.New("path is empty"))
	}
	ids, err := s.drv.TraceIDsByPath(ctx, path, 2)
	if err != nil {
		return "", s.wrap(op, path, err)
	}
	if len(ids) != 1 {
		return "", &Error{Op: op, Key: path, Kind: ErrNotFound}
	}
	return ids[0], nil
}
