package statushttp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/datafactory/datafactory/internal/httpauth"
	"github.com/datafactory/datafactory/internal/httplog"
	"github.com/datafactory/datafactory/status"
)

// DefaultMaxBodyBytes is HandlerOptions.MaxBodyBytes' default.
const DefaultMaxBodyBytes = 1 << 20

// HandlerOptions configure NewHandler. The zero value (or nil) means
// defaults.
type HandlerOptions struct {
	// Tokens are the accepted bearer tokens. Default none: every request
	// is refused unless AllowUnauthenticated is set.
	Tokens []string
	// AllowUnauthenticated serves requests without checking tokens.
	// Default false.
	AllowUnauthenticated bool
	// Authorize, when set, decides per trace after the token check, like
	// status-api's dataset permission check: it gets the token and the
	// dataset of the trace's first event (status.DatasetID; "" when the
	// trace is not about a dataset) and false gives 403. It applies to the
	// status endpoints; job endpoints need only a valid token. Default:
	// allow.
	Authorize func(ctx context.Context, token, datasetID string) bool
	// MaxBodyBytes caps request bodies; larger ones get 413. Default
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Logger receives unexpected store errors. Default: discard.
	Logger *slog.Logger
}

type handler struct {
	store  *status.Store
	opts   HandlerOptions
	tokens httpauth.Tokens
	log    *slog.Logger
	mux    *http.ServeMux
}

// NewHandler returns the HTTP API over s.
func NewHandler(s *status.Store, opts *HandlerOptions) http.Handler {
	h := &handler{store: s}
	if opts != nil {
		h.opts = *opts
	}
	if h.opts.MaxBodyBytes <= 0 {
		h.opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	h.log = h.opts.Logger
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.tokens = httpauth.NewTokens(h.opts.Tokens...)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /status", h.startTrace)
	mux.HandleFunc("GET /status/{trace_id}", h.getTrace)
	mux.HandleFunc("POST /status/{trace_id}", h.addEvent)
	mux.HandleFunc("GET /jobs", h.listJobs)
	mux.HandleFunc("POST /jobs", h.createJob)
	mux.HandleFunc("POST /jobs/reap", h.reap)
	mux.HandleFunc("GET /jobs/{id}", h.getJob)
	mux.HandleFunc("POST /jobs/{id}/transition", h.transition)
	mux.HandleFunc("POST /jobs/{id}/heartbeat", h.heartbeat)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, CodeNotFound, "Not found")
	})
	h.mux = mux
	return h
}

type tokenKey struct{}

// ServeHTTP checks the token and size limit, then routes.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	if r.ContentLength > h.opts.MaxBodyBytes {
		writeError(w, http.StatusRequestEntityTooLarge, CodeTooLarge,
			fmt.Sprintf("Request body is larger than %d bytes", h.opts.MaxBodyBytes))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes)
	r = r.WithContext(context.WithValue(r.Context(), tokenKey{}, token))
	// status-from-path is routed here: its base64 may hold "//", which
	// ServeMux would "clean" with a redirect.
	if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), fromPathPrefix); ok && r.Method == http.MethodGet {
		raw, err := url.PathUnescape(rest)
		if err != nil {
			writeError(w, http.StatusBadRequest, CodeInvalid, "Path is not base64: bad escape")
			return
		}
		h.fromPath(w, r, raw)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// fromPathPrefix starts status-from-path URLs.
const fromPathPrefix = "/status-from-path/"

// authenticate returns the bearer token, or writes 401 with a
// WWW-Authenticate challenge (no, malformed or unknown token). The scheme
// is matched case-insensitively.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request) (string, bool) {
	c, ok := httpauth.Parse(r)
	if h.opts.AllowUnauthenticated {
		return c.Bearer, true
	}
	if !ok || c.Bearer == "" {
		httpauth.Challenge(w, false, "Bearer")
		writeError(w, http.StatusUnauthorized, CodeUnauthorized, "Unauthorized")
		return "", false
	}
	if !h.tokens.Has(c.Bearer) {
		httpauth.Challenge(w, true, "Bearer")
		writeError(w, http.StatusUnauthorized, CodeUnauthorized, "Invalid token")
		return "", false
	}
	return c.Bearer, true
}

