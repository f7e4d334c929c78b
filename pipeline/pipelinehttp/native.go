package pipelinehttp

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/datafactory/datafactory/internal/httplog"
)

// nativeRun is a run in the native API.
type nativeRun struct {
	Pipeline    string          `json:"pipeline"`
	RunID       string          `json:"run_id"`
	Status      string          `json:"status"` // the job's: WAITING, RUNNING, DONE, FAILED, CANCELLED
	Conf        json.RawMessage `json:"conf"`
	LogicalDate time.Time       `json:"logical_date"`
	Start       *time.Time      `json:"start,omitempty"`
	End         *time.Time      `json:"end,omitempty"`
	Error       string          `json:"error,omitempty"`
	Tasks       []nativeTask    `json:"tasks"`
}

// nativeTask is a task of a run in the native API.
type nativeTask struct {
	Task     string     `json:"task"`
	State    string     `json:"state,omitempty"` // pipeline.State
	Attempts int        `json:"attempts"`
	Start    *time.Time `json:"start,omitempty"`
	End      *time.Time `json:"end,omitempty"`
	Error    string     `json:"error,omitempty"`
}

func (r runView) native() nativeRun {
	out := nativeRun{Pipeline: r.DAG, RunID: r.ID, Status: string(r.Status), Conf: r.Conf, LogicalDate: r.LogicalDate,
		Start: timePtr(r.Start), End: timePtr(r.End), Error: r.Error, Tasks: make([]nativeTask, 0, len(r.Tasks))}
	for _, t := range r.Tasks {
		out.Tasks = append(out.Tasks, nativeTask{Task: t.Name, State: t.State, Attempts: t.Attempts,
			Start: timePtr(t.Start), End: timePtr(t.End), Error: t.Error})
	}
	return out
}

type nativePipeline struct {
	Name       string          `json:"name"`
	Tasks      []string        `json:"tasks"`
	ConfSchema json.RawMessage `json:"conf_schema,omitempty"`
}

func (h *Handler) nativePipelines(w http.ResponseWriter, _ *http.Request) {
	out := make([]nativePipeline, 0, len(h.names))
	for _, name := range sortedNames(h.names) {
		p := h.dags[name].Pipeline
		out = append(out, nativePipeline{Name: name, Tasks: p.Tasks(), ConfSchema: p.ConfSchema()})
	}
	httplog.JSON(w, http.StatusOK, map[string]any{"pipelines": out, "total_entries": len(out)})
}

func (h *Handler) nativeTrigger(w http.ResponseWriter, r *http.Request) {
	if run, ok := h.trigger(w, r, nativeErrors); ok {
		httplog.JSON(w, http.StatusCreated, run.native())
	}
}

func (h *Handler) nativeList(w http.ResponseWriter, r *http.Request) {
	runs, total, ok := h.listRuns(w, r, nativeErrors)
	if !ok {
		return
	}
	out := make([]nativeRun, 0, len(runs))
	for _, run := range runs {
		out = append(out, run.native())
	}
	httplog.JSON(w, http.StatusOK, map[string]any{"runs": out, "total_entries": total})
}

func (h *Handler) nativeGet(w http.ResponseWriter, r *http.Request) {
	if run, ok := h.getRun(w, r, nativeErrors); ok {
		httplog.JSON(w, http.StatusOK, run.native())
	}
}

// nativeErrors writes {"error": detail}.
func nativeErrors(w http.ResponseWriter, code int, detail string) {
	httplog.JSON(w, code, map[string]string{"error": detail})
}
