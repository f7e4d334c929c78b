package pipelinehttp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/datafactory/datafactory/internal/httplog"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status"
)

// Airflow DAG run states.
const (
	dagQueued  = "queued"
	dagRunning = "running"
	dagSuccess = "success"
	dagFailed  = "failed"
)

// airflowRun is Airflow's DAGRun.
type airflowRun struct {
	DagID       string          `json:"dag_id"`
	RunID       string          `json:"dag_run_id"`
	State       string          `json:"state"`
	Conf        json.RawMessage `json:"conf"`
	LogicalDate time.Time       `json:"logical_date"`
	Execution   time.Time       `json:"execution_date"`
	Start       *time.Time      `json:"start_date"`
	End         *time.Time      `json:"end_date"`
	External    bool            `json:"external_trigger"`
	RunType     string          `json:"run_type"`
	Note        *string         `json:"note"`
}

// airflowTask is Airflow's TaskInstance.
type airflowTask struct {
	TaskID   string     `json:"task_id"`
	DagID    string     `json:"dag_id"`
	RunID    string     `json:"dag_run_id"`
	State    *string    `json:"state"`
	Start    *time.Time `json:"start_date"`
	End      *time.Time `json:"end_date"`
	Duration *float64   `json:"duration"`
	Try      int        `json:"try_number"`
}

func (r runView) airflow() airflowRun {
	out := airflowRun{DagID: r.DAG, RunID: r.ID, State: dagState(r.Status), Conf: r.Conf, LogicalDate: r.LogicalDate,
		Execution: r.LogicalDate, Start: timePtr(r.Start), End: timePtr(r.End), External: r.External, RunType: r.RunType}
	if r.Error != "" {
		out.Note = &r.Error
	}
	return out
}

// dagState maps a job status to Airflow's DAG run states.
func dagState(s status.JobStatus) string {
	switch s {
	case status.JobWaiting:
		return dagQueued
	case status.JobRunning:
		return dagRunning
	case status.JobDone:
		return dagSuccess
	}
	return dagFailed
}

func (r runView) airflowTasks() []airflowTask {
	out := make([]airflowTask, 0, len(r.Tasks))
	for _, t := range r.Tasks {
		ti := airflowTask{TaskID: t.Name, DagID: r.DAG, RunID: r.ID, Try: t.Attempts, Start: timePtr(t.Start)}
		if t.State != "" {
			st := taskState(pipeline.State(t.State))
			ti.State = &st
			if pipeline.State(t.State).Terminal() {
				ti.End = timePtr(t.End)
			}
		}
		if ti.Start != nil && ti.End != nil {
			d := ti.End.Sub(*ti.Start).Seconds()
			ti.Duration = &d
		}
		out = append(out, ti)
	}
	return out
}

// taskState maps a pipeline state to Airflow's task instance states.
func taskState(s pipeline.State) string {
	switch s {
	case pipeline.StatePending:
		return "scheduled"
	case pipeline.StateRunning:
		return "running"
	case pipeline.StateUpForRetry:
		return "up_for_retry"
	case pipeline.StateSuccess:
		return "success"
	case pipeline.StateSkipped:
		return "upstream_failed"
	}
	return "failed" // FAILED, CANCELLED
}

type airflowDag struct {
	DagID       string `json:"dag_id"`
	IsPaused    bool   `json:"is_paused"`
	IsActive    bool   `json:"is_active"`
	Description string `json:"description,omitempty"`
}

func (h *Handler) listDags(w http.ResponseWriter, _ *http.Request) {
	dags := make([]airflowDag, 0, len(h.names))
	for _, name := range sortedNames(h.names) {
		dags = append(dags, airflowDag{DagID: name, IsActive: true})
	}
	httplog.JSON(w, http.StatusOK, map[string]any{"dags": dags, "total_entries": len(dags)})
}

func (h *Handler) getDag(w http.ResponseWriter, r *http.Request) {
	d, ok := h.dag(w, r, airflowErrors)
	if ok {
		httplog.JSON(w, http.StatusOK, airflowDag{DagID: d.Pipeline.Name(), IsActive: true})
	}
}

func (h *Handler) airflowTrigger(w http.ResponseWriter, r *http.Request) {
	run, ok := h.trigger(w, r, airflowErrors)
	if ok {
		httplog.JSON(w, http.StatusOK, run.airflow())
	}
}

func (h *Handler) airflowList(w http.ResponseWriter, r *http.Request) {
	runs, total, ok := h.listRuns(w, r, airflowErrors)
	if !ok {
		return
	}
	out := make([]airflowRun, 0, len(runs))
	for _, run := range runs {
		out = append(out, run.airflow())
	}
	httplog.JSON(w, http.StatusOK, map[string]any{"dag_runs": out, "total_entries": total})
}

func (h *Handler) airflowGet(w http.ResponseWriter, r *http.Request) {
	if run, ok := h.getRun(w, r, airflowErrors); ok {
		httplog.JSON(w, http.StatusOK, run.airflow())
	}
}

func (h *Handler) airflowTasks(w http.ResponseWriter, r *http.Request) {
	if run, ok := h.getRun(w, r, airflowErrors); ok {
		tis := run.airflowTasks()
		httplog.JSON(w, http.StatusOK, map[string]any{"task_instances": tis, "total_entries": len(tis)})
	}
}

func (h *Handler) airflowTask(w http.ResponseWriter, r *http.Request) {
	run, ok := h.getRun(w, r, airflowErrors)
	if !ok {
		return
	}
	for _, ti := range run.airflowTasks() {
		if ti.TaskID == r.PathValue("task") {
			httplog.JSON(w, http.StatusOK, ti)
			return
		}
	}
	airflowErrors(w, http.StatusNotFound, fmt.Sprintf("Task instance %q not found", r.PathValue("task")))
}

// airflowErrors writes Airflow's problem-details error.
func airflowErrors(w http.ResponseWriter, code int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": code, "title": http.StatusText(code), "detail": detail, "type": "about:blank"})
}
