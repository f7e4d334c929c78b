package status

import "github.com/datafactory/datafactory/status/driver"

// The records the store keeps. They are defined in package driver so that
// backends can use them; these aliases are the names to use.
type (
	// Event is one step of a trace (a row of status-api's table).
	Event = driver.Event
	// ErrorEntry is one localized user-facing error of an event.
	ErrorEntry = driver.ErrorEntry
	// TraceStatus is STARTED, CONTINUE or FINISHED.
	TraceStatus = driver.TraceStatus
	// EventStatus is OK or FAILED.
	EventStatus = driver.EventStatus
	// Job is one row of the jobs table.
	Job = driver.Job
	// JobStatus is WAITING, RUNNING, DONE, FAILED or CANCELLED.
	JobStatus = driver.JobStatus
	// JobType is LOAD, HARVEST, VALIDATE, or another upper-case name.
	JobType = driver.JobType
	// TransitionError reports an illegal job status change; it matches
	// [ErrIllegalTransition].
	TransitionError = driver.TransitionError
)

// Trace statuses.
const (
	TraceStarted  = driver.TraceStarted
	TraceContinue = driver.TraceContinue
	TraceFinished = driver.TraceFinished
)

// Event statuses.
const (
	EventOK     = driver.EventOK
	EventFailed = driver.EventFailed
)

// Job statuses. Legal moves: WAITING → RUNNING, FAILED or CANCELLED;
// RUNNING → DONE, FAILED or CANCELLED; the last three are final.
const (
	JobWaiting   = driver.JobWaiting
	JobRunning   = driver.JobRunning
	JobDone      = driver.JobDone
	JobFailed    = driver.JobFailed
	JobCancelled = driver.JobCancelled
)

// Common job types.
const (
	JobLoad     = driver.JobLoad
	JobHarvest  = driver.JobHarvest
	JobValidate = driver.JobValidate
	JobBackup   = driver.JobBackup
)

// Localized returns an error entry with messages by language code, e.g.
// Localized(map[string]string{"en": "Invalid value.", "nb": "Ugyldig verdi."}).
func Localized(messages map[string]string) ErrorEntry {
	return ErrorEntry{Message: messages}
}
