package pipelinehttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/driver"
)

// Default and largest page sizes of run lists.
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// ErrRunNotFound is matched when a pipeline has no run with an id.
var ErrRunNotFound = errors.New("run not found")

// runView is a run as read from the status store.
type runView struct {
	DAG         string
	ID          string
	Status      status.JobStatus
	Conf        json.RawMessage
	LogicalDate time.Time
	Start, End  time.Time
	Error       string
	RunType     string
	External    bool
	Tasks       []taskView
}

// taskView is a task of a run as read from its events.
type taskView struct {
	Name       string
	State      string // pipeline.State, "" before its first attempt ends
	Attempts   int
	Start, End time.Time
	Error      string
}

// run reads run id of dag; ErrRunNotFound when there is none.
func (h *Handler) run(ctx context.Context, dag, id string) (runView, error) {
	job, err := h.store.Job(ctx, id)
	if errors.Is(err, status.ErrNotFound) && h.isStarting(id) {
		return h.queued(dag, id), nil
	}
	if errors.Is(err, status.ErrNotFound) || (err == nil && infoString(job.Info, "pipeline") != dag) {
		return runView{}, fmt.Errorf("%w: %s/%s", ErrRunNotFound, dag, id)
	}
	if err != nil {
		return runView{}, fmt.Errorf("read run %s: %w", id, err)
	}
	return h.withEvents(ctx, h.fromJob(dag, job))
}

// queued is a run claimed in this process whose job is not written yet.
func (h *Handler) queued(dag, id string) runView {
	run := runView{DAG: dag, ID: id, Status: status.JobWaiting, Conf: json.RawMessage("{}"), RunType: "manual", External: true}
	for _, name := range h.dags[dag].Pipeline.Tasks() {
		run.Tasks = append(run.Tasks, taskView{Name: name})
	}
	return run
}

// fromJob fills a run from its job.
func (h *Handler) fromJob(dag string, j status.Job) runView {
	run := runView{DAG: dag, ID: j.ID, Status: j.Status, Conf: json.RawMessage("{}"), RunType: "scheduled",
		LogicalDate: infoTime(j.Info, "logical_date"), Start: infoTime(j.Info, status.InfoStartedAt),
		End: infoTime(j.Info, status.InfoFinishedAt), Error: infoString(j.Info, status.InfoError)}
	if run.LogicalDate.IsZero() {
		run.LogicalDate = j.Created
	}
	return run
}

// withEvents adds the conf and task states from the run's trace.
func (h *Handler) withEvents(ctx context.Context, run runView) (runView, error) {
	events, err := h.store.Events(ctx, run.ID)
	if err != nil && !errors.Is(err, status.ErrNotFound) {
		return runView{}, fmt.Errorf("read run %s: %w", run.ID, err)
	}
	tasks := map[string]*taskView{}
	if d, ok := h.dags[run.DAG]; ok {
		for _, name := range d.Pipeline.Tasks() {
			run.Tasks = append(run.Tasks, taskView{Name: name})
		}
	}
	for i := range run.Tasks {
		tasks[run.Tasks[i].Name] = &run.Tasks[i]
	}
	for _, ev := range events {
		if ev.Operation == triggerOperation {
			var rec triggerRecord
			if json.Unmarshal(ev.StatusBody, &rec) == nil && len(rec.Conf) > 0 {
				run.Conf, run.RunType, run.External = RedactConf(rec.Conf), rec.RunType, rec.External
			}
			continue
		}
		if t := tasks[ev.Operation]; t != nil {
			t.add(ev)
		}
	}
	return run, nil
}

// taskEvent is the part of a task event's body read here.
type taskEvent struct {
	State   string `json:"state"`
	Attempt *int   `json:"attempt"`
}

// add folds one event of the task into it.
func (t *taskView) add(ev status.Event) {
	var body taskEvent
	if json.Unmarshal(ev.StatusBody, &body) != nil {
		return
	}
	if body.State != "" {
		t.State = body.State
	}
	if body.Attempt != nil {
		t.Attempts = max(t.Attempts, *body.Attempt)
		if t.Start.IsZero() || ev.StartTime.Before(t.Start) {
			t.Start = ev.StartTime
		}
		if ev.Exception != "" {
			t.Error = ev.Exception
		}
	}
	if ev.EndTime.After(t.End) {
		t.End = ev.EndTime
	}
}

// list returns a page of dag's runs, newest first, and how many there are.
// The status store lists jobs of every kind, so it is read page by page.
func (h *Handler) list(ctx context.Context, dag string, limit, offset int) ([]runView, int, error) {
	var (
		runs  []runView
		total int
	)
	for from := 0; ; from += status.MaxJobLimit {
		page, err := h.store.ListJobs(ctx, &status.JobQuery{Limit: status.MaxJobLimit, Offset: from})
		if err != nil {
			return nil, 0, fmt.Errorf("list runs of %s: %w", dag, err)
		}
		for _, j := range page {
			if infoString(j.Info, "pipeline") != dag {
				continue
			}
			if total >= offset && len(runs) < limit {
				runs = append(runs, h.fromJob(dag, j))
			}
			total++
		}
		if len(page) < status.MaxJobLimit {
			break
		}
	}
	for i := range runs {
		var err error
		if runs[i], err = h.withEvents(ctx, runs[i]); err != nil {
			return nil, 0, err
		}
	}
	return runs, total, nil
}

func infoString(info map[string]any, key string) string {
	s, _ := info[key].(string)
	return s
}

// infoTime reads a time kept in a job's info (as text once stored).
func infoTime(info map[string]any, key string) time.Time {
	switch v := info[key].(type) {
	case time.Time:
		return v.UTC()
	case string:
		t, err := driver.ParseTime(v)
		if err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
