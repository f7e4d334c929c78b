package pipelinehttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/storage"
)

// DAG is a pipeline the handler serves, with its hooks.
type DAG struct {
	// Pipeline is run by triggers. Required.
	Pipeline *pipeline.Pipeline
	// Labels, when set, returns the dataset and resource a run is about
	// from its conf (secrets already removed); they go to the run's status
	// job. Default none.
	Labels func(conf json.RawMessage) (dataset, resource string)
	// Cancelled, when set, is called after a run ended CANCELLED (the
	// handler stopping), with a context of its own bounded by
	// Options.HookTimeout. Default none.
	Cancelled func(ctx context.Context, conf json.RawMessage, sum *pipeline.Summary) error
}

// Options configure a [Handler]. nil means defaults.
type Options struct {
	// Bucket keeps each run's task files and outputs (see
	// [pipeline.BackendOptions].Storage). Default none.
	Bucket *storage.Bucket
	// HeartbeatInterval is how often a running run's job heartbeats.
	// Default status.DefaultHeartbeatInterval.
	HeartbeatInterval time.Duration
	// Completed, when set, is called after every run with its final state
	// (the scheduler's RunCompleted). Default none.
	Completed func(ctx context.Context, dag string, state pipeline.State)
	// Transitions, when set, is called once per run it starts; the hook it
	// returns (if not nil) receives the run's task state changes, as
	// [pipeline.RunOptions].OnTransition does (serve times task attempts
	// with it). Default none.
	Transitions func(dag string) func(pipeline.Transition)
	// HookTimeout bounds DAG.Cancelled. Default 15s.
	HookTimeout time.Duration
	// Executor runs the triggered runs (see [pipeline.RunOptions]);
	// runs on another process need Bucket (package
	// pipeline/temporalexec). Default in-process.
	Executor pipeline.Executor
	// Executors are the executors a trigger request may pick by name
	// ("executor" in its body); a nil value means in-process. Any other
	// name is refused with 400. Default none: a request that names an
	// executor is refused.
	Executors map[string]pipeline.Executor
	// Logger receives failed status reads (with the request id) and
	// failed hooks. Default: discard.
	Logger *slog.Logger
}

// Handler serves the runs API and runs the triggered pipelines. Build it
// with [New]; it is safe for concurrent use. Call [Handler.Stop] when
// done, so runs end before the stores they write to are closed.
type Handler struct {
	store   *status.Store
	backend *pipeline.Backend
	dags    map[string]DAG
	names   []string
	o       Options
	mux     *http.ServeMux
	now     func() time.Time

	runCtx    context.Context // parent of every run; cancelled by Stop
	cancelAll context.CancelFunc
	wg        sync.WaitGroup
	mu        sync.Mutex
	starting  map[string]bool               // run ids claimed whose job may not exist yet
	cancels   map[string]context.CancelFunc // runs executing in this process
	stopped   bool
}

// New returns a handler running dags and recording them in store, which
// is also where the answers are read from.
func New(store *status.Store, dags []DAG, opts *Options) (*Handler, error) {
	if store == nil {
		return nil, errors.New("pipelinehttp: a status store is required")
	}
	h := &Handler{store: store, dags: map[string]DAG{}, now: time.Now, starting: map[string]bool{},
		cancels: map[string]context.CancelFunc{}}
	if opts != nil {
		h.o = *opts
	}
	if h.o.HookTimeout <= 0 {
		h.o.HookTimeout = 15 * time.Second
	}
	if h.o.Logger == nil {
		h.o.Logger = slog.New(slog.DiscardHandler)
	}
	for _, d := range dags {
		if d.Pipeline == nil {
			return nil, errors.New("pipelinehttp: a DAG without a pipeline")
		}
		name := d.Pipeline.Name()
		if _, dup := h.dags[name]; dup {
			return nil, fmt.Errorf("pipelinehttp: pipeline %q given twice", name)
		}
		h.dags[name] = d
		h.names = append(h.names, name)
	}
	h.backend = pipeline.NewBackend(&pipeline.BackendOptions{Status: store, Storage: h.o.Bucket,
		HeartbeatInterval: h.o.HeartbeatInterval, Logger: h.o.Logger})
	h.runCtx, h.cancelAll = context.WithCancel(context.Background())
	h.mux = http.NewServeMux()
	h.Register(h.mux, nil)
	return h, nil
}

// Register adds the routes to mux, each wrapped by wrap (authentication,
// for instance; nil means none).
func (h *Handler) Register(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	if wrap == nil {
		wrap = func(x http.Handler) http.Handler { return x }
	}
	for pattern, f := range map[string]http.HandlerFunc{
		"GET /api/v1/dags":                                                h.listDags,
		"GET /api/v1/dags/{dag_id}":                                       h.getDag,
		"POST /api/v1/dags/{dag_id}/dagRuns":                              h.airflowTrigger,
		"GET /api/v1/dags/{dag_id}/dagRuns":                               h.airflowList,
		"GET /api/v1/dags/{dag_id}/dagRuns/{run_id}":                      h.airflowGet,
		"GET /api/v1/dags/{dag_id}/dagRuns/{run_id}/taskInstances":        h.airflowTasks,
		"GET /api/v1/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task}": h.airflowTask,
		"GET /v1/pipelines":                                               h.nativePipelines,
		"POST /v1/pipelines/{dag_id}/runs":                                h.nativeTrigger,
		"GET /v1/pipelines/{dag_id}/runs":                                 h.nativeList,
		"GET /v1/pipelines/{dag_id}/runs/{run_id}":                        h.nativeGet,
	} {
		mux.Handle(pattern, wrap(f))
	}
}

// ServeHTTP serves the routes without authentication (mount it behind
// yours, or use Register with a wrap).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Stop refuses new runs, waits for the running ones until ctx is done,
// then cancels the rest (their jobs end CANCELLED and DAG.Cancelled
// hooks run) and waits for them. It reports whether every run ended on
// its own. Safe to call twice.
func (h *Handler) Stop(ctx context.Context) bool {
	h.mu.Lock()
	h.stopped = true
	h.mu.Unlock()
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	clean := true
	select {
	case <-done:
	case <-ctx.Done():
		clean = false
	}
	h.cancelAll()
	<-done
	return clean
}

// errStopped refuses triggers after Stop.
var errStopped = errors.New("the service is shutting down")
