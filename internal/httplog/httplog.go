// Package httplog gives every HTTP request an id, carried by the response
// (header X-Request-Id) and by the request's context, and logs every
// response with a 5xx status together with that id.
package httplog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
)

// Header is the response header carrying the request id.
const Header = "X-Request-Id"

type idKey struct{}

// ID returns the request id of ctx, "" outside [Wrap].
func ID(ctx context.Context) string {
	id, _ := ctx.Value(idKey{}).(string)
	return id
}

// NewID returns a fresh request id (16 hex digits).
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Wrap returns h with a request id on every request and response, and an
// error log entry (method, path, status, request id) for every 5xx. An id
// a client sent is not trusted: each request gets a new one.
func Wrap(h http.Handler, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := NewID()
		w.Header().Set(Header, id)
		rw := &recorder{ResponseWriter: w}
		h.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), idKey{}, id)))
		if rw.code >= 500 {
			log.ErrorContext(r.Context(), "server error", slog.String("request_id", id), slog.String("method", r.Method),
				slog.String("path", r.URL.Path), slog.Int("status", rw.code))
		}
	})
}

// recorder remembers the status code written.
type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
