package httpsource

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped by [*PageError]; match with errors.Is.
var (
	// ErrStatus: the API answered with a status other than 2xx (after the
	// retries, for statuses that are retried).
	ErrStatus = errors.New("httpsource: unexpected status")
	// ErrMalformedPage: the body is not the JSON the pagination expects.
	ErrMalformedPage = errors.New("httpsource: malformed page")
	// ErrBudget: the source went over Options.MaxPages or MaxPageBytes.
	ErrBudget = errors.New("httpsource: over budget")
	// ErrForeignURL: a page URL or redirect leaves the source's origin, or
	// is not http(s); no request is made, so no credential leaves.
	ErrForeignURL = errors.New("httpsource: URL outside the source's origin")
	// ErrInvalidOptions: an options struct has a bad field.
	ErrInvalidOptions = errors.New("httpsource: invalid options")
)

// PageError is a page that could not be read.
type PageError struct {
	// Page is the page number, from 1.
	Page int
	// URL is the page URL without credentials.
	URL string
	// Status is the HTTP status, 0 when there was no answer.
	Status int
	// Err is the cause.
	Err error
}

// Error returns "httpsource: page N (URL): cause".
func (e *PageError) Error() string {
	return fmt.Sprintf("httpsource: page %d (%s): %v", e.Page, e.URL, e.Err)
}

// Unwrap returns the cause.
func (e *PageError) Unwrap() error { return e.Err }
