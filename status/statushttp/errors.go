package statushttp

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/datafactory/datafactory/internal/httplog"
	"github.com/datafactory/datafactory/status"
)

// Error codes in JSON error bodies.
const (
	CodeUnauthorized      = "unauthorized"
	CodeForbidden         = "forbidden"
	CodeNotFound          = "not_found"
	CodeInvalid           = "invalid"
	CodeTooLarge          = "too_large"
	CodeExists            = "exists"
	CodeConflict          = "conflict"
	CodeNotRunning        = "not_running"
	CodeIllegalTransition = "illegal_transition"
	CodeInternal          = "internal"
)

// Log attribute keys.
const (
	logKeyMethod = "method"
	logKeyPath   = "path"
	logKeyError  = "error"
)

// errorBody is the JSON of every error response.
type errorBody struct {
	Message string           `json:"message"`
	Code    string           `json:"code,omitempty"`
	From    status.JobStatus `json:"from,omitempty"`
	To      status.JobStatus `json:"to,omitempty"`
	JobID   string           `json:"job_id,omitempty"`
}

// APIError is an error response from the server.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Message and Code come from the JSON body.
	Message, Code string
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("status API: %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), e.Message)
}

func writeError(w http.ResponseWriter, code int, errCode, msg string) {
	httplog.JSON(w, code, errorBody{Message: msg, Code: errCode})
}

// writeStoreError maps a store error to a response. Unclassified errors
// are logged and answered with a generic 500, so backend details (which
// may name hosts or users) never reach the client.
func (h *handler) writeStoreError(w http.ResponseWriter, r *http.Request, notFoundMsg string, err error) {
	var te *status.TransitionError
	switch {
	case errors.As(err, &te):
		httplog.JSON(w, http.StatusConflict, errorBody{Message: te.Error(), Code: CodeIllegalTransition,
			From: te.From, To: te.To, JobID: te.JobID})
	case errors.Is(err, status.ErrNotFound):
		writeError(w, http.StatusNotFound, CodeNotFound, notFoundMsg)
	case errors.Is(err, status.ErrInvalid):
		writeError(w, http.StatusBadRequest, CodeInvalid, publicMessage(err))
	case errors.Is(err, status.ErrExists):
		writeError(w, http.StatusConflict, CodeExists, publicMessage(err))
	case errors.Is(err, status.ErrConflict):
		writeError(w, http.StatusConflict, CodeConflict, publicMessage(err))
	case errors.Is(err, status.ErrNotRunning):
		writeError(w, http.StatusConflict, CodeNotRunning, publicMessage(err))
	default:
		h.log.ErrorContext(r.Context(), "status request failed", logKeyMethod, r.Method, logKeyPath, r.URL.Path,
			logKeyError, err.Error())
		writeError(w, http.StatusInternalServerError, CodeInternal, "Internal error")
	}
}

// publicMessage describes a classified store error without the backend's
// own error text (which names tables and constraints): the operation, the
// key and the kind, plus the reason for validation errors (our own text).
func publicMessage(err error) string {
	var se *status.Error
	if !errors.As(err, &se) || se.Kind == nil {
		return "Request failed"
	}
	msg := se.Op
	if se.Key != "" {
		msg += " " + se.Key
	}
	msg += ": " + se.Kind.Error()
	if se.Kind == status.ErrInvalid && se.Err != nil {
		msg += ": " + se.Err.Error()
	}
	return msg
}
