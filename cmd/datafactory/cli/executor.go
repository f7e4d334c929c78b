package cli

import (
	"fmt"
	"net/url"

	"go.temporal.io/sdk/client"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/temporalexec"
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

// executor returns the executor named by --executor ("" or "inprocess":
// in this process) and a function that releases it.
func executor(raw string) (pipeline.Executor, func(), error) {
	if raw == "" || raw == "inprocess" {
		return nil, func() {}, nil
	}
	t, err := parseTemporalURL(raw)
	if err != nil {
		return nil, nil, err
	}
	c, err := t.dial()
	if err != nil {
		return nil, nil, err
	}
	return &temporalexec.Executor{Client: c, TaskQueue: t.taskQueue}, c.Close, nil
}

// quietTemporalLogger drops the Temporal SDK's logs (its warnings about
// retried polls are not the user's business).
type quietTemporalLogger struct{}

func (quietTemporalLogger) Debug(string, ...any) {}
func (quietTemporalLogger) Info(string, ...any)  {}
func (quietTemporalLogger) Warn(string, ...any)  {}
func (quietTemporalLogger) Error(string, ...any) {}
