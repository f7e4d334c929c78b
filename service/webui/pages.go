package webui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/datafactory/datafactory/status"
)

// Page sizes of the runs and jobs lists.
const (
	defaultPerPage = 50
	maxPerPage     = 1000
)

// pipelineRow is a line of the pipelines page.
type pipelineRow struct {
	Name     string
	Tasks    []taskType
	State    string // ACTIVE, INACTIVE, or "" without a scheduler
	Triggers []triggerRow
	HasForm  bool
	Last     []status.Job
}

type taskType struct{ Name, Type string }

// triggerRow is a trigger of a pipeline with its activation.
type triggerRow struct{ ID, Kind, State string }

// triggers returns the scheduler's triggers of each pipeline, with their
// activation, and each pipeline's.
func (h *Handler) triggers(ctx context.Context) (map[string][]triggerRow, map[string]string) {
	byPipeline, states := map[string][]triggerRow{}, map[string]string{}
	if h.o.Scheduler == nil {
		return byPipeline, states
	}
	for _, t := range h.o.Scheduler.Triggers() {
		st, err := h.o.Scheduler.TriggerState(ctx, t.ID)
		row := triggerRow{ID: t.ID, Kind: t.Kind, State: string(st.State)}
		if err != nil {
			row.State = "unknown"
		}
		for _, p := range t.Targets {
			byPipeline[p] = append(byPipeline[p], row)
		}
	}
	for _, n := range h.names {
		if st, err := h.o.Scheduler.PipelineState(ctx, n); err == nil {
			states[n] = string(st.State)
		}
	}
	return byPipeline, states
}

func (h *Handler) pipelinesPage(w http.ResponseWriter, r *http.Request) {
	names := append([]string(nil), h.names...)
	sort.Strings(names)
	last := map[string][]status.Job{}
	err := h.scanRuns(r.Context(), &status.JobQuery{}, func(j status.Job) bool {
		name := pipelineOf(j)
		if len(last[name]) < 5 {
			last[name] = append(last[name], j)
		}
		return true
	})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	trig, states := h.triggers(r.Context())
	rows := make([]pipelineRow, 0, len(names))
	for _, n := range names {
		p := h.dags[n].Pipeline
		row := pipelineRow{Name: n, State: states[n], Triggers: trig[n], HasForm: true, Last: last[n]}
		for _, t := range p.Tasks() {
			typ, _, err := p.TaskType(t)
			if err != nil || typ == "" {
				typ = "func"
			}
			row.Tasks = append(row.Tasks, taskType{t, typ})
		}
		rows = append(rows, row)
	}
	h.render(w, r, http.StatusOK, "pipelines", map[string]any{"Title": "Pipelines", "Pipelines": rows})
}

// fileLink is a run's file, by its name under the run's prefix.
type fileLink struct {
	Name string
	Size int64
}

// runFilter is the runs page's query.
type runFilter struct {
	Pipeline, Dataset, Resource, State, Date string
	Page, Per                                int
}

// parseFilter reads and checks the runs page's query.
func parseFilter(q url.Values) (runFilter, error) {
	f := runFilter{Pipeline: q.Get("pipeline"), Dataset: q.Get("dataset"), Resource: q.Get("resource"),
		State: q.Get("state"), Date: q.Get("date"), Page: 1, Per: defaultPerPage}
	switch f.State {
	case "", string(status.JobWaiting), string(status.JobRunning), string(status.JobDone), string(status.JobFailed), string(status.JobCancelled):
	default:
		return f, fmt.Errorf("state must be one of WAITING, RUNNING, DONE, FAILED, CANCELLED")
	}
	if f.Date != "" {
		if _, err := time.Parse("2006-01-02", f.Date); err != nil {
			return f, fmt.Errorf("date must be a day as YYYY-MM-DD")
		}
	}
	for _, p := range []struct {
		name   string
		to     *int
		lo, hi int
	}{{"page", &f.Page, 1, 1 << 20}, {"per", &f.Per, 1, maxPerPage}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < p.lo || n > p.hi {
				return f, fmt.Errorf("%s must be an integer from %d to %d", p.name, p.lo, p.hi)
			}
			*p.to = n
		}
	}
	return f, nil
}

