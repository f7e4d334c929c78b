package driver

import (
	"bytes"
	"encoding/json"
	"time"
)

// TraceStatus is where a trace stands: STARTED, CONTINUE or FINISHED.
type TraceStatus string

// Trace statuses (status-api's trace_status).
const (
	TraceStarted  TraceStatus = "STARTED"
	TraceContinue TraceStatus = "CONTINUE"
	TraceFinished TraceStatus = "FINISHED"
)

// Valid reports whether s is one of the three trace statuses.
func (s TraceStatus) Valid() bool {
	return s == TraceStarted || s == TraceContinue || s == TraceFinished
}

// EventStatus is the outcome of one event: OK or FAILED.
type EventStatus string

// Event statuses (status-api's trace_event_status).
const (
	EventOK     EventStatus = "OK"
	EventFailed EventStatus = "FAILED"
)

// Valid reports whether s is OK or FAILED.
func (s EventStatus) Valid() bool { return s == EventOK || s == EventFailed }

// Event is one step of a trace: a row of status-api's table. Its JSON form
// is status-api's (see [Event.MarshalJSON] and [Event.UnmarshalJSON]).
type Event struct {
	// TraceID names the trace (a run, an upload) the event belongs to.
	TraceID string
	// TraceEventID is the event's own ID (a UUID).
	TraceEventID string
	// Domain and DomainID say what the trace is about, e.g. "dataset", "ds/1".
	Domain   string
	DomainID string
	// StartTime and EndTime bound the step; zero means unset.
	StartTime time.Time
	EndTime   time.Time
	// TraceStatus and TraceEventStatus are the two status fields.
	TraceStatus      TraceStatus
	TraceEventStatus EventStatus
	// User is who caused the step.
	User string
	// Component is the program that wrote the event, Operation its step.
	Component string
	Operation string
	// StatusBody is free JSON describing the step's result.
	StatusBody json.RawMessage
	// Meta is free JSON about the writer (versions, function names).
	Meta json.RawMessage
	// S3Path is the storage key the trace is about (status-from-path).
	S3Path string
	// Duration of the step; zero means unset.
	Duration time.Duration
	// Exception is the failure's message.
	Exception string
	// Errors are user-facing errors with localized messages.
	Errors []ErrorEntry
}

// ErrorEntry is one element of an event's errors: normally
// {"message": {"en": "...", "nb": "..."}}. Elements of another shape are
// kept verbatim in Raw and ignored by summaries. When Raw is set it is
// what MarshalJSON writes.
type ErrorEntry struct {
	// Message maps a language code to the message in that language.
	Message map[string]string
	// Raw holds an element that is not of the shape above.
	Raw json.RawMessage
}

// MarshalJSON writes Raw when set, else {"message": Message}.
func (e ErrorEntry) MarshalJSON() ([]byte, error) {
	if len(e.Raw) > 0 {
		return e.Raw, nil
	}
	return json.Marshal(struct {
		Message map[string]string `json:"message"`
	}{e.Message})
}

// UnmarshalJSON accepts any JSON value. An object whose "message" is an
// object of strings fills Message; anything else, and an object with
// more keys than "message", is also kept verbatim in Raw, so it is
// written back unchanged.
func (e *ErrorEntry) UnmarshalJSON(b []byte) error {
	trimmed := bytes.TrimSpace(b)
	if !json.Valid(trimmed) {
		return &json.SyntaxError{}
	}
	raw := append(json.RawMessage(nil), trimmed...)
	var obj map[string]json.RawMessage
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &obj) == nil {
		var msg map[string]string
		if m, ok := obj["message"]; ok && json.Unmarshal(m, &msg) == nil && msg != nil {
			*e = ErrorEntry{Message: msg}
			if len(obj) > 1 {
				e.Raw = raw
			}
			return nil
		}
	}
	*e = ErrorEntry{Raw: raw}
	return nil
}

// JobStatus is a job's state in AirCan's jobs table.
type JobStatus string

// Job statuses.
const (
	JobWaiting   JobStatus = "WAITING"
	JobRunning   JobStatus = "RUNNING"
	JobDone      JobStatus = "DONE"
	JobFailed    JobStatus = "FAILED"
	JobCancelled JobStatus = "CANCELLED"
)

// Valid reports whether s is one of the five job statuses.
func (s JobStatus) Valid() bool {
	switch s {
	case JobWaiting, JobRunning, JobDone, JobFailed, JobCancelled:
		return true
	}
	return false
}

// Terminal reports whether s is DONE, FAILED or CANCELLED.
func (s JobStatus) Terminal() bool { return s == JobDone || s == JobFailed || s == JobCancelled }

// JobType says what a job does: LOAD, HARVEST, VALIDATE, or any other
// upper-case name.
type JobType string

// Common job types.
const (
	JobLoad     JobType = "LOAD"
	JobHarvest  JobType = "HARVEST"
	JobValidate JobType = "VALIDATE"
	JobBackup   JobType = "BACKUP"
)

// Job is one row of the jobs table (AirCan): a unit of work on a dataset or
// resource, with its run.
type Job struct {
	// ID is the job's ID (a UUID unless the caller chose one).
	ID string `json:"id"`
	// FactoryID is the ID of the run (trace) doing the work.
	FactoryID string `json:"factory_id,omitempty"`
	// Type is the kind of work.
	Type JobType `json:"job_type"`
	// Dataset and Resource say what the job works on.
	Dataset  string `json:"dataset,omitempty"`
	Resource string `json:"resource,omitempty"`
	// User is who asked for the job.
	User string `json:"user,omitempty"`
	// Status is the job's state.
	Status JobStatus `json:"status"`
	// Info is free JSON: timings, error, outputs.
	Info map[string]any `json:"info,omitempty"`
	// Created and Updated are set by the store; Heartbeat by running workers.
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	Heartbeat time.Time `json:"heartbeat,omitzero"`
}
