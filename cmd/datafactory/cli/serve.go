package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/datastore/ingesthttp"
	"github.com/datafactory/datafactory/metrics"
	"github.com/datafactory/datafactory/service"
	"github.com/spf13/cobra"
)

// Environment defaults of serve's flags.
const (
	EnvAddr  = "DATAFACTORY_ADDR"
	EnvDBURL = "DATAFACTORY_DB_URL"
)

// serveFlags configure serve.
type serveFlags struct {
	addr             string
	db               string
	status           string
	bucket           string
	pipelines        string
	schemas          string
	schedules        []string
	noAuth           bool
	secureCookies    bool
	shutdownTimeout  time.Duration
	heartbeatTimeout time.Duration
	reapInterval     time.Duration
	retainRuns       time.Duration
	maxBody          int64
	logFormat        string
	executors        []string
}

func (m *Main) serveCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the status API, the ingest API, an Airflow-compatible runs API and the scheduler",
		Long: `Serve runs one HTTP service (package service):

  /status, /status/{id}, /status-from-path/{b64}, /jobs   the status API (status-api compatible)
  /v1/tables/{table}/rows                                the batch ingest API
  /api/v1/dags/{dag_id}/dagRuns[/{run_id}[/taskInstances]] Airflow's stable REST API subset
  /v1/pipelines/{pipeline}/runs[/{run_id}]               the native runs API
  /metrics                                               Prometheus metrics (status right)
  /healthz                                               liveness, no auth

with the scheduler (--schedule DAG=CRON), the status reaper (a run whose
worker died is FAILED within twice --heartbeat-timeout) and, with
--retain-runs, the retention sweep of the bucket. DAGs are the built-in
pipelines and the spec files in --pipelines; their confs name the
operator's connections (--connections), never URLs or paths.

"Authorization: Bearer $` + EnvToken + `" reaches every API; the Airflow login
($` + EnvAirflowUser + `, $` + EnvAirflowPassword + `) reaches the runs APIs only.
With --executor temporal://… runs execute on "datafactory worker"
processes (same --status, --bucket and specs) and cron triggers are
Temporal Schedules, fired once per interval across any number of serve
replicas. Secrets come from the environment or the connections file only. On
SIGINT/SIGTERM the server stops accepting requests, lets running runs
finish for --shutdown-timeout, then cancels them (their jobs end
CANCELLED).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return m.serve(cmd.Context(), &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "", "listen address (default $"+EnvAddr+", else :8080)")
	fl.StringVar(&f.db, "db", "", "database of the ingest API (default $"+EnvDBURL+", else sqlite:datafactory.db)")
	fl.StringVar(&f.status, "status", "", "status database (default $"+EnvStatusURL+", else sqlite:datafactory-status.db)")
	fl.StringVar(&f.bucket, "bucket", "", "bucket for runs and scheduler state (default $"+EnvBucketURL+", else none)")
	fl.StringVar(&f.pipelines, "pipelines", "", "directory of pipeline spec files served as DAGs")
	fl.StringVar(&f.schemas, "schemas", "", "directory of Table Schemas (<table>.json): the ingest API's data dictionary; missing tables are created (default: every existing table, as described)")
	fl.StringArrayVar(&f.schedules, "schedule", nil, "schedule a DAG: DAG=CRON (e.g. views=@monthly), repeatable")
	fl.BoolVar(&f.noAuth, "no-auth", false, "serve without authentication (local use only)")
	fl.BoolVar(&f.secureCookies, "secure-cookies", false, "mark the web UI's session cookie Secure on every response: set it behind a proxy that serves HTTPS (serve itself speaks plain HTTP)")
	fl.DurationVar(&f.shutdownTimeout, "shutdown-timeout", service.DefaultShutdownTimeout, "how long running DAG runs may take to finish on shutdown")
	fl.DurationVar(&f.heartbeatTimeout, "heartbeat-timeout", 0, "heartbeat age after which a RUNNING job is failed (default $"+EnvHeartbeatTimeout+", else 2m)")
	fl.DurationVar(&f.reapInterval, "reap-interval", 0, "how often dead runs are looked for (default half the heartbeat timeout)")
	fl.DurationVar(&f.retainRuns, "retain-runs", 0, "delete the bucket files of finished runs older than this, hourly (default: keep)")
	fl.Int64Var(&f.maxBody, "max-body", ingesthttp.DefaultMaxBodyBytes, "largest ingest request body in bytes")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format on stderr: text or json (slog)")
	fl.StringArrayVar(&f.executors, "executor", nil, `where runs execute: "inprocess" (default) or temporal://host:port?namespace=…&task_queue=… (needs --bucket; run "datafactory worker" with the same --status, --bucket and specs); repeatable: the first is the default of API, UI and scheduled runs, and the runs API's "executor" may name each ("inprocess", "temporal"); with temporal first, --schedule and cron triggers are Temporal Schedules, fired once per interval across replicas`)
	return cmd
}