// allowed applies HandlerOptions.Authorize for an event's dataset.
func (h *handler) allowed(w http.ResponseWriter, r *http.Request, ev status.Event) bool {
	if h.opts.Authorize == nil {
		return true
	}
	token, _ := r.Context().Value(tokenKey{}).(string)
	if h.opts.Authorize(r.Context(), token, status.DatasetID(ev)) {
		return true
	}
	writeError(w, http.StatusForbidden, CodeForbidden, "Access denied")
	return false
}

// decode reads one JSON value from the body: 413 when too large, 400 when
// malformed.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON value")
	}
	if err == nil {
		if _, rest := io.Copy(io.Discard, r.Body); rest != nil {
			err = rest
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, CodeTooLarge,
			fmt.Sprintf("Request body is larger than %d bytes", tooLarge.Limit))
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, CodeInvalid, "Invalid JSON: empty body")
	default:
		writeError(w, http.StatusBadRequest, CodeInvalid, "Invalid JSON: "+err.Error())
	}
	return false
}

func (h *handler) startTrace(w http.ResponseWriter, r *http.Request) {
	var ev status.Event
	if !decode(w, r, &ev) || !h.allowed(w, r, ev) {
		return
	}
	out, err := h.store.StartTrace(r.Context(), ev)
	if err != nil {
		h.writeStoreError(w, r, "Could not create status", err)
		return
	}
	httplog.JSON(w, http.StatusOK, map[string]string{"trace_id": out.TraceID})
}

// traceEvents loads a trace and applies the authorization check to its
// first event; false means a response was written.
func (h *handler) traceEvents(w http.ResponseWriter, r *http.Request, traceID, notFound string) ([]status.Event, bool) {
	evs, err := h.store.Events(r.Context(), traceID)
	if err != nil {
		h.writeStoreError(w, r, notFound, err)
		return nil, false
	}
	return evs, h.allowed(w, r, evs[0])
}

func (h *handler) getTrace(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("trace_id")
	evs, ok := h.traceEvents(w, r, id, "Could not find item: "+id)
	if ok {
		httplog.JSON(w, http.StatusOK, evs)
	}
}

func (h *handler) addEvent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("trace_id")
	var ev status.Event
	if !decode(w, r, &ev) {
		return
	}
	notFound := "Could not find the requested item to update: " + id
	if h.opts.Authorize != nil {
		if _, ok := h.traceEvents(w, r, id, notFound); !ok {
			return
		}
	}
	ev.TraceID = id // as status-api: the path wins over the body
	out, err := h.store.AddEvent(r.Context(), ev)
	if err != nil {
		h.writeStoreError(w, r, notFound, err)
		return
	}
	httplog.JSON(w, http.StatusOK, out)
}

func (h *handler) fromPath(w http.ResponseWriter, r *http.Request, encoded string) {
	path, err := decodePath(encoded)
	if err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalid, "Path is not base64: "+err.Error())
		return
	}
	id, err := h.store.TraceIDFromPath(r.Context(), path)
	if err != nil {
		h.writeStoreError(w, r, "Could not find item", err)
		return
	}
	if _, ok := h.traceEvents(w, r, id, "Could not find item"); !ok {
		return
	}
	httplog.JSON(w, http.StatusOK, map[string]string{"id": id, "trace_id": id})
}

// decodePath decodes standard base64 (padding optional; the URL-safe
// alphabet is also accepted) and drops invalid UTF-8, as status-api does.
func decodePath(s string) (string, error) {
	var firstErr error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err == nil {
			return strings.ToValidUTF8(string(b), ""), nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return "", firstErr
}
