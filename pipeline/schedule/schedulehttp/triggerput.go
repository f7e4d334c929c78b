package schedulehttp

import (
	"net/http"

	"github.com/datafactory/datafactory/internal/httplog"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// putTrigger creates (201) or replaces (200) the trigger a spec body
// describes, and answers with the trigger as GET shows it.
func (h *Handler) putTrigger(w http.ResponseWriter, r *http.Request) {
	var ts schedule.TriggerSpec
	if err := decode(w, r, triggerSchema, &ts); err != nil {
		h.fail(w, r, "", err)
		return
	}
	created, err := h.s.PutTrigger(r.Context(), r.PathValue("id"), ts)
	if err != nil {
		h.fail(w, r, "put trigger", err)
		return
	}
	v, err := h.trigger(r, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "trigger state", err)
		return
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
	}
	httplog.JSON(w, code, v)
}

// deleteTrigger removes a trigger put from a spec (204).
func (h *Handler) deleteTrigger(w http.ResponseWriter, r *http.Request) {
	if err := h.s.DeleteTrigger(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, "delete trigger", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
