package service

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/metrics"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/storage"
)

// Defaults of Config.
const (
	// DefaultHeartbeatTimeout is Config.HeartbeatTimeout's default.
	DefaultHeartbeatTimeout = 2 * time.Minute
	// DefaultShutdownTimeout is Config.ShutdownTimeout's default.
	DefaultShutdownTimeout = 30 * time.Second
	// DefaultSweepInterval is Config.SweepInterval's default.
	DefaultSweepInterval = time.Hour
)

// Schedule runs a pipeline on a cron schedule.
type Schedule struct {
	// Pipeline is the name of a pipeline of Config.Pipelines.
	Pipeline string
	// Cron is a cron expression or a preset such as "@daily".
	Cron string
}

// Config is everything the service needs. The stores and the bucket stay
// the caller's: the service never closes them.
type Config struct {
	// Status records runs and serves the status API. Required.
	Status *status.Store
	// Store is the database of the ingest API. Default none: no ingest
	// API.
	Store *datastore.Store
	// Tables are the ingest API's data dictionary (missing tables are
	// created). Default: every existing table of Store, as described.
	Tables map[string]*frictionless.Schema
	// SchemasDir adds to Tables the Table Schemas of a directory, one
	// <table>.json each. Default none.
	SchemasDir string
	// MaxBodyBytes caps an ingest request body. Default
	// ingesthttp.DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Bucket keeps runs' files and outputs and the scheduler's state.
	// Default none (scheduler state in memory).
	Bucket *storage.Bucket
	// Pipelines are served by the runs API, with their hooks, and can be
	// scheduled. Build them over the operator's connections (package
	// pipeline/tasks). Default none.
	Pipelines []pipelinehttp.DAG
	// Schedules are cron triggers of Pipelines. Default none.
	Schedules []Schedule
	// Triggers are the triggers sections of Pipelines' spec files (read
	// with schedule.SpecTriggers), added as the operator's: a request can
	// set their state but not replace or delete them, nor put a trigger
	// under their ids (see schedule.Scheduler.AddSpecTriggers). Default
	// none.
	Triggers []schedule.SpecTrigger
	// Workflows are the scheduler settings of Pipelines, by name: dart's
	// concurrency, retries_on_failure, on_failure and state (see
	// schedule.SpecOptions for a spec's). Default for a pipeline not
	// named: one run at a time, no retries, HALT, ACTIVE.
	Workflows map[string]*schedule.PipelineOptions
	// Executor runs every run the service starts: over the runs API, the
	// web UI and the scheduler (package pipeline/temporalexec runs them on
	// Temporal workers; they need Bucket). Default in-process.
	Executor pipeline.Executor
	// Executors are the executors a trigger request may pick by name
	// (pipelinehttp.Options.Executors); a request never gives an address.
	// Default none: requests take Executor.
	Executors map[string]pipeline.Executor
	// Cron, when set, fires the cron triggers (Schedules and those put
	// over the API) instead of this process's scheduler, exactly once per
	// interval across replicas (temporalexec.Schedules; see
	// schedule.Options.Cron). Default nil: the scheduler ticks them.
	Cron schedule.CronSchedules
	// Tokens are the bearer tokens that reach every API. Default none.
	Tokens []string
	// AirflowUser and AirflowPassword are the basic-auth login of the
	// runs API (ckanext-aircan's). Default none: only tokens reach it.
	AirflowUser     string
	AirflowPassword connection.Secret
	// AllowUnauthenticated serves every API without credentials, for
	// local use. Default false: without Tokens nor an Airflow user, New
	// fails.
	AllowUnauthenticated bool
	// HeartbeatTimeout is the heartbeat age after which the reaper fails a
	// RUNNING job; runs heartbeat every HeartbeatTimeout/4. Default
	// DefaultHeartbeatTimeout.
	HeartbeatTimeout time.Duration
	// ReapInterval is how often the reaper looks; at most
	// HeartbeatTimeout. Default HeartbeatTimeout/2.
	ReapInterval time.Duration
	// RetainRuns deletes the bucket files of runs that are not active and
	// whose newest file is older than this, every SweepInterval. Default
	// 0: no sweep.
	RetainRuns time.Duration
	// SweepInterval is how often the retention sweep runs. Default
	// DefaultSweepInterval.
	SweepInterval time.Duration
	// ShutdownTimeout is how long Stop lets running runs finish before
	// cancelling them. Default DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Logger receives 5xx responses (with their request id), reaped jobs,
	// scheduler and sweep logs. Default: discard.
	Logger *slog.Logger
	// Metrics collects the service's Prometheus metrics (HTTP requests by
	// route and code, finished runs by state), served at GET /metrics behind
	// the status right. Default: a new [metrics.Metrics]; pass your own to
	// observe loads and tasks of your own code in the same registry.
	Metrics *metrics.Metrics
	// SessionKey signs the web UI's session cookies and CSRF tokens: at
	// least 32 bytes, the same on every replica behind one address so a
	// session signed in on one is valid on the others. Default: 32 random
	// bytes per process (a restart signs everyone out).
	SessionKey connection.Secret
	// SecureCookies marks the web UI's session cookie Secure on every
	// response, for a service behind a TLS-terminating proxy (see
	// webui.Options.SecureCookies). Default false: Secure only on
	// requests that arrived over TLS.
	SecureCookies bool
}

// withDefaults returns a filled copy.
func (c *Config) withDefaults() Config {
	o := *c
	if o.HeartbeatTimeout <= 0 {
		o.HeartbeatTimeout = DefaultHeartbeatTimeout
	}
	if o.ReapInterval <= 0 {
		o.ReapInterval = o.HeartbeatTimeout / 2
	}
	if o.SweepInterval <= 0 {
		o.SweepInterval = DefaultSweepInterval
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// MinSessionKeyBytes is the shortest Config.SessionKey accepted.
const MinSessionKeyBytes = 32

// validate names the first bad field.
func (c *Config) validate() error {
	switch {
	case c.Status == nil:
		return errors.New("service: Config.Status is required")
	case c.ReapInterval > c.HeartbeatTimeout:
		return fmt.Errorf("service: Config.ReapInterval %v is longer than HeartbeatTimeout %v", c.ReapInterval, c.HeartbeatTimeout)
	case c.RetainRuns < 0:
		return errors.New("service: Config.RetainRuns is negative")
	case (c.AirflowUser == "") != (c.AirflowPassword == ""):
		return errors.New("service: Config.AirflowUser and AirflowPassword go together")
	case c.SessionKey != "" && len(c.SessionKey) < MinSessionKeyBytes:
		return fmt.Errorf("service: Config.SessionKey has %d bytes, want at least %d", len(c.SessionKey), MinSessionKeyBytes)
	case !c.AllowUnauthenticated && len(nonEmpty(c.Tokens)) == 0 && c.AirflowUser == "":
		return errors.New("service: no Config.Tokens nor Airflow user: set one, or AllowUnauthenticated for local use")
	}
	return nil
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
