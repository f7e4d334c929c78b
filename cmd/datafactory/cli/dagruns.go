package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

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

// maxDagRunBody caps a dagRuns POST body.
const maxDagRunBody = 1 << 20

// maxKeptRuns bounds the runs kept in memory for polling; beyond it the
// oldest finished runs are forgotten (their status stays in the status
// store).
const maxKeptRuns = 10000

// dagRuns serves the part of Airflow's stable REST API (v1) that
// ckanext-aircan and similar connectors use: trigger a DAG run with a conf,
// poll its state, list its task instances. Runs execute in this process
// through pipeline.Run, recorded by the backend (status trace = run id).
type dagRuns struct {
	pipelines map[string]*pipeline.Pipeline
	backend   *pipeline.Backend
	now       func() time.Time
	completed func(dag string, state pipeline.State) // scheduler hook; may be nil
	// cancelled is called after a run that ended CANCELLED (the service
	// shutting down), before the run counts as done; may be nil.
	cancelled func(p *pipeline.Pipeline, conf json.RawMessage, sum *pipeline.Summary)

	runCtx context.Context // parent of every run; cancelled to stop them
	mu     sync.Mutex
	runs   map[string]*dagRun // by run id
	order  []string           // run ids, oldest first
	wg     sync.WaitGroup
}

// dagRun is one triggered run.
type dagRun struct {
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
	tasks       map[string]*taskInstance
}

// taskInstance is a task of a run, Airflow-shaped.
type taskInstance struct {
	TaskID   string     `json:"task_id"`
	DagID    string     `json:"dag_id"`
	RunID    string     `json:"dag_run_id"`
	State    *string    `json:"state"`
	Start    *time.Time `json:"start_date"`
	End      *time.Time `json:"end_date"`
	Duration *float64   `json:"duration"`
	Try      int        `json:"try_number"`
}

func newDagRuns(ctx context.Context, ps map[string]*pipeline.Pipeline, be *pipeline.Backend) *dagRuns {
	return &dagRuns{pipelines: ps, backend: be, now: time.Now, runCtx: ctx, runs: map[string]*dagRun{}}
}

// register adds the routes to mux under /api/v1/.
func (d *dagRuns) register(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	h := func(f http.HandlerFunc) http.Handler { return wrap(f) }
	mux.Handle("GET /api/v1/dags", h(d.listDags))
	mux.Handle("POST /api/v1/dags/{dag_id}/dagRuns", h(d.trigger))
	mux.Handle("GET /api/v1/dags/{dag_id}/dagRuns", h(d.listRuns))
	mux.Handle("GET /api/v1/dags/{dag_id}/dagRuns/{run_id}", h(d.getRun))
	mux.Handle("GET /api/v1/dags/{dag_id}/dagRuns/{run_id}/taskInstances", h(d.taskInstances))
	mux.Handle("GET /api/v1/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}", h(d.taskInstance))
}

func (d *dagRuns) listDags(w http.ResponseWriter, _ *http.Request) {
	type dag struct {
		DagID    string `json:"dag_id"`
		IsPaused bool   `json:"is_paused"`
		IsActive bool   `json:"is_active"`
	}
	var dags []dag
	for _, name := range sortedKeys(d.pipelines) {
		dags = append(dags, dag{DagID: name, IsActive: true})
	}
	writeJSON(w, http.StatusOK, map[string]any{"dags": dags, "total_entries": len(dags)})
}

// triggerRequest is Airflow's POST dagRuns body.
type triggerRequest struct {
	RunID       string          `json:"dag_run_id"`
	Conf        json.RawMessage `json:"conf"`
	LogicalDate *time.Time      `json:"logical_date"`
	Execution   *time.Time      `json:"execution_date"`
}

