package pipelinehttp

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"

	"github.com/datafactory/datafactory/internal/httplog"
)

// errorWriter writes an error in one API's shape.
type errorWriter func(w http.ResponseWriter, code int, detail string)

// dag looks up the pipeline of the request, or writes 404.
func (h *Handler) dag(w http.ResponseWriter, r *http.Request, fail errorWriter) (DAG, bool) {
	name := r.PathValue("dag_id")
	d, ok := h.dags[name]
	if !ok {
		fail(w, http.StatusNotFound, fmt.Sprintf("DAG with dag_id: %q not found", name))
	}
	return d, ok
}

// trigger decodes a trigger request and starts the run, or writes the
// error: 400 for a bad request, 409 for a taken run id.
func (h *Handler) trigger(w http.ResponseWriter, r *http.Request, fail errorWriter) (runView, bool) {
	d, ok := h.dag(w, r, fail)
	if !ok {
		return runView{}, false
	}
	t, err := DecodeTrigger(r.Body)
	if err == nil {
		var run runView
		if run, err = h.start(r.Context(), d, t); err == nil {
			return run, true
		}
	}
	switch {
	case errors.Is(err, ErrTooLarge):
		fail(w, http.StatusRequestEntityTooLarge, err.Error())
	case errors.Is(err, ErrBadRequest):
		fail(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrRunExists):
		fail(w, http.StatusConflict, fmt.Sprintf("DAGRun with DAG ID: %q and DAGRun ID: %q already exists", d.Pipeline.Name(), t.RunID))
	case errors.Is(err, errStopped):
		fail(w, http.StatusServiceUnavailable, err.Error())
	default:
		h.serverError(w, r, fail, err)
	}
	return runView{}, false
}

// getRun reads the run of the request, or writes the error.
func (h *Handler) getRun(w http.ResponseWriter, r *http.Request, fail errorWriter) (runView, bool) {
	d, ok := h.dag(w, r, fail)
	if !ok {
		return runView{}, false
	}
	id := r.PathValue("run_id")
	run, err := h.run(r.Context(), d.Pipeline.Name(), id)
	switch {
	case errors.Is(err, ErrRunNotFound):
		fail(w, http.StatusNotFound, fmt.Sprintf("DAGRun with DAG ID: %q and DagRun ID: %q not found", d.Pipeline.Name(), id))
		return runView{}, false
	case err != nil:
		h.serverError(w, r, fail, err)
		return runView{}, false
	}
	return run, true
}

// listRuns reads a page of runs (?limit=, ?offset=), or writes the error.
func (h *Handler) listRuns(w http.ResponseWriter, r *http.Request, fail errorWriter) ([]runView, int, bool) {
	d, ok := h.dag(w, r, fail)
	if !ok {
		return nil, 0, false
	}
	limit, err := queryInt(r, "limit", DefaultListLimit, 1, MaxListLimit)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return nil, 0, false
	}
	offset, err := queryInt(r, "offset", 0, 0, 1<<31-1)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return nil, 0, false
	}
	runs, total, err := h.list(r.Context(), d.Pipeline.Name(), limit, offset)
	if err != nil {
		h.serverError(w, r, fail, err)
		return nil, 0, false
	}
	return runs, total, true
}

// serverError logs err with the request id and writes a 500 that does not
// show it.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, fail errorWriter, err error) {
	id := httplog.ID(r.Context())
	h.o.Logger.ErrorContext(r.Context(), "pipelinehttp: request failed", slog.String("request_id", id),
		slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	fail(w, http.StatusInternalServerError, "internal error (request id "+id+")")
}

// queryInt reads an integer query parameter within [lo, hi].
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be an integer from %d to %d", name, lo, hi)
	}
	return n, nil
}

func sortedNames(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return out
}
