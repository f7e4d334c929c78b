package driver

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// TimeLayout is how event times are written: ISO 8601 with microseconds
// and a numeric offset, as Python's isoformat (2020-10-10T08:55:01+00:00).
const TimeLayout = "2006-01-02T15:04:05.999999-07:00"

// ParseTime parses an event time in any of the ISO 8601 forms status-api
// clients send. A time without an offset is taken as UTC.
func ParseTime(s string) (time.Time, error) {
	layouts := [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02",
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want ISO 8601", s)
}

// FormatTime writes t in [TimeLayout] (UTC); the zero time gives "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// eventJSON is the wire form of an Event. Pointers tell absent from empty.
type eventJSON struct {
	TraceID          string          `json:"trace_id,omitempty"`
	TraceEventID     string          `json:"trace_event_id,omitempty"`
	Domain           string          `json:"domain,omitempty"`
	DomainID         string          `json:"domain_id,omitempty"`
	StartTime        string          `json:"start_time,omitempty"`
	EndTime          string          `json:"end_time,omitempty"`
	TraceStatus      string          `json:"trace_status,omitempty"`
	TraceEventStatus string          `json:"trace_event_status,omitempty"`
	User             string          `json:"user,omitempty"`
	Component        string          `json:"component,omitempty"`
	Operation        string          `json:"operation,omitempty"`
	StatusBody       json.RawMessage `json:"status_body,omitempty"`
	Meta             json.RawMessage `json:"meta,omitempty"`
	S3Path           string          `json:"s3_path,omitempty"`
	Duration         *float64        `json:"duration,omitempty"`
	Exception        string          `json:"exception,omitempty"`
	Errors           []ErrorEntry    `json:"errors,omitempty"`
}

// LegacyNames maps status-api's legacy input keys to the current ones.
// Input may use either; when both appear the current name wins.
func LegacyNames() map[string]string {
	return map[string]string{
		"id":             "trace_id",
		"application":    "domain",
		"application_id": "domain_id",
		"date_started":   "start_time",
		"date_end":       "end_time",
		"handler":        "component",
		"run_status":     "trace_status",
		"status":         "trace_event_status",
		"s3path":         "s3_path",
		"body":           "status_body",
	}
}

// MarshalJSON writes the event with status-api's field names; unset fields
// are omitted, times use [TimeLayout] and duration is in milliseconds.
func (e Event) MarshalJSON() ([]byte, error) {
	w := eventJSON{
		TraceID: e.TraceID, TraceEventID: e.TraceEventID,
		Domain: e.Domain, DomainID: e.DomainID,
		StartTime: FormatTime(e.StartTime), EndTime: FormatTime(e.EndTime),
		TraceStatus: string(e.TraceStatus), TraceEventStatus: string(e.TraceEventStatus),
		User: e.User, Component: e.Component, Operation: e.Operation,
		StatusBody: e.StatusBody, Meta: e.Meta, S3Path: e.S3Path,
		Exception: e.Exception, Errors: e.Errors,
	}
	if e.Duration != 0 {
		ms := DurationMillis(e.Duration)
		w.Duration = &ms
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads an event in status-api's form, accepting the legacy
// field names of [LegacyNames]. JSON null counts as absent.
func (e *Event) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for old, cur := range LegacyNames() {
		v, ok := raw[old]
		if !ok {
			continue
		}
		delete(raw, old)
		if _, has := raw[cur]; !has {
			raw[cur] = v
		}
	}
	for k, v := range raw {
		if string(v) == "null" {
			delete(raw, k)
		}
	}
	norm, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	var w eventJSON
	if err := json.Unmarshal(norm, &w); err != nil {
		return err
	}
	return e.fromWire(w)
}

func (e *Event) fromWire(w eventJSON) error {
	ev := Event{
		TraceID: w.TraceID, TraceEventID: w.TraceEventID,
		Domain: w.Domain, DomainID: w.DomainID,
		TraceStatus:      TraceStatus(strings.ToUpper(w.TraceStatus)),
		TraceEventStatus: EventStatus(strings.ToUpper(w.TraceEventStatus)),
		User:             w.User, Component: w.Component, Operation: w.Operation,
		StatusBody: w.StatusBody, Meta: w.Meta, S3Path: w.S3Path,
		Exception: w.Exception, Errors: w.Errors,
	}
	var err error
	if w.StartTime != "" {
		if ev.StartTime, err = ParseTime(w.StartTime); err != nil {
			return fmt.Errorf("start_time: %w", err)
		}
	}
	if w.EndTime != "" {
		if ev.EndTime, err = ParseTime(w.EndTime); err != nil {
			return fmt.Errorf("end_time: %w", err)
		}
	}
	if w.Duration != nil {
		if math.IsNaN(*w.Duration) || math.IsInf(*w.Duration, 0) || *w.Duration < 0 || *w.Duration > maxMillis {
			return fmt.Errorf("duration: %v is not a non-negative number of milliseconds", *w.Duration)
		}
		ev.Duration = MillisDuration(*w.Duration)
	}
	*e = ev
	return nil
}

// maxMillis is the largest duration in milliseconds a time.Duration holds.
const maxMillis = float64(math.MaxInt64 / int64(time.Millisecond))

// DurationMillis converts d to milliseconds, as status-api stores it.
func DurationMillis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// MillisDuration converts milliseconds to a Duration (rounded to the
// nanosecond).
func MillisDuration(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}
