package ckantest

import (
	"fmt"
	"net/http"
)

// apiError is an action failure rendered as CKAN's error envelope.
type apiError struct {
	status int
	body   map[string]any
}

func (e *apiError) Error() string { return fmt.Sprintf("HTTP %d %v", e.status, e.body) }

// validationError is CKAN's ValidationError: 409 with the error dict.
func validationError(errs map[string]any) *apiError {
	body := map[string]any{"__type": "Validation Error"}
	for k, v := range errs {
		body[k] = v
	}
	return &apiError{status: http.StatusConflict, body: body}
}

// fieldError is a ValidationError with one message under key.
func fieldError(key, msg string) *apiError {
	return validationError(map[string]any{key: []string{msg}})
}

// notFound is CKAN's NotFound: 404 "Not found[: msg]".
func notFound(msg string) *apiError {
	m := "Not found"
	if msg != "" {
		m += ": " + msg
	}
	return &apiError{status: http.StatusNotFound, body: map[string]any{"__type": "Not Found Error", "message": m}}
}

// notAuthorized is CKAN's NotAuthorized: 403 "Access denied[: msg]".
func notAuthorized(msg string) *apiError {
	m := "Access denied"
	if msg != "" {
		m += ": " + msg
	}
	return &apiError{status: http.StatusForbidden, body: map[string]any{"__type": "Authorization Error", "message": m}}
}

// integrityError is navl's DataError: 400 "Integrity Error".
func integrityError(msg string, data any) *apiError {
	return &apiError{status: http.StatusBadRequest, body: map[string]any{"__type": "Integrity Error", "message": msg, "data": data}}
}

// internalError is any other exception: 500.
func internalError() *apiError {
	return &apiError{status: http.StatusInternalServerError, body: map[string]any{"__type": "Internal Server Error", "message": "Internal Server Error"}}
}

// badRequest is a bare-string 400 answer.
type badRequest string

func (e badRequest) Error() string { return string(e) }
