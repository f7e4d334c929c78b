package pipelinehttp

import "context"

// Cancel cancels a run executing in this process (its job ends CANCELLED
// and its DAG.Cancelled hook runs). It reports whether there was such a
// run; runs of other processes, and ended ones, are not cancelled.
func (h *Handler) Cancel(runID string) bool {
	h.mu.Lock()
	cancel, ok := h.cancels[runID]
	h.mu.Unlock()
	if ok {
		cancel()
	}
	return ok
}

// track returns the context of a run, cancelled by Cancel or Stop.
func (h *Handler) track(id string) context.Context {
	ctx, cancel := context.WithCancel(h.runCtx)
	h.mu.Lock()
	h.cancels[id] = cancel
	h.mu.Unlock()
	return ctx
}

// untrack forgets a run that ended.
func (h *Handler) untrack(id string) {
	h.mu.Lock()
	cancel := h.cancels[id]
	delete(h.cancels, id)
	h.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}
