package status

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Length limits (in bytes) that every backend can store and index.
const (
	maxIDLen     = 255
	maxPathLen   = 1024
	maxStringLen = 64 << 10
)

// checkString reports a field that is too long, not UTF-8 or holds NUL.
func checkString(field, v string, limit int) error {
	switch {
	case len(v) > limit:
		return fmt.Errorf("%s is %d bytes long, the limit is %d", field, len(v), limit)
	case !utf8.ValidString(v):
		return fmt.Errorf("%s is not valid UTF-8", field)
	case strings.IndexByte(v, 0) >= 0:
		return fmt.Errorf("%s contains a NUL byte", field)
	}
	return nil
}

// checkJSON reports a JSON field that does not parse.
func checkJSON(field string, v json.RawMessage) error {
	if len(v) > 0 && !json.Valid(v) {
		return fmt.Errorf("%s is not valid JSON", field)
	}
	return nil
}

// validateEvent checks an event that has all its defaults filled in.
func validateEvent(ev *Event) error {
	if ev.TraceID == "" {
		return fmt.Errorf("trace_id is empty")
	}
	if !ev.TraceStatus.Valid() {
		return fmt.Errorf("trace_status %q is not STARTED, CONTINUE or FINISHED", ev.TraceStatus)
	}
	if !ev.TraceEventStatus.Valid() {
		return fmt.Errorf("trace_event_status %q is not OK or FAILED", ev.TraceEventStatus)
	}
	if ev.Duration < 0 {
		return fmt.Errorf("duration %v is negative", ev.Duration)
	}
	checks := []struct {
		field, v string
		limit    int
	}{
		{"trace_id", ev.TraceID, maxIDLen},
		{"trace_event_id", ev.TraceEventID, maxIDLen},
		{"domain", ev.Domain, maxIDLen},
		{"domain_id", ev.DomainID, maxIDLen},
		{"user", ev.User, maxIDLen},
		{"component", ev.Component, maxIDLen},
		{"operation", ev.Operation, maxIDLen},
		{"s3_path", ev.S3Path, maxPathLen},
		{"exception", ev.Exception, maxStringLen},
	}
	for _, c := range checks {
		if err := checkString(c.field, c.v, c.limit); err != nil {
			return err
		}
	}
	if err := checkJSON("status_body", ev.StatusBody); err != nil {
		return err
	}
	return checkJSON("meta", ev.Meta)
}

// validateJob checks a job that has all its defaults filled in.
func validateJob(j *Job) error {
	if j.ID == "" {
		return fmt.Errorf("id is empty")
	}
	if !validJobType(string(j.Type)) {
		return fmt.Errorf("job_type %q is not an upper-case name like LOAD", j.Type)
	}
	if j.Status != JobWaiting && j.Status != JobRunning {
		return fmt.Errorf("a new job must be WAITING or RUNNING, not %q", j.Status)
	}
	for _, c := range []struct{ field, v string }{
		{"id", j.ID}, {"factory_id", j.FactoryID}, {"dataset", j.Dataset},
		{"resource", j.Resource}, {"user", j.User},
	} {
		if err := checkString(c.field, c.v, maxIDLen); err != nil {
			return err
		}
	}
	return nil
}

// validJobType accepts ^[A-Z][A-Z0-9_]{0,63}$.
func validJobType(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