func (d *dagRuns) trigger(w http.ResponseWriter, r *http.Request) {
	p, ok := d.pipelines[r.PathValue("dag_id")]
	if !ok {
		writeAirflowError(w, http.StatusNotFound, "DAG not found", fmt.Sprintf("DAG with dag_id: '%s' not found", r.PathValue("dag_id")))
		return
	}
	var req triggerRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxDagRunBody))
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAirflowError(w, http.StatusRequestEntityTooLarge, "Request too large", "the body is over 1 MiB")
			return
		}
		writeAirflowError(w, http.StatusBadRequest, "Bad Request", "the body must be a JSON object: "+err.Error())
		return
	}
	conf := req.Conf
	if len(conf) == 0 || string(conf) == "null" {
		conf = json.RawMessage("{}")
	}
	// The run stores its conf: the connector's credentials (aircan's
	// ckan_config.api_key, the DataStore write URL) are dropped here, and
	// echoed redacted; the pipelines read theirs from the environment.
	echo := redactConf(conf)
	conf, _ = stripSecrets(conf)
	if err := p.ValidateConf(conf); err != nil {
		writeAirflowError(w, http.StatusBadRequest, "Bad Request", err.Error())
		return
	}
	run, err := d.start(p, req, echo, conf)
	if err != nil {
		writeAirflowError(w, http.StatusConflict, "Conflict", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, run)
}

// start registers a run and launches it with conf; echo is the conf shown
// in answers.
func (d *dagRuns) start(p *pipeline.Pipeline, req triggerRequest, echo, conf json.RawMessage) (dagRun, error) {
	now := d.now().UTC()
	logical := now
	if req.LogicalDate != nil {
		logical = req.LogicalDate.UTC()
	} else if req.Execution != nil {
		logical = req.Execution.UTC()
	}
	id := req.RunID
	if id == "" {
		id = "manual__" + now.Format("2006-01-02T15:04:05.000000Z") + "_" + strings.ToLower(status.NewID()[:8])
	}
	run := &dagRun{DagID: p.Name(), RunID: id, State: dagQueued, Conf: echo, LogicalDate: logical,
		Execution: logical, External: true, RunType: "manual", tasks: map[string]*taskInstance{}}
	for _, t := range p.Tasks() {
		run.tasks[t] = &taskInstance{TaskID: t, DagID: p.Name(), RunID: id}
	}
	d.mu.Lock()
	if _, dup := d.runs[id]; dup {
		d.mu.Unlock()
		return dagRun{}, fmt.Errorf("DAGRun with DAG ID: '%s' and DAGRun ID: '%s' already exists", p.Name(), id)
	}
	d.runs[id] = run
	d.order = append(d.order, id)
	d.forgetOld()
	snapshot := *run
	d.wg.Add(1)
	d.mu.Unlock()
	go d.execute(p, run, conf)
	return snapshot, nil
}

// forgetOld drops the oldest finished runs beyond maxKeptRuns. d.mu is held.
func (d *dagRuns) forgetOld() {
	for i := 0; len(d.runs) > maxKeptRuns && i < len(d.order); {
		run := d.runs[d.order[i]]
		if run != nil && run.State != dagSuccess && run.State != dagFailed {
			i++
			continue
		}
		delete(d.runs, d.order[i])
		d.order = append(d.order[:i], d.order[i+1:]...)
	}
}

// execute runs the pipeline and keeps the run's state current.
func (d *dagRuns) execute(p *pipeline.Pipeline, run *dagRun, conf json.RawMessage) {
	defer d.wg.Done()
	opts := &pipeline.RunOptions{RunID: run.RunID, LogicalDate: run.LogicalDate, Backend: d.backend,
		OnTransition: func(t pipeline.Transition) { d.transition(run, t) }}
	labelRun(p, conf, opts)
	d.mu.Lock()
	start := d.now().UTC()
	run.State, run.Start = dagRunning, &start
	d.mu.Unlock()
	sum, err := pipeline.Run(d.runCtx, p, conf, opts)
	if sum != nil && sum.State == pipeline.StateCancelled && d.cancelled != nil {
		d.cancelled(p, conf, sum)
	}
	d.mu.Lock()
	end := d.now().UTC()
	run.End = &end
	run.State = dagSuccess
	if err != nil || sum == nil || sum.State != pipeline.StateSuccess {
		run.State = dagFailed
	}
	state := pipeline.StateFailed
	if sum != nil {
		state = sum.State
	}
	d.mu.Unlock()
	if d.completed != nil {
		d.completed(p.Name(), state)
	}
}

