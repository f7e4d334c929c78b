package httplog

import (
	"encoding/json"
	"log/slog"
	"net/http"
)

// JSON writes v as a JSON response with the status code.
func JSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Message writes {"message": msg} with the status code.
func Message(w http.ResponseWriter, code int, msg string) {
	JSON(w, code, map[string]string{"message": msg})
}

// Internal logs err (what failed, the request's method, path and id) and
// answers 500 with a message that shows no detail of it, only the request
// id to quote. Outside [Wrap] the request gets a fresh id here, in the
// X-Request-Id response header; an id the client sent is never used.
func Internal(w http.ResponseWriter, r *http.Request, log *slog.Logger, what string, err error) {
	id := ID(r.Context())
	if id == "" {
		id = NewID()
		w.Header().Set(Header, id)
	}
	if log != nil {
		log.ErrorContext(r.Context(), what+" failed", "method", r.Method, "path", r.URL.Path,
			"request_id", id, "status", http.StatusInternalServerError, "error", err)
	}
	Message(w, http.StatusInternalServerError, "internal error (request id "+id+")")
}
