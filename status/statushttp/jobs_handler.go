package statushttp

import (
	"net/http"
	"strconv"
	"time"

	"github.com/datafactory/datafactory/internal/httplog"
	"github.com/datafactory/datafactory/status"
)

// jobList is the body of GET /jobs and POST /jobs/reap.
type jobList struct {
	Jobs   []status.Job `json:"jobs"`
	Limit  int          `json:"limit,omitempty"`
	Offset int          `json:"offset,omitempty"`
}

// transitionBody is the body of POST /jobs/{id}/transition.
type transitionBody struct {
	Status status.JobStatus `json:"status"`
	Info   map[string]any   `json:"info,omitempty"`
}

// reapBody is the body of POST /jobs/reap.
type reapBody struct {
	OlderThanMS int64 `json:"older_than_ms"`
}

func (h *handler) listJobs(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := status.JobQuery{Dataset: v.Get("dataset"), Resource: v.Get("resource"),
		FactoryID: v.Get("factory_id"), Status: status.JobStatus(v.Get("status"))}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &q.Limit}, {"offset", &q.Offset}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			writeError(w, http.StatusBadRequest, CodeInvalid, p.name+" is not a number")
			return
		}
		*p.dst = n
	}
	jobs, err := h.store.ListJobs(r.Context(), &q)
	if err != nil {
		h.writeStoreError(w, r, "Not found", err)
		return
	}
	if jobs == nil {
		jobs = []status.Job{}
	}
	if q.Limit == 0 {
		q.Limit = status.DefaultJobLimit
	}
	httplog.JSON(w, http.StatusOK, jobList{Jobs: jobs, Limit: q.Limit, Offset: q.Offset})
}

func (h *handler) getJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	j, err := h.store.Job(r.Context(), id)
	if err != nil {
		h.writeStoreError(w, r, "Could not find job: "+id, err)
		return
	}
	httplog.JSON(w, http.StatusOK, j)
}

func (h *handler) createJob(w http.ResponseWriter, r *http.Request) {
	var j status.Job
	if !decode(w, r, &j) {
		return
	}
	out, err := h.store.CreateJob(r.Context(), j)
	if err != nil {
		h.writeStoreError(w, r, "Not found", err)
		return
	}
	httplog.JSON(w, http.StatusCreated, out)
}

func (h *handler) transition(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var b transitionBody
	if !decode(w, r, &b) {
		return
	}
	j, err := h.store.Transition(r.Context(), id, b.Status, b.Info)
	if err != nil {
		h.writeStoreError(w, r, "Could not find job: "+id, err)
		return
	}
	httplog.JSON(w, http.StatusOK, j)
}

func (h *handler) heartbeat(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := h.store.Heartbeat(r.Context(), id); err != nil {
		h.writeStoreError(w, r, "Could not find job: "+id, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) reap(w http.ResponseWriter, r *http.Request) {
	var b reapBody
	if !decode(w, r, &b) {
		return
	}
	jobs, err := h.store.Reap(r.Context(), time.Duration(b.OlderThanMS)*time.Millisecond)
	if err != nil {
		h.writeStoreError(w, r, "Not found", err)
		return
	}
	if jobs == nil {
		jobs = []status.Job{}
	}
	httplog.JSON(w, http.StatusOK, jobList{Jobs: jobs})
}
