package ckan

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Sentinel errors. An [*APIError] matches them through errors.Is, so callers
// can classify a failure without looking at status codes.
var (
	// ErrNotFound matches a 404 "Not Found Error" (missing resource, dataset
	// or DataStore table).
	ErrNotFound = errors.New("ckan: not found")
	// ErrNotAuthorized matches a 403 "Authorization Error". CKAN runs a
	// request with a bad token as anonymous, so a wrong token surfaces here.
	ErrNotAuthorized = errors.New("ckan: not authorized")
	// ErrValidation matches a 409 "Validation Error" and a 400 "Integrity
	// Error" (a request whose shape the action's schema rejected).
	ErrValidation = errors.New("ckan: validation error")
	// ErrBadRequest matches CKAN's bare-string 400 answers: a body that is
	// not JSON, an unknown action, or GET on an action that needs POST.
	ErrBadRequest = errors.New("ckan: bad request")
	// ErrServer matches a 5xx answer left after retries.
	ErrServer = errors.New("ckan: server error")
	// ErrRequestTooLarge is returned before sending when a request body
	// would exceed [ClientOptions.MaxRequestBytes], or when one record alone
	// exceeds a chunk byte limit; an [*APIError] with status 413 (a proxy's
	// body limit, e.g. nginx's client_max_body_size) matches it too.
	ErrRequestTooLarge = errors.New("ckan: request too large")
)

// APIError is a failed CKAN action call, decoded from the response.
//
// CKAN answers errors in two shapes: the envelope
// {"success": false, "error": {"__type": …, "message": …, <field>: [msgs]}}
// and, for malformed requests, a bare JSON string with status 400. Both end
// up here; Bare holds the string of the second shape.
type APIError struct {
	// Action is the action name that was called, e.g. "datastore_create".
	Action string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Type is the error's "__type", e.g. "Validation Error"; empty for bare
	// strings and non-CKAN answers.
	Type string
	// Message is the error's "message" (403, 404, 500, 400 Integrity Error).
	Message string
	// Fields holds validation messages per key, e.g.
	// {"fields": ["\"_a\" is not a valid field name"]}. Keys whose value is
	// a single string are stored as a one-element list.
	Fields map[string][]string
	// RecordsRow is CKAN's "records_row" ("_records_row" on 2.10) of a
	// database error, nil if absent. It is what CKAN means by it, not
	// always the failing record: the insert method (and datastore_create's
	// records) runs one batched statement and reports the index of the
	// request's last record; upsert and update run per record and report
	// the failing one.
	RecordsRow *int
	// Info is the DataStore's "info" object (database error details), raw.
	Info json.RawMessage
	// Data is the "data" value (DataStore DataError text, or the request
	// echoed by a 400 Integrity Error), raw.
	Data json.RawMessage
	// Bare is the body of a bare-string 400 answer.
	Bare string
}

// Error describes the failure: action, status, type and messages. It never
// contains request headers, so never the API token.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ckan %s: HTTP %d", e.Action, e.StatusCode)
	if e.Type != "" {
		b.WriteString(" " + e.Type)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Bare != "" {
		b.WriteString(": " + e.Bare)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "; %s: %s", k, strings.Join(e.Fields[k], " | "))
	}
	if e.RecordsRow != nil {
		fmt.Fprintf(&b, " (records_row %d)", *e.RecordsRow)
	}
	return b.String()
}

// Is reports whether the error matches one of the package sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.Type == "Not Found Error"
	case ErrNotAuthorized:
		return e.StatusCode == http.StatusForbidden || e.Type == "Authorization Error"
	case ErrValidation:
		return e.Type == "Validation Error" || e.Type == "Integrity Error"
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest && e.Type == ""
	case ErrServer:
		return e.StatusCode >= 500
	case ErrRequestTooLarge:
		return e.StatusCode == http.StatusRequestEntityTooLarge
	}
	return false
}

// FieldError returns the first message for key, or "".
func (e *APIError) FieldError(key string) string {
	if msgs := e.Fields[key]; len(msgs) > 0 {
		return msgs[0]
	}
	return ""
}

// decodeAPIError builds an APIError from a non-success answer. body is the
// full response body; it may be an envelope, a bare string or anything else.
func decodeAPIError(action string, status int, body []byte) *APIError {
	e := &APIError{Action: action, StatusCode: status}
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, `"`) {
		var s string
		if json.Unmarshal(body, &s) == nil {
			e.Bare = s
			return e
		}
	}
	var env struct {
		Error map[string]json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Error == nil {
		e.Message = snippet(trimmed)
		return e
	}
	for k, raw := range env.Error {
		e.setErrorKey(k, raw)
	}
	return e
}

// setErrorKey stores one key of the CKAN error dict.
func (e *APIError) setErrorKey(k string, raw json.RawMessage) {
	switch k {
	case "__type":
		_ = json.Unmarshal(raw, &e.Type)
		return
	case "message":
		if json.Unmarshal(raw, &e.Message) != nil {
			e.Message = string(raw)
		}
		return
	case "records_row", "_records_row":
		var n int
		if json.Unmarshal(raw, &n) == nil {
			e.RecordsRow = &n
		}
		return
	case "info":
		e.Info = raw
		return
	case "data":
		e.Data = raw
		return
	}
	if e.Fields == nil {
		e.Fields = map[string][]string{}
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		e.Fields[k] = list
		return
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		e.Fields[k] = []string{s}
		return
	}
	e.Fields[k] = []string{string(raw)}
}

// snippet shortens a non-JSON body for an error message.
func snippet(s string) string {
	const limit = 200
	if len(s) > limit {
		return s[:limit] + "…"
	}
	return s
}