// serveLogger is the service's logger on stderr in the chosen format.
func (m *Main) serveLogger(format string) (*slog.Logger, error) {
	o := &slog.HandlerOptions{Level: slog.LevelWarn}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(m.Stderr, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(m.Stderr, o)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is neither text nor json", format)
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
	cfg, closeAll, err := m.serviceConfig(ctx, f)
	defer closeAll()
	if err != nil {
		return err
	}
	svc, err := service.New(ctx, cfg)
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
	hs := &http.Server{Handler: svc.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	if err := svc.Start(context.WithoutCancel(ctx)); err != nil {
		hs.Close()
		return err
	}
	defer svc.Stop()
	fmt.Fprintf(m.Stdout, "datafactory serving on http://%s\n", ln.Addr())
	if m.Listening != nil {
		m.Listening(ln.Addr().String())
	}
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(m.Stdout, "shutting down: waiting for running DAG runs")
	sctx, cancel := context.WithTimeout(context.Background(), f.shutdownTimeout)
	defer cancel()
	return hs.Shutdown(sctx)
}

// serviceConfig turns the flags and the environment into the service's
// configuration; closeAll releases what it opened (also on error).
func (m *Main) serviceConfig(ctx context.Context, f *serveFlags) (cfg *service.Config, closeAll func(), err error) {
	var closers []func() error
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			_ = closers[i]()
		}
	}
	token := m.Getenv(EnvToken)
	cfg = &service.Config{Tokens: []string{token}, AirflowUser: m.Getenv(EnvAirflowUser),
		AirflowPassword: connection.Secret(m.Getenv(EnvAirflowPassword)), AllowUnauthenticated: f.noAuth,
		SchemasDir: f.schemas, MaxBodyBytes: f.maxBody, ShutdownTimeout: f.shutdownTimeout,
		ReapInterval: f.reapInterval, RetainRuns: f.retainRuns, SessionKey: connection.Secret(m.Getenv(EnvSessionKey)),
		SecureCookies: f.secureCookies,
	}
	if cfg.Logger, err = m.serveLogger(f.logFormat); err != nil {
		return nil, closeAll, err
	}
	if token == "" && !f.noAuth {
		return nil, closeAll, fmt.Errorf("set %s (or pass --no-auth for local use)", EnvToken)
	}
	if cfg.HeartbeatTimeout, err = m.heartbeatTimeout(f.heartbeatTimeout); err != nil {
		return nil, closeAll, err
	}
	if cfg.Store, err = m.openStore(ctx, m.envOr(f.db, EnvDBURL, "sqlite:datafactory.db")); err != nil {
		return nil, closeAll, err
	}
	closers = append(closers, cfg.Store.Close)
	if cfg.Status, err = m.openStatus(ctx, m.envOr(f.status, EnvStatusURL, "sqlite:datafactory-status.db")); err != nil {
		return nil, closeAll, err
	}
	closers = append(closers, cfg.Status.Close)
	if b := orDefault(f.bucket, m.Getenv(EnvBucketURL)); b != "" {
		if cfg.Bucket, err = openBucket(ctx, b); err != nil {
			return nil, closeAll, err
		}
		closers = append(closers, cfg.Bucket.Close)
	}
	cfg.Metrics = metrics.New()
	m.loaded = cfg.Metrics.ObserveLoad
	if err = m.serveDAGs(cfg, f.pipelines); err != nil {
		return nil, closeAll, err
	}
	closeExec, err := serveExecutors(f.executors, cfg)
	if err != nil {
		return nil, closeAll, err
	}
	closers = append(closers, func() error { closeExec(); return nil })
	for _, sc := range f.schedules {
		dag, cron, ok := strings.Cut(sc, "=")
		if !ok {
			return nil, closeAll, fmt.Errorf("--schedule %q: want DAG=CRON", sc)
		}
		cfg.Schedules = append(cfg.Schedules, service.Schedule{Pipeline: dag, Cron: cron})
	}
	return cfg, closeAll, nil
}