// matches applies the filters the store does not.
func (f runFilter) matches(j status.Job) bool {
	return (f.Pipeline == "" || pipelineOf(j) == f.Pipeline) &&
		(f.Date == "" || j.Created.UTC().Format("2006-01-02") == f.Date)
}

func (h *Handler) runsPage(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	var (
		runs  []status.Job
		total int
		from  = (f.Page - 1) * f.Per
	)
	q := &status.JobQuery{Dataset: f.Dataset, Resource: f.Resource, Status: status.JobStatus(f.State)}
	err = h.scanRuns(r.Context(), q, func(j status.Job) bool {
		if f.matches(j) {
			if total >= from && len(runs) < f.Per {
				runs = append(runs, j)
			}
			total++
		}
		return true
	})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	data := map[string]any{"Title": "Runs", "Runs": runs, "Total": total, "F": f, "Pipelines": h.names,
		"States": []string{"WAITING", "RUNNING", "DONE", "FAILED", "CANCELLED"}}
	if f.Page > 1 {
		data["Prev"] = strconv.Itoa(f.Page - 1)
	}
	if from+len(runs) < total {
		data["Next"] = strconv.Itoa(f.Page + 1)
	}
	h.render(w, r, http.StatusOK, "runs", data)
}

// scanRuns calls f on each pipeline run matching q, newest first, until f
// returns false.
func (h *Handler) scanRuns(ctx context.Context, q *status.JobQuery, f func(status.Job) bool) error {
	return h.scanJobs(ctx, q, func(j status.Job) bool {
		return pipelineOf(j) == "" || f(j)
	})
}

// scanJobs calls f on each job matching q, newest first, until f returns
// false.
func (h *Handler) scanJobs(ctx context.Context, q *status.JobQuery, f func(status.Job) bool) error {
	page := *q
	page.Limit = status.MaxJobLimit
	for page.Offset = 0; ; page.Offset += status.MaxJobLimit {
		jobs, err := h.o.Status.ListJobs(ctx, &page)
		if err != nil {
			return fmt.Errorf("list jobs: %w", err)
		}
		for _, j := range jobs {
			if !f(j) {
				return nil
			}
		}
		if len(jobs) < status.MaxJobLimit {
			return nil
		}
	}
}

// pipelineOf is the pipeline of a run's job ("" for other jobs).
func pipelineOf(j status.Job) string {
	s, _ := j.Info["pipeline"].(string)
	return s
}

// runJSON is a run as the native runs API answers it.
type runJSON struct {
	Pipeline    string          `json:"pipeline"`
	RunID       string          `json:"run_id"`
	Status      string          `json:"status"`
	Conf        json.RawMessage `json:"conf"`
	LogicalDate time.Time       `json:"logical_date"`
	Start       time.Time       `json:"start"`
	End         time.Time       `json:"end"`
	Error       string          `json:"error"`
	Tasks       []struct {
		Task     string    `json:"task"`
		State    string    `json:"state"`
		Attempts int       `json:"attempts"`
		Start    time.Time `json:"start"`
		End      time.Time `json:"end"`
		Error    string    `json:"error"`
	} `json:"tasks"`
}

// active reports whether the run may still change.
func (r runJSON) Active() bool {
	return r.Status == string(status.JobWaiting) || r.Status == string(status.JobRunning)
}

// runOr404 reads a run with readRun, or answers 404 (no such run) or 500
// and reports false.
func (h *Handler) runOr404(w http.ResponseWriter, r *http.Request, id string) (runJSON, status.Job, bool) {
	run, job, err := h.readRun(r.Context(), id)
	switch {
	case errors.Is(err, status.ErrNotFound):
		h.fail(w, r, http.StatusNotFound, "no run "+id)
		return run, job, false
	case err != nil:
		h.serverError(w, r, err)
		return run, job, false
	}
	return run, job, true
}

