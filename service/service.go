package service

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/datafactory/datafactory/internal/httplog"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/pipeline/schedule/schedulehttp"
	"github.com/datafactory/datafactory/service/webui"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/statushttp"
)

// Service is the configured service. Build it with [New], mount
// [Service.Handler], then Start the background work; Stop when done.
type Service struct {
	cfg     Config
	auth    authenticator
	runs    *pipelinehttp.Handler
	status  http.Handler
	ingest  http.Handler // nil without Config.Store
	ui      *webui.Handler
	sched   *schedule.Scheduler
	reaper  *status.Reaper
	sweeper *sweeper
	handler http.Handler

	mu      sync.Mutex
	started bool
	stopped bool
}

// New checks cfg and builds the handlers; nothing runs until Start. ctx
// bounds the creation of the ingest API's missing tables.
func New(ctx context.Context, cfg *Config) (*Service, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	s := &Service{cfg: c, auth: newAuthenticator(&c)}
	if err := s.schedule(); err != nil {
		return nil, err
	}
	runs, err := pipelinehttp.New(c.Status, c.Pipelines, &pipelinehttp.Options{Bucket: c.Bucket,
		HeartbeatInterval: c.HeartbeatTimeout / 4, Logger: c.Logger, Executor: c.Executor, Executors: c.Executors,
		Completed: func(ctx context.Context, dag string, st pipeline.State) {
			c.Metrics.ObserveRun(dag, string(st))
			_ = s.sched.RunCompleted(ctx, dag, st)
		},
		Transitions: c.Metrics.TaskTimer})
	if err != nil {
		return nil, fmt.Errorf("service: %w", err)
	}
	s.runs = runs
	if s.ui, err = s.webUI(); err != nil {
		return nil, err
	}
	s.status = statushttp.NewHandler(c.Status, &statushttp.HandlerOptions{AllowUnauthenticated: true, Logger: c.Logger})
	if c.Store != nil {
		tables, err := dataDictionary(ctx, &c)
		if err != nil {
			return nil, err
		}
		if s.ingest, err = ingestAPI(ctx, &c, tables); err != nil {
			return nil, err
		}
	}
	s.reaper = c.Status.NewReaper(&status.ReaperOptions{Interval: c.ReapInterval, OlderThan: c.HeartbeatTimeout,
		Logger: c.Logger.With("component", "reaper")})
	if c.Bucket != nil && c.RetainRuns > 0 {
		s.sweeper = newSweeper(&c, s.names())
	}
	s.handler = httplog.Wrap(c.Metrics.Wrap(s.routes()), c.Logger)
	return s, nil
}

// names returns the names of the served pipelines.
func (s *Service) names() []string {
	var out []string
	for _, d := range s.cfg.Pipelines {
		out = append(out, d.Pipeline.Name())
	}
	return out
}

// routes mounts every API behind authentication.
func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	s.runs.Register(mux, s.auth.guard(rightRuns))
	schedulehttp.New(s.sched, s.cfg.Logger).Register(mux, s.auth.guard(rightSchedule))
	status := s.auth.guard(rightStatus)(s.status)
	for _, p := range []string{"/status", "/status/", "/status-from-path/", "/jobs", "/jobs/"} {
		mux.Handle(p, status)
	}
	if s.ingest != nil {
		ingest := s.auth.guard(rightIngest)(s.ingest)
		for _, p := range ingestPatterns {
			mux.Handle(p, ingest)
		}
	}
	mux.Handle("GET /metrics", s.auth.guard(rightStatus)(s.cfg.Metrics.Handler()))
	mux.Handle("/ui/", s.ui)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	alias := s.ui.AircanAlias()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/@") { // AirCan's /@{org}/{dataset}/actions/runs/{id}
			alias.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// webUI builds the web pages over the runs API; they sign in with a
// token (any page, when AllowUnauthenticated).
func (s *Service) webUI() (*webui.Handler, error) {
	o := &webui.Options{Status: s.cfg.Status, Runs: s.runs, Pipelines: s.cfg.Pipelines, Bucket: s.cfg.Bucket,
		Scheduler: s.sched, Logger: s.cfg.Logger, Key: []byte(s.cfg.SessionKey.Reveal()), SecureCookies: s.cfg.SecureCookies}
	if !s.cfg.AllowUnauthenticated {
		o.SignIn = s.auth.tokens.Has
	}
	ui, err := webui.New(o)
	if err != nil {
		return nil, fmt.Errorf("service: %w", err)
	}
	return ui, nil
}

// Handler serves the web UI under /ui/, every API (authenticated) and /healthz, with request ids
// and 5xx logging.
func (s *Service) Handler() http.Handler { return s.handler }

// Runs is the runs API alone, without authentication: mount it with
// [pipelinehttp.Handler.Register] and a wrap of your own.
func (s *Service) Runs() *pipelinehttp.Handler { return s.runs }

// StatusAPI is the status API alone, without authentication.
func (s *Service) StatusAPI() http.Handler { return s.status }

// IngestAPI is the ingest API with its backup and restore routes, without
// authentication; nil without Config.Store.
func (s *Service) IngestAPI() http.Handler { return s.ingest }

// Start reaps dead runs at once and then every ReapInterval, and starts the
// scheduler and the retention sweep. They run until Stop (or ctx ends).
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.stopped:
		return pipeline.ErrClosed
	case s.started:
		return fmt.Errorf("service: already started")
	}
	s.started = true
	if err := s.reaper.Start(ctx); err != nil {
		return err
	}
	if err := s.sched.Start(ctx); err != nil {
		s.reaper.Stop()
		return err
	}
	if s.sweeper != nil {
		s.sweeper.start(ctx)
	}
	return nil
}

// Stop stops the scheduler, lets running runs finish for ShutdownTimeout,
// cancels the rest (their jobs end CANCELLED) and stops the reaper and
// the sweep. Stop the HTTP server first, so no run starts meanwhile. Safe
// to call twice.
func (s *Service) Stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if !s.runs.Stop(ctx) {
		s.cfg.Logger.Warn("shutdown timeout: the remaining runs were cancelled", slog.Duration("timeout", s.cfg.ShutdownTimeout))
	}
	s.sched.Stop()
	s.reaper.Stop()
	if s.sweeper != nil {
		s.sweeper.stop()
	}
}