// transition updates a task instance.
func (d *dagRuns) transition(run *dagRun, t pipeline.Transition) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ti := run.tasks[t.Task]
	if ti == nil {
		return
	}
	now := d.now().UTC()
	st := taskState(t.To)
	ti.State = &st
	if t.Attempt > ti.Try {
		ti.Try = t.Attempt
	}
	if t.To == pipeline.StateRunning && ti.Start == nil {
		ti.Start = &now
	}
	if t.To.Terminal() {
		ti.End = &now
		if ti.Start != nil {
			dur := now.Sub(*ti.Start).Seconds()
			ti.Duration = &dur
		}
	}
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

// lookup returns a copy of a run of dag, or false.
func (d *dagRuns) lookup(dag, id string) (dagRun, []taskInstance, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	run, ok := d.runs[id]
	if !ok || run.DagID != dag {
		return dagRun{}, nil, false
	}
	tis := make([]taskInstance, 0, len(run.tasks))
	for _, name := range d.pipelines[dag].Tasks() {
		tis = append(tis, *run.tasks[name])
	}
	return *run, tis, true
}

func (d *dagRuns) getRun(w http.ResponseWriter, r *http.Request) {
	run, _, ok := d.lookup(r.PathValue("dag_id"), r.PathValue("run_id"))
	if !ok {
		writeAirflowError(w, http.StatusNotFound, "DAGRun not found", fmt.Sprintf("DAGRun with DAG ID: '%s' and DagRun ID: '%s' not found",
			r.PathValue("dag_id"), r.PathValue("run_id")))
		return
	}
	writeJSON(w, http.StatusOK, run)
}

func (d *dagRuns) taskInstances(w http.ResponseWriter, r *http.Request) {
	_, tis, ok := d.lookup(r.PathValue("dag_id"), r.PathValue("run_id"))
	if !ok {
		writeAirflowError(w, http.StatusNotFound, "DAGRun not found", "no such DAG run")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"task_instances": tis, "total_entries": len(tis)})
}

func (d *dagRuns) taskInstance(w http.ResponseWriter, r *http.Request) {
	_, tis, ok := d.lookup(r.PathValue("dag_id"), r.PathValue("run_id"))
	if ok {
		for _, ti := range tis {
			if ti.TaskID == r.PathValue("task_id") {
				writeJSON(w, http.StatusOK, ti)
				return
			}
		}
	}
	writeAirflowError(w, http.StatusNotFound, "Task instance not found", "no such task instance")
}

func (d *dagRuns) listRuns(w http.ResponseWriter, r *http.Request) {
	dag := r.PathValue("dag_id")
	if _, ok := d.pipelines[dag]; !ok {
		writeAirflowError(w, http.StatusNotFound, "DAG not found", fmt.Sprintf("DAG with dag_id: '%s' not found", dag))
		return
	}
	d.mu.Lock()
	var runs []dagRun
	for _, run := range d.runs {
		if run.DagID == dag {
			runs = append(runs, *run)
		}
	}
	d.mu.Unlock()
	sort.Slice(runs, func(i, j int) bool { return runs[i].LogicalDate.Before(runs[j].LogicalDate) })
	writeJSON(w, http.StatusOK, map[string]any{"dag_runs": runs, "total_entries": len(runs)})
}

// wait waits for the runs in progress until ctx is done; it reports whether
// they all ended.
func (d *dagRuns) wait(ctx context.Context) bool {
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// writeAirflowError writes Airflow's problem-details error shape.
func writeAirflowError(w http.ResponseWriter, code int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": code, "title": title, "detail": detail, "type": "about:blank"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
