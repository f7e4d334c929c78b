// Package schedulehttp serves a [schedule.Scheduler] over HTTP: its
// pipelines, triggers and events with their ACTIVE/INACTIVE states, manual
// runs (refused with 400 and the reason when the pipeline is inactive or at
// its concurrency limit), event firing, a files trigger's element
// statistics, and triggers created, replaced or deleted from a spec
// (PUT and DELETE /v1/schedule/triggers/{id}; the operator's own triggers
// answer 403). Every body is size-limited and validated against a JSON
// Schema (unknown fields refused); errors name the field.
package schedulehttp

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/datafactory/datafactory/internal/httplog"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// Handler serves a scheduler. Mount it with [Handler.Register].
type Handler struct {
	s   *schedule.Scheduler
	log *slog.Logger
}

// New returns a handler for s; log receives 5xx errors (nil discards).
func New(s *schedule.Scheduler, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{s: s, log: log}
}

// Register mounts the API under /v1/schedule/ on mux, each route wrapped by
// wrap (authentication; nil for none).
func (h *Handler) Register(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	if wrap == nil {
		wrap = func(x http.Handler) http.Handler { return x }
	}
	for pattern, f := range map[string]http.HandlerFunc{
		"GET /v1/schedule/pipelines":                     h.listPipelines,
		"GET /v1/schedule/pipelines/{name}":              h.getPipeline,
		"PUT /v1/schedule/pipelines/{name}/state":        h.setPipelineState,
		"POST /v1/schedule/pipelines/{name}/manual-runs": h.manualRun,
		"GET /v1/schedule/triggers":                      h.listTriggers,
		"GET /v1/schedule/triggers/{id}":                 h.getTrigger,
		"PUT /v1/schedule/triggers/{id}":                 h.putTrigger,
		"DELETE /v1/schedule/triggers/{id}":              h.deleteTrigger,
		"PUT /v1/schedule/triggers/{id}/state":           h.setTriggerState,
		"GET /v1/schedule/triggers/{id}/element-stats":   h.elementStats,
		"GET /v1/schedule/events/{name}":                 h.getEvent,
		"PUT /v1/schedule/events/{name}/state":           h.setEventState,
		"POST /v1/schedule/events/{name}/fire":           h.fireEvent,
	} {
		mux.Handle(pattern, wrap(f))
	}
}

// fail writes err: 400 with its text for a refused request, 404 for an
// unknown name, else 500 (logged, not shown).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	switch {
	case errors.Is(err, schedule.ErrInactive), errors.Is(err, schedule.ErrAtLimit), errors.Is(err, pipeline.ErrInvalidConf),
		errors.Is(err, schedule.ErrInvalidTrigger), errors.Is(err, errBadRequest):
		httplog.Message(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, schedule.ErrOperatorTrigger):
		httplog.Message(w, http.StatusForbidden, err.Error())
	case errors.Is(err, pipeline.ErrUnknownTask), errors.Is(err, errNotFound):
		httplog.Message(w, http.StatusNotFound, err.Error())
	default:
		httplog.Internal(w, r, h.log, what, err)
	}
}
