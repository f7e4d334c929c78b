package connection

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrNotConfigured is matched by errors for a name no connection has.
var ErrNotConfigured = errors.New("connection: not configured")

// ErrRefused is matched by errors for a reference the operator did not
// allow: a raw URL, an env: reference or a local path outside the roots.
var ErrRefused = errors.New("connection: refused")

// RefError reports a reference that could not be resolved.
type RefError struct {
	// Kind is what was looked up: "database", "bucket", "CKAN site",
	// "store" or "path".
	Kind string
	// Ref is the reference in a printable form: a URL without user
	// information or query, an env: reference without its value, a path.
	Ref string
	// Reason says why, e.g. "host is not on the allow-list".
	Reason string
	// Err is ErrNotConfigured or ErrRefused.
	Err error
}

// Error returns e.g. `connection: database "postgres://evil:5432/db" refused: host is not on the allow-list`.
func (e *RefError) Error() string {
	verb := "refused"
	if e.Err == ErrNotConfigured {
		verb = "is not configured"
	}
	return fmt.Sprintf("connection: %s %q %s: %s", e.Kind, e.Ref, verb, e.Reason)
}

// Unwrap returns ErrNotConfigured or ErrRefused.
func (e *RefError) Unwrap() error { return e.Err }

func refused(kind, ref, reason string) error {
	return &RefError{Kind: kind, Ref: printable(ref), Reason: reason, Err: ErrRefused}
}

func notConfigured(kind, ref, reason string) error {
	return &RefError{Kind: kind, Ref: printable(ref), Reason: reason, Err: ErrNotConfigured}
}

// maxPrintable bounds a reference repeated in an error.
const maxPrintable = 200

// printable returns a reference fit for an error message: a URL loses its
// user information, query and fragment (which may carry secrets), a URL
// that does not parse is not repeated at all, and long references are cut.
func printable(ref string) string {
	if strings.Contains(ref, "://") {
		u, err := url.Parse(ref)
		if err != nil {
			return "(unparsable URL)"
		}
		u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
		ref = u.String()
	}
	var b strings.Builder
	for _, r := range ref {
		if b.Len() >= maxPrintable {
			b.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}
