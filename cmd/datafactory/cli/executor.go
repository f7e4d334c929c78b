package cli

import (
	"errors"
	"fmt"
	"net/url"

	"go.temporal.io/sdk/client"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/temporalexec"
	"github.com/datafactory/datafactory/service"
)

// temporalTarget is a parsed temporal://host:port?namespace=…&task_queue=…
type temporalTarget struct {
	hostPort, namespace, taskQueue string
}

// parseTemporalURL reads a Temporal executor URL. namespace defaults to
// "default", task_queue to "datafactory".
func parseTemporalURL(raw string) (temporalTarget, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "temporal" || u.Host == "" {
		return temporalTarget{}, fmt.Errorf("executor %q: want temporal://host:port?namespace=…&task_queue=…", raw)
	}
	q := u.Query()
	for k := range q {
		if k != "namespace" && k != "task_queue" {
			return temporalTarget{}, fmt.Errorf("executor: unknown parameter %q (want namespace, task_queue)", k)
		}
	}
	t := temporalTarget{hostPort: u.Host, namespace: q.Get("namespace"), taskQueue: q.Get("task_queue")}
	if t.namespace == "" {
		t.namespace = "default"
	}
	if t.taskQueue == "" {
		t.taskQueue = "datafactory"
	}
	return t, nil
}

// dial connects to the target's namespace.
func (t temporalTarget) dial() (client.Client, error) {
	c, err := client.Dial(client.Options{HostPort: t.hostPort, Namespace: t.namespace, Logger: quietTemporalLogger{}})
	if err != nil {
		return nil, fmt.Errorf("temporal %s: %w", t.hostPort, err)
	}
	return c, nil
}

// Executor names, as --executor and the runs API's "executor" give them.
const (
	executorInProcess = "inprocess"
	executorTemporal  = "temporal"
)

// openedExecutor is an --executor value, connected.
type openedExecutor struct {
	name   string            // executorInProcess or executorTemporal
	exec   pipeline.Executor // nil in-process
	client client.Client     // nil in-process
	target temporalTarget    // zero in-process
	close  func()            // releases the connection
}

// openExecutor parses and connects an --executor value: "" or
// "inprocess" (in this process), or temporal://host:port?namespace=…&task_queue=….
// The one place the syntax is read.
func openExecutor(raw string) (openedExecutor, error) {
	if raw == "" || raw == executorInProcess {
		return openedExecutor{name: executorInProcess, close: func() {}}, nil
	}
	t, err := parseTemporalURL(raw)
	if err != nil {
		return openedExecutor{}, err
	}
	c, err := t.dial()
	if err != nil {
		return openedExecutor{}, err
	}
	return openedExecutor{name: executorTemporal, exec: &temporalexec.Executor{Client: c, TaskQueue: t.taskQueue},
		client: c, target: t, close: c.Close}, nil
}

// executor returns the executor named by --executor ("" or "inprocess":
// in this process) and a function that releases it.
func executor(raw string) (pipeline.Executor, func(), error) {
	o, err := openExecutor(raw)
	if err != nil {
		return nil, nil, err
	}
	return o.exec, o.close, nil
}

// quietTemporalLogger drops the Temporal SDK's logs (its warnings about
// retried polls are not the user's business).
type quietTemporalLogger struct{}

func (quietTemporalLogger) Debug(string, ...any) {}
func (quietTemporalLogger) Info(string, ...any)  {}
func (quietTemporalLogger) Warn(string, ...any)  {}
func (quietTemporalLogger) Error(string, ...any) {}

// serveExecutors opens serve's --executor values (none: "inprocess")
// into cfg: the first is the default of every run the service starts; each
// is offered to the runs API under its name ("inprocess", "temporal"), at
// most one of each; with Temporal first, cron triggers become Temporal
// Schedules on its task queue. It returns what releases the connections.
func serveExecutors(raws []string, cfg *service.Config) (func(), error) {
	if err := checkServeExecutors(raws, cfg.Bucket != nil); err != nil {
		return func() {}, err
	}
	if len(raws) == 0 {
		raws = []string{executorInProcess}
	}
	var closers []func()
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	cfg.Executors = map[string]pipeline.Executor{}
	for i, raw := range raws {
		o, err := openExecutor(raw)
		if err != nil {
			closeAll()
			return func() {}, fmt.Errorf("--executor: %w", err)
		}
		closers = append(closers, o.close)
		cfg.Executors[o.name] = o.exec
		if i == 0 {
			cfg.Executor = o.exec
			if o.client != nil {
				cfg.Cron = &temporalexec.Schedules{Client: o.client, TaskQueue: o.target.taskQueue}
			}
		}
	}
	return closeAll, nil
}

// checkServeExecutors checks serve's --executor values before anything
// is dialled: their syntax, one of each kind, and a bucket for Temporal.
func checkServeExecutors(raws []string, haveBucket bool) error {
	seen := map[string]bool{}
	for _, raw := range raws {
		name := executorInProcess
		if raw != "" && raw != executorInProcess {
			if _, err := parseTemporalURL(raw); err != nil {
				return err
			}
			name = executorTemporal
		}
		if seen[name] {
			return fmt.Errorf("--executor: %s given twice", name)
		}
		seen[name] = true
	}
	if seen[executorTemporal] && !haveBucket {
		return errors.New("--executor temporal://… needs --bucket: workers read and write the runs' files there")
	}
	return nil
}
