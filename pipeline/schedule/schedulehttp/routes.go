package schedulehttp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/datafactory/datafactory/internal/httplog"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

type stateBody struct {
	State  schedule.Activation `json:"state"`
	Reason string              `json:"reason"`
}

type confBody struct {
	Conf json.RawMessage `json:"conf"`
}

type pipelineView struct {
	Name   string                   `json:"name"`
	Active int                      `json:"active_runs"`
	State  schedule.ActivationState `json:"activation"`
}

func (h *Handler) pipelineView(r *http.Request, name string) (pipelineView, error) {
	st, err := h.s.PipelineState(r.Context(), name)
	return pipelineView{Name: name, Active: h.s.Active(name), State: st}, err
}

func (h *Handler) listPipelines(w http.ResponseWriter, r *http.Request) {
	out := []pipelineView{}
	for _, n := range h.s.Pipelines() {
		v, err := h.pipelineView(r, n)
		if err != nil {
			h.fail(w, r, "pipeline state", err)
			return
		}
		out = append(out, v)
	}
	httplog.JSON(w, http.StatusOK, map[string]any{"pipelines": out})
}

func (h *Handler) getPipeline(w http.ResponseWriter, r *http.Request) {
	v, err := h.pipelineView(r, r.PathValue("name"))
	if err != nil {
		h.fail(w, r, "pipeline state", err)
		return
	}
	httplog.JSON(w, http.StatusOK, v)
}

func (h *Handler) setPipelineState(w http.ResponseWriter, r *http.Request) {
	var b stateBody
	if err := decode(w, r, stateSchema, &b); err != nil {
		h.fail(w, r, "", err)
		return
	}
	if err := h.s.SetPipelineState(r.Context(), r.PathValue("name"), b.State, b.Reason); err != nil {
		h.fail(w, r, "set pipeline state", err)
		return
	}
	h.getPipeline(w, r)
}

func (h *Handler) manualRun(w http.ResponseWriter, r *http.Request) {
	var b confBody
	if err := decode(w, r, confSchema, &b); err != nil {
		h.fail(w, r, "", err)
		return
	}
	if err := h.s.RunNow(r.Context(), r.PathValue("name"), b.Conf); err != nil {
		h.fail(w, r, "manual run", err)
		return
	}
	httplog.JSON(w, http.StatusAccepted, map[string]string{"pipeline": r.PathValue("name"), "trigger": "manual"})
}

type triggerView struct {
	schedule.TriggerInfo
	State schedule.ActivationState `json:"activation"`
}

func (h *Handler) trigger(r *http.Request, id string) (triggerView, error) {
	i := slices.IndexFunc(h.s.Triggers(), func(t schedule.TriggerInfo) bool { return t.ID == id })
	if i < 0 {
		return triggerView{}, fmt.Errorf("trigger %q: %w", id, errNotFound)
	}
	st, err := h.s.TriggerState(r.Context(), id)
	return triggerView{TriggerInfo: h.s.Triggers()[i], State: st}, err
}

func (h *Handler) listTriggers(w http.ResponseWriter, r *http.Request) {
	out := []triggerView{}
	for _, t := range h.s.Triggers() {
		v, err := h.trigger(r, t.ID)
		if err != nil {
			h.fail(w, r, "trigger state", err)
			return
		}
		out = append(out, v)
	}
	httplog.JSON(w, http.StatusOK, map[string]any{"triggers": out})
}

func (h *Handler) getTrigger(w http.ResponseWriter, r *http.Request) {
	v, err := h.trigger(r, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "trigger state", err)
		return
	}
	httplog.JSON(w, http.StatusOK, v)
}

func (h *Handler) setTriggerState(w http.ResponseWriter, r *http.Request) {
	var b stateBody
	if err := decode(w, r, stateSchema, &b); err != nil {
		h.fail(w, r, "", err)
		return
	}
	if _, err := h.trigger(r, r.PathValue("id")); err != nil {
		h.fail(w, r, "trigger state", err)
		return
	}
	if err := h.s.SetTriggerState(r.Context(), r.PathValue("id"), b.State, b.Reason); err != nil {
		h.fail(w, r, "set trigger state", err)
		return
	}
	h.getTrigger(w, r)
}

func (h *Handler) elementStats(w http.ResponseWriter, r *http.Request) {
	v, err := h.trigger(r, r.PathValue("id"))
	if err == nil && v.Kind != "files" {
		err = fmt.Errorf("%w: trigger %s is a %s trigger, not a files trigger", errBadRequest, v.ID, v.Kind)
	}
	if err != nil {
		h.fail(w, r, "element stats", err)
		return
	}
	stats, err := h.s.FileStats(r.Context(), v.ID)
	if err != nil {
		h.fail(w, r, "element stats", err)
		return
	}
	httplog.JSON(w, http.StatusOK, map[string]any{"trigger": v.ID, "stats": stats})
}

func (h *Handler) getEvent(w http.ResponseWriter, r *http.Request) {
	if err := pipeline.ValidateName(r.PathValue("name")); err != nil {
		h.fail(w, r, "", fmt.Errorf("%w: event: %w", errBadRequest, err))
		return
	}
	st, err := h.s.EventState(r.Context(), r.PathValue("name"))
	if err != nil {
		h.fail(w, r, "event state", err)
		return
	}
	httplog.JSON(w, http.StatusOK, map[string]any{"name": r.PathValue("name"), "activation": st})
}

func (h *Handler) setEventState(w http.ResponseWriter, r *http.Request) {
	var b stateBody
	if err := decode(w, r, stateSchema, &b); err != nil {
		h.fail(w, r, "", err)
		return
	}
	if err := h.s.SetEventState(r.Context(), r.PathValue("name"), b.State, b.Reason); err != nil {
		h.fail(w, r, "set event state", fmt.Errorf("%w: %w", errBadRequest, err))
		return
	}
	h.getEvent(w, r)
}

func (h *Handler) fireEvent(w http.ResponseWriter, r *http.Request) {
	var b confBody
	if err := decode(w, r, confSchema, &b); err != nil {
		h.fail(w, r, "", err)
		return
	}
	if err := pipeline.ValidateName(r.PathValue("name")); err != nil {
		h.fail(w, r, "", fmt.Errorf("%w: event: %w", errBadRequest, err))
		return
	}
	if err := h.s.FireEvent(r.Context(), r.PathValue("name"), b.Conf); err != nil {
		h.fail(w, r, "fire event", err)
		return
	}
	httplog.JSON(w, http.StatusAccepted, map[string]string{"event": r.PathValue("name")})
}
