package cli

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ingesthttp"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/statushttp"
	"github.com/datafactory/datafactory/storage"
	"github.com/spf13/cobra"
)

// Environment defaults of serve's flags.
const (
	EnvAddr  = "DATAFACTORY_ADDR"
	EnvDBURL = "DATAFACTORY_DB_URL"
)

// serveFlags configure serve.
type serveFlags struct {
	addr            string
	db              string
	status          string
	bucket          string
	pipelines       string
	schemas         string
	schedules       []string
	noAuth          bool
	shutdownTimeout time.Duration
	maxBody         int64
}

func (m *Main) serveCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the status API, the ingest API, an Airflow-compatible runs API and the scheduler",
		Long: `Serve runs one HTTP service:

  /status, /status/{id}, /status-from-path/{b64}, /jobs   the status API (status-api compatible)
  /v1/tables/{table}/rows, …/backup, …/restore          the batch ingest API
  /api/v1/dags/{dag_id}/dagRuns[/{run_id}[/taskInstances]] Airflow's stable REST API subset
  /healthz                                               liveness, no auth

and the scheduler for --schedule DAG=CRON triggers. DAGs are the built-in
pipelines and the spec files in --pipelines. The status and ingest APIs need
"Authorization: Bearer $` + EnvToken + `"; the Airflow routes take basic auth
($` + EnvAirflowUser + `, $` + EnvAirflowPassword + `) or the bearer token.
Secrets come from the environment only. On SIGINT/SIGTERM the server stops
accepting requests, lets running DAG runs finish for --shutdown-timeout, then
cancels them (their jobs end CANCELLED, their traces FINISHED/FAILED).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return m.serve(cmd.Context(), &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "", "listen address (default $"+EnvAddr+", else :8080)")
	fl.StringVar(&f.db, "db", "", "database of the ingest API (default $"+EnvDBURL+", else sqlite:datafactory.db)")
	fl.StringVar(&f.status, "status", "", "status database (default $"+EnvStatusURL+", else sqlite:datafactory-status.db)")
	fl.StringVar(&f.bucket, "bucket", "", "bucket for runs, backups and scheduler state (default $"+EnvBucketURL+", else none)")
	fl.StringVar(&f.pipelines, "pipelines", "", "directory of pipeline spec files served as DAGs")
	fl.StringVar(&f.schemas, "schemas", "", "directory of Table Schemas (<table>.json): the ingest API's data dictionary; missing tables are created (default: every existing table, as described)")
	fl.StringArrayVar(&f.schedules, "schedule", nil, "schedule a DAG: DAG=CRON (e.g. views=@monthly), repeatable")
	fl.BoolVar(&f.noAuth, "no-auth", false, "serve without authentication (local use only)")
	fl.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long running DAG runs may take to finish on shutdown")
	fl.Int64Var(&f.maxBody, "max-body", ingesthttp.DefaultMaxBodyBytes, "largest ingest request body in bytes")
	return cmd
}

// server is serve's running state.
type server struct {
	store  *datastore.Store
	status *status.Store
	bucket *storage.Bucket
	runs   *dagRuns
	sched  *schedule.Scheduler
	mux    *http.ServeMux
}

func (s *server) close() {
	if s.store != nil {
		s.store.Close()
	}
	if s.status != nil {
		s.status.Close()
	}
	if s.bucket != nil {
		s.bucket.Close()
	}
}

func (m *Main) envOr(flag, env, def string) string {
	if flag != "" {
		return flag
	}
	if v := m.Getenv(env); v != "" {
		return "env:" + env
	}
	return def
}

func (m *Main) serve(ctx context.Context, f *serveFlags) error {
	token := m.Getenv(EnvToken)
	if token == "" && !f.noAuth {
		return errors.New("set " + EnvToken + " (or pass --no-auth for local use)")
	}
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	s, err := m.newServer(ctx, runCtx, f, token)
	if s != nil {
		defer s.close()
	}
	if err != nil {
		return err
	}
	addr := f.addr
	if addr == "" {
		addr = orDefault(m.Getenv(EnvAddr), ":8080")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	if err := s.sched.Start(runCtx); err != nil {
		hs.Close()
		return err
	}
	fmt.Fprintf(m.Stdout, "datafactory serving on http://%s\n", ln.Addr())
	if m.Listening != nil {
		m.Listening(ln.Addr().String())
	}
	select {
	case err := <-served:
		s.sched.Stop()
		return err
	case <-ctx.Done():
	}
	return m.shutdown(hs, s, f.shutdownTimeout, cancelRuns)
}

// shutdown stops accepting requests, lets runs finish within timeout, then
// cancels the rest.
func (m *Main) shutdown(hs *http.Server, s *server, timeout time.Duration, cancelRuns context.CancelFunc) error {
	fmt.Fprintln(m.Stdout, "shutting down: waiting for running DAG runs")
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if !s.runs.wait(sctx) {
		fmt.Fprintln(m.Stdout, "shutdown timeout: cancelling the remaining runs")
	}
	cancelRuns()
	s.sched.Stop()
	s.runs.wait(context.Background())
	return err
}

// newServer opens the stores and builds the handlers.
func (m *Main) newServer(ctx, runCtx context.Context, f *serveFlags, token string) (*server, error) {
	s := &server{mux: http.NewServeMux()}
	var err error
	if s.store, err = m.openStore(ctx, m.envOr(f.db, EnvDBURL, "sqlite:datafactory.db")); err != nil {
		return s, err
	}
	statusArg := m.envOr(f.status, EnvStatusURL, "sqlite:datafactory-status.db")
	if s.status, err = m.openStatus(ctx, statusArg); err != nil {
		return s, err
	}
	if b := orDefault(f.bucket, m.Getenv(EnvBucketURL)); b != "" {
		if s.bucket, err = openBucket(ctx, b); err != nil {
			return s, err
		}
	}
	be := pipeline.NewBackend(&pipeline.BackendOptions{Status: s.status, Storage: s.bucket})
	dags, err := m.dags(f.pipelines)
	if err != nil {
		return s, err
	}
	s.runs = newDagRuns(runCtx, dags, be)
	s.runs.cancelled = m.reportCancelled
	if s.sched, err = m.scheduler(ctx, s, dags, be, f.schedules); err != nil {
		return s, err
	}
	s.runs.completed = func(dag string, st pipeline.State) { _ = s.sched.RunCompleted(runCtx, dag, st) }
	return s, m.routes(ctx, s, f, token)
}

// dags are the built-in pipelines and the specs in dir.
func (m *Main) dags(dir string) (map[string]*pipeline.Pipeline, error) {
	dags, err := m.builtinPipelines()
	if err != nil {
		return nil, err
	}
	if dir == "" {
		return dags, nil
	}
	ps, err := m.loadPipelineDir(dir)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if _, dup := dags[p.Name()]; dup {
			return nil, fmt.Errorf("pipeline %q defined twice", p.Name())
		}
		dags[p.Name()] = p
	}
	return dags, nil
}

// scheduler adds every DAG and the --schedule cron triggers.
func (m *Main) scheduler(ctx context.Context, s *server, dags map[string]*pipeline.Pipeline,
	be *pipeline.Backend, schedules []string) (*schedule.Scheduler, error) {
	opts := &schedule.Options{
		Logger:     slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		RunOptions: func(string) *pipeline.RunOptions { return &pipeline.RunOptions{Backend: be} },
	}
	if s.bucket != nil {
		st, err := schedule.NewBucketStateStore(s.bucket, "_scheduler")
		if err != nil {
			return nil, err
		}
		opts.State = st
	}
	sched := schedule.New(opts)
	for _, name := range sortedKeys(dags) {
		if err := sched.AddPipeline(dags[name], nil); err != nil {
			return nil, err
		}
	}
	for _, sc := range schedules {
		dag, cron, ok := strings.Cut(sc, "=")
		if !ok || dags[dag] == nil {
			return nil, fmt.Errorf("--schedule %q: want DAG=CRON with a known DAG", sc)
		}
		start := time.Now().UTC().Truncate(time.Hour)
		if err := sched.AddTrigger("cron-"+dag, schedule.CronTrigger{Cron: cron, Start: start}, dag); err != nil {
			return nil, fmt.Errorf("--schedule %q: %w", sc, err)
		}
	}
	_ = ctx
	return sched, nil
}

// routes mounts the APIs.
func (m *Main) routes(ctx context.Context, s *server, f *serveFlags, token string) error {
	var tokens []string
	if token != "" {
		tokens = []string{token}
	}
	sh := statushttp.NewHandler(s.status, &statushttp.HandlerOptions{Tokens: tokens, AllowUnauthenticated: f.noAuth})
	for _, p := range []string{"/status", "/status/", "/status-from-path/", "/jobs", "/jobs/"} {
		s.mux.Handle(p, sh)
	}
	tables, err := dataDictionary(ctx, s.store, f.schemas)
	if err != nil {
		return err
	}
	ih, err := ingesthttp.New(ctx, s.store, &ingesthttp.Options{Token: token, MaxBodyBytes: f.maxBody, Tables: tables})
	if err != nil {
		return err
	}
	s.mux.Handle("/v1/", ih)
	if err := mountBackups(s, tables, token, f.noAuth); err != nil {
		return err
	}
	auth := airflowAuth{token: token, user: m.Getenv(EnvAirflowUser), password: m.Getenv(EnvAirflowPassword), open: f.noAuth}
	s.runs.register(s.mux, auth.wrap)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return nil
}

// dataDictionary reads the Table Schemas of dir (one <table>.json each) and
// creates the tables that do not exist; nil when dir is "".
func dataDictionary(ctx context.Context, store *datastore.Store, dir string) (map[string]*frictionless.Schema, error) {
	if dir == "" {
		return nil, nil
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	tables := map[string]*frictionless.Schema{}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		schema, err := frictionless.LoadSchema(ctx, p)
		if err != nil {
			return nil, err
		}
		err = store.CreateTable(ctx, name, schema)
		if err != nil && !errors.Is(err, datastore.ErrExists) {
			return nil, fmt.Errorf("table %s: %w", name, err)
		}
		tables[name] = schema
	}
	return tables, nil
}

// airflowAuth guards the Airflow routes: basic auth with the configured user
// and password, or the bearer token; constant-time comparisons.
type airflowAuth struct {
	token, user, password string
	open                  bool
}

func (a airflowAuth) ok(r *http.Request) (present, valid bool) {
	if u, p, has := r.BasicAuth(); has {
		if a.user == "" || a.password == "" {
			return true, false
		}
		uok := subtle.ConstantTimeCompare([]byte(u), []byte(a.user)) == 1
		pok := subtle.ConstantTimeCompare([]byte(p), []byte(a.password)) == 1
		return true, uok && pok
	}
	if t, has := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); has && t != "" {
		return true, a.token != "" && subtle.ConstantTimeCompare([]byte(t), []byte(a.token)) == 1
	}
	return false, false
}

func (a airflowAuth) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.open {
			present, valid := a.ok(r)
			if !present {
				w.Header().Set("WWW-Authenticate", `Basic realm="datafactory"`)
				writeAirflowError(w, http.StatusUnauthorized, "Unauthorized", "No credentials were given")
				return
			}
			if !valid {
				writeAirflowError(w, http.StatusForbidden, "Forbidden", "Invalid credentials")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