// readRun reads a run through the runs API (its conf redacted there).
func (h *Handler) readRun(ctx context.Context, id string) (runJSON, status.Job, error) {
	job, err := h.o.Status.Job(ctx, id)
	if errors.Is(err, status.ErrNotFound) {
		return h.startingRun(ctx, id)
	}
	if err != nil {
		return runJSON{}, job, err
	}
	name := pipelineOf(job)
	if _, ok := h.dags[name]; !ok {
		return runJSON{}, job, fmt.Errorf("%w: %s is not a run of a served pipeline", status.ErrNotFound, id)
	}
	code, body := h.callRuns(ctx, http.MethodGet, "/v1/pipelines/"+url.PathEscape(name)+"/runs/"+url.PathEscape(id), nil)
	var run runJSON
	if code != http.StatusOK {
		return run, job, fmt.Errorf("read run %s: the runs API answered %d", id, code)
	}
	if err := json.Unmarshal(body, &run); err != nil {
		return run, job, fmt.Errorf("read run %s: %w", id, err)
	}
	return run, job, nil
}

// startingRun asks the runs API for a run just triggered, whose job is
// not written yet (it answers for runs it is starting).
func (h *Handler) startingRun(ctx context.Context, id string) (runJSON, status.Job, error) {
	for _, name := range h.names {
		code, body := h.callRuns(ctx, http.MethodGet, "/v1/pipelines/"+url.PathEscape(name)+"/runs/"+url.PathEscape(id), nil)
		var run runJSON
		if code == http.StatusOK && json.Unmarshal(body, &run) == nil {
			return run, status.Job{ID: id, Status: status.JobStatus(run.Status)}, nil
		}
	}
	return runJSON{}, status.Job{}, fmt.Errorf("%w: run %s", status.ErrNotFound, id)
}

func (h *Handler) runPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	run, job, ok := h.runOr404(w, r, id)
	if !ok {
		return
	}
	events, err := h.o.Status.Events(r.Context(), id)
	if err != nil && !errors.Is(err, status.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	objs, err := h.runFiles(r, run.Pipeline, id)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var files []fileLink
	for _, o := range objs {
		files = append(files, fileLink{Name: strings.TrimPrefix(o.Key, h.o.Bucket.Run(run.Pipeline, id).Prefix()), Size: o.Size})
	}
	conf, _ := json.MarshalIndent(json.RawMessage(run.Conf), "", "  ")
	h.render(w, r, http.StatusOK, "run", map[string]any{"Title": "Run " + id, "Run": run, "Job": job,
		"Conf": string(conf), "Events": events, "Retry": run.Status == string(status.JobFailed) || run.Status == string(status.JobCancelled),
		"Live": run.Active(), "Rows": rowCounts(run, events), "Files": files})
}

func (h *Handler) jobsPage(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	jobs, err := h.o.Status.ListJobs(r.Context(), &status.JobQuery{Dataset: f.Dataset, Resource: f.Resource,
		Status: status.JobStatus(f.State), Limit: f.Per, Offset: (f.Page - 1) * f.Per})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	data := map[string]any{"Title": "Jobs", "Jobs": jobs, "F": f,
		"States": []string{"WAITING", "RUNNING", "DONE", "FAILED", "CANCELLED"}}
	if f.Page > 1 {
		data["Prev"] = strconv.Itoa(f.Page - 1)
	}
	if len(jobs) == f.Per {
		data["Next"] = strconv.Itoa(f.Page + 1)
	}
	h.render(w, r, http.StatusOK, "jobs", data)
}

func (h *Handler) tracePage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	events, err := h.o.Status.Events(r.Context(), id)
	switch {
	case errors.Is(err, status.ErrNotFound) || (err == nil && len(events) == 0):
		h.fail(w, r, http.StatusNotFound, "no trace "+id)
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "trace", map[string]any{"Title": "Trace " + id, "ID": id, "Events": events})
}

// rowCounts reads each task's rows in and out from its events (the
// largest seen), keyed by task.
func rowCounts(run runJSON, events []status.Event) map[string][2]int64 {
	out := map[string][2]int64{}
	for _, t := range run.Tasks {
		out[t.Task] = [2]int64{}
	}
	for _, ev := range events {
		c, ok := out[ev.Operation]
		if !ok {
			continue
		}
		var body struct {
			In  int64 `json:"rows_in"`
			Out int64 `json:"rows_out"`
		}
		if json.Unmarshal(ev.StatusBody, &body) == nil {
			out[ev.Operation] = [2]int64{max(c[0], body.In), max(c[1], body.Out)}
		}
	}
	return out
}
