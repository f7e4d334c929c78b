// Package status records what happened to every run: traces made of
// events (status-api's model), summaries computed as the okdata CLI does,
// and AirCan's jobs table with a state machine and heartbeats.
//
// A [Store] is the API; get one from a backend:
//
//   - sqlstatus.Open: SQLite (embedded default), PostgreSQL, MySQL/MariaDB
//   - memstatus.New: in memory, for tests
//   - statushttp.NewClient: a remote status service (statushttp.NewHandler)
//
// # Traces and events
//
// [Store.StartTrace] creates a trace (its first event is STARTED/OK);
// [Store.AddEvent] appends events (CONTINUE or FINISHED, OK or FAILED),
// never creating a trace. [Store.Events] returns them oldest first and
// [Store.Summary] (or [Summarize]) tells whether the trace is done: the
// latest event is the first FINISHED one, else the last one, and the
// errors are the English messages of every event.
//
// A [Recorder] writes one event per step: [Recorder.Wrap] runs a function
// and records its start, end, duration and outcome (a panic is recorded
// and re-raised). Status writes never fail the work: failures are logged
// and counted.
//
// # Jobs
//
// Jobs move WAITING → RUNNING → DONE, FAILED or CANCELLED (WAITING may
// also go straight to FAILED or CANCELLED); any other move gives a
// [*TransitionError]. A RUNNING job's worker keeps its heartbeat fresh
// ([Heartbeater]); [Store.Reap] fails RUNNING jobs whose heartbeat
// expired, with the reason in info["error"], so no job stays RUNNING
// after its worker died.
//
// # Transactions
//
// StartTraceTx, AddEventTx, CreateJobTx and TransitionTx write inside a
// transaction the caller opened (for sqlstatus, a *sqlx.Tx on
// sqlstatus.DB(store)), so status changes commit or roll back with the
// caller's own writes. Backends without transactions return an error
// matching errors.ErrUnsupported.
//
// # Errors
//
// Every method returns a [*Error] that matches one of [ErrNotFound],
// [ErrExists], [ErrInvalid], [ErrConflict], [ErrNotRunning], [ErrClosed]
// or [ErrIllegalTransition] with errors.Is, and still unwraps to the
// backend's own error.
//
// # Backends
//
// Backends implement [driver.Driver] (package status/driver) and pass
// statustest.RunConformanceTests.
package status
