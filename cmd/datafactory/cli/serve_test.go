package cli_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/stretchr/testify/require"
)

const (
	serveToken = "serve-token-1"
	afUser     = "aircan"
	afPass     = "aircan-pw"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// served is a running serve command.
type served struct {
	base     string
	db       string
	statusDB string
	stop     context.CancelFunc
	done     chan int
	stdout   *syncBuffer
	stopped  bool // the test already received from done
}

// shutdown stops the server and returns its exit code.
func (s *served) shutdown() int {
	s.stop()
	s.stopped = true
	return <-s.done
}

// startServe runs "datafactory serve" in-process on a loopback port.
func startServe(t *testing.T, extra ...string) *served {
	t.Helper()
	return startServeEnv(t, nil, extra...)
}

// startServeEnv is startServe with more environment variables.
func startServeEnv(t *testing.T, moreEnv map[string]string, extra ...string) *served {
	t.Helper()
	dir := t.TempDir()
	s := &served{db: "sqlite://" + filepath.Join(dir, "data.db"), statusDB: "sqlite://" + filepath.Join(dir, "status.db"),
		done: make(chan int, 1), stdout: &syncBuffer{}}
	// the ingest API serves existing tables: create one
	st, err := sqlstore.Open(context.Background(), s.db, nil)
	require.NoError(t, err)
	require.NoError(t, st.CreateTable(context.Background(), "people", &frictionless.Schema{
		Fields: []frictionless.Field{
			{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
			{Name: "name", Type: frictionless.TypeString}},
		PrimaryKey: []string{"id"}}))
	require.NoError(t, st.Close())

	// the operator's connections: the ingest database is also the
	// database "default" confs may name, testdata the file root "default"
	env := operatorEnv(t, map[string]string{cli.EnvToken: serveToken, cli.EnvAirflowUser: afUser,
		cli.EnvAirflowPassword: afPass, cli.EnvDBURL: s.db})
	for k, v := range moreEnv {
		env[k] = v
	}
	addr := make(chan string, 1)
	m := &cli.Main{Stdout: s.stdout, Stderr: io.Discard, Getenv: func(k string) string { return env[k] },
		Listening: func(a string) { addr <- a }}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", s.db, "--status", s.statusDB,
		"--pipelines", "testdata/dags"}, extra...)
	go func() { s.done <- m.Run(ctx, args) }()
	select {
	case a := <-addr:
		s.base = "http://" + a
	case code := <-s.done:
		t.Fatalf("serve exited with %d: %s", code, s.stdout.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	t.Cleanup(func() {
		cancel()
		if !s.stopped {
			select {
			case <-s.done:
			case <-time.After(30 * time.Second):
			}
		}
	})
	return s
}

type auth struct{ bearer, user, pass string }

var (
	bearer  = auth{bearer: serveToken}
	basic   = auth{user: afUser, pass: afPass}
	noAuth  = auth{}
	badBear = auth{bearer: "wrong"}
	badBas  = auth{user: afUser, pass: "wrong"}
)

// call sends a request and decodes a JSON answer into out.
func (s *served) call(t *testing.T, method, path string, a auth, ctype string, body []byte, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(body))
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if a.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	}
	if a.user != "" {
		req.SetBasicAuth(a.user, a.pass)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil && len(data) > 0 {
		require.NoError(t, json.Unmarshal(data, out), string(data))
	}
	return resp.StatusCode
}

// pollRun polls a DAG run until it leaves queued/running.
func (s *served) pollRun(t *testing.T, dag, run string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var got map[string]any
		require.Equal(t, http.StatusOK, s.call(t, "GET", "/api/v1/dags/"+dag+"/dagRuns/"+run, basic, "", nil, &got))
		if st := got["state"]; st != "queued" && st != "running" {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("run %s did not finish", run)
	return nil
}

func TestServeAuthAndLimits(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	many := "[" + strings.Repeat(`{"id":1},`, 1000) + `{"id":2}]`
	tests := []struct {
		name   string
		method string
		path   string
		a      auth
		ctype  string
		body   string
		code   int
	}{
		{"health", "GET", "/healthz", noAuth, "", "", 200},
		{"status no token", "GET", "/status/x", noAuth, "", "", 401},
		{"status wrong token", "GET", "/status/x", badBear, "", "", 401},
		{"status airflow login", "GET", "/status/x", basic, "", "", 403},
		{"status unknown trace", "GET", "/status/x", bearer, "", "", 404},
		{"jobs", "GET", "/jobs", bearer, "", "", 200},
		{"ingest no token", "POST", "/v1/tables/people/rows", noAuth, "application/json", `[{"id":1}]`, 401},
		{"ingest wrong token", "POST", "/v1/tables/people/rows", badBear, "application/json", `[{"id":1}]`, 401},
		{"ingest airflow login", "POST", "/v1/tables/people/rows", basic, "application/json", `[{"id":1}]`, 403},
		{"ingest 1001 rows", "POST", "/v1/tables/people/rows", bearer, "application/json", many, 413},
		{"ingest 0 rows", "POST", "/v1/tables/people/rows", bearer, "application/json", `[]`, 400},
		{"ingest bad JSON", "POST", "/v1/tables/people/rows", bearer, "application/json", `[{`, 400},
		{"ingest unknown table", "POST", "/v1/tables/nope/rows", bearer, "application/json", `[{"id":1}]`, 404},
		{"ingest ok", "POST", "/v1/tables/people/rows", bearer, "application/json", `[{"id":1,"name":"Ada"}]`, 201},
		{"airflow no auth", "GET", "/api/v1/dags", noAuth, "", "", 401},
		{"airflow wrong password", "GET", "/api/v1/dags", badBas, "", "", 401},
		{"airflow wrong token", "GET", "/api/v1/dags", badBear, "", "", 401},
		{"airflow basic", "GET", "/api/v1/dags", basic, "", "", 200},
		{"airflow bearer", "GET", "/api/v1/dags", bearer, "", "", 200},
		{"unknown dag", "POST", "/api/v1/dags/nope/dagRuns", basic, "application/json", `{}`, 404},
		{"bad body", "POST", "/api/v1/dags/slow/dagRuns", basic, "application/json", `{"conf": `, 400},
		{"bad conf", "POST", "/api/v1/dags/load/dagRuns", basic, "application/json", `{"conf": {"source": 1}}`, 400},
		{"oversized body", "POST", "/api/v1/dags/slow/dagRuns", basic, "application/json", `{"conf": {"x": "` + strings.Repeat("a", 1<<20) + `"}}`, 413},
		{"unknown run", "GET", "/api/v1/dags/slow/dagRuns/nope", basic, "", "", 404},
	}
	for _, tt := range tests {
		var out map[string]any
		code := s.call(t, tt.method, tt.path, tt.a, tt.ctype, []byte(tt.body), &out)
		require.Equal(t, tt.code, code, "%s: %v", tt.name, out)
	}
}

func TestServeDagRun(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	// an Airflow-style trigger, as ckanext-aircan sends it
	conf := `{"dag_run_id": "aircan-run-1", "conf": {"source": "people.csv", "target": "default",
		"schema": "people.schema.json", "table": "people_loaded"}}`
	var trig map[string]any
	require.Equal(t, http.StatusOK, s.call(t, "POST", "/api/v1/dags/load/dagRuns", basic, "application/json", []byte(conf), &trig))
	require.Equal(t, "aircan-run-1", trig["dag_run_id"])
	require.Contains(t, []any{"queued", "running"}, trig["state"])
	require.Equal(t, http.StatusConflict, s.call(t, "POST", "/api/v1/dags/load/dagRuns", basic, "application/json", []byte(conf), nil))

	run := s.pollRun(t, "load", "aircan-run-1")
	require.Equal(t, "success", run["state"])
	var tis struct {
		TaskInstances []struct {
			TaskID string `json:"task_id"`
			State  string `json:"state"`
			Try    int    `json:"try_number"`
		} `json:"task_instances"`
		Total int `json:"total_entries"`
	}
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/api/v1/dags/load/dagRuns/aircan-run-1/taskInstances", basic, "", nil, &tis))
	require.Equal(t, 1, tis.Total)
	require.Equal(t, "load", tis.TaskInstances[0].TaskID)
	require.Equal(t, "success", tis.TaskInstances[0].State)
	require.Equal(t, 1, tis.TaskInstances[0].Try)

	var ti map[string]any
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/api/v1/dags/load/dagRuns/aircan-run-1/taskInstances/load", basic, "", nil, &ti))
	require.Equal(t, "success", ti["state"])
	require.Equal(t, http.StatusNotFound, s.call(t, "GET", "/api/v1/dags/load/dagRuns/aircan-run-1/taskInstances/nope", basic, "", nil, nil))

	// the run is visible through the status API: a finished trace and a DONE job
	var events []map[string]any
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/status/aircan-run-1", bearer, "", nil, &events))
	require.NotEmpty(t, events)
	last := events[len(events)-1]
	require.Equal(t, "FINISHED", last["trace_status"])
	require.Equal(t, "OK", last["trace_event_status"])
	var job status.Job
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/jobs/aircan-run-1", bearer, "", nil, &job))
	require.Equal(t, status.JobDone, job.Status)
	require.Equal(t, 3, countRows(t, s.db, "people_loaded"))
	// the CLI reads the same status through the service
	r := runCLI(t, map[string]string{cli.EnvToken: serveToken}, "status", "aircan-run-1", "--status", s.base, "--format", "json")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, `"done": true`)

	// a failing DAG ends failed, with the failed task and the skipped one
	require.Equal(t, http.StatusOK, s.call(t, "POST", "/api/v1/dags/demo_failing/dagRuns", basic, "application/json", []byte(`{"dag_run_id": "f1"}`), nil))
	run = s.pollRun(t, "demo_failing", "f1")
	require.Equal(t, "failed", run["state"])
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/api/v1/dags/demo_failing/dagRuns/f1/taskInstances", basic, "", nil, &tis))
	require.Equal(t, "failed", tis.TaskInstances[0].State)
	require.Equal(t, "upstream_failed", tis.TaskInstances[1].State)
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/status/f1", bearer, "", nil, &events))
	require.Equal(t, "FAILED", events[len(events)-1]["trace_event_status"])

	// a secret in the conf is never echoed
	var echoed map[string]any
	require.Equal(t, http.StatusOK, s.call(t, "POST", "/api/v1/dags/slow/dagRuns", basic, "application/json",
		[]byte(`{"dag_run_id": "s1", "conf": {"ckan_config": {"api_key": "k-123-secret"}}}`), &echoed))
	got, err := json.Marshal(s.pollRun(t, "slow", "s1"))
	require.NoError(t, err)
	require.NotContains(t, string(got), "k-123-secret")
	require.Contains(t, string(got), "[redacted]")

	var list map[string]any
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/api/v1/dags/load/dagRuns", basic, "", nil, &list))
	require.EqualValues(t, 1, list["total_entries"])
	// status-from-path answers through the same service (no event has that path)
	require.Equal(t, http.StatusNotFound, s.call(t, "GET", "/status-from-path/"+base64.StdEncoding.EncodeToString([]byte("a/b.csv")), bearer, "", nil, nil))
}

func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--shutdown-timeout", "20s")
	require.Equal(t, http.StatusOK, s.call(t, "POST", "/api/v1/dags/slow/dagRuns", basic, "application/json", []byte(`{"dag_run_id": "slow-1"}`), nil))
	time.Sleep(50 * time.Millisecond)
	require.Equal(t, cli.ExitOK, s.shutdown(), s.stdout.String())
	st, err := sqlstatus.Open(context.Background(), s.statusDB, nil)
	require.NoError(t, err)
	defer st.Close()
	job, err := st.Job(context.Background(), "slow-1")
	require.NoError(t, err)
	require.Equal(t, status.JobDone, job.Status, "the running run was let finish")
}

func TestServeShutdownCancelsStuckRuns(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--shutdown-timeout", "100ms")
	require.Equal(t, http.StatusOK, s.call(t, "POST", "/api/v1/dags/stuck/dagRuns", basic, "application/json", []byte(`{"dag_run_id": "stuck-1"}`), nil))
	time.Sleep(50 * time.Millisecond)
	require.Equal(t, cli.ExitOK, s.shutdown())
	st, err := sqlstatus.Open(context.Background(), s.statusDB, nil)
	require.NoError(t, err)
	defer st.Close()
	job, err := st.Job(context.Background(), "stuck-1")
	require.NoError(t, err)
	require.Contains(t, []status.JobStatus{status.JobCancelled, status.JobFailed}, job.Status, "no run stays RUNNING")
	sum, err := st.Summary(context.Background(), "stuck-1")
	require.NoError(t, err)
	require.True(t, sum.Done)
}

func TestServeConfigErrors(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "serve", "--addr", "127.0.0.1:0")
	require.Equal(t, cli.ExitError, r.code)
	require.Contains(t, r.stderr, cli.EnvToken)
	dir := t.TempDir()
	env := map[string]string{cli.EnvToken: "t"}
	base := []string{"serve", "--addr", "127.0.0.1:0", "--db", "sqlite://" + filepath.Join(dir, "d.db"), "--status", "sqlite://" + filepath.Join(dir, "s.db")}
	r = runCLI(t, env, append(base, "--schedule", "nope=@daily")...)
	require.Equal(t, cli.ExitError, r.code)
	require.Contains(t, r.stderr, `no pipeline "nope"`)
	r = runCLI(t, env, append(base, "--pipelines", "testdata/nope")...)
	require.Equal(t, cli.ExitError, r.code)
	r = runCLI(t, env, append(base, "--addr", "256.0.0.1:1")...)
	require.Equal(t, cli.ExitError, r.code)
	r = runCLI(t, env, append(base, "--log-format", "yaml")...)
	require.Equal(t, cli.ExitError, r.code)
	require.Contains(t, r.stderr, `--log-format: "yaml" is neither text nor json`)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--executor", "temporal://127.0.0.1:1?task_queue=tsched-x"}, "needs --bucket"},
		{[]string{"--executor", "http://127.0.0.1:7233"}, "want temporal://"},
		{[]string{"--executor", "temporal://h:1?queue=x"}, `unknown parameter "queue"`},
		{[]string{"--executor", "inprocess", "--executor", ""}, "inprocess given twice"},
	} {
		r = runCLI(t, env, append(base, c.args...)...)
		require.Equal(t, cli.ExitError, r.code, c.args)
		require.Contains(t, r.stderr, c.want, c.args)
	}
}

func TestServeScheduler(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--schedule", "slow=@every 1s")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var list struct {
			Jobs []status.Job `json:"jobs"`
		}
		require.Equal(t, http.StatusOK, s.call(t, "GET", "/jobs", bearer, "", nil, &list))
		for _, j := range list.Jobs {
			if strings.HasPrefix(j.ID, "slow-") && j.Status == status.JobDone {
				return // a scheduled run of "slow" ran to the end
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no scheduled run of slow finished")
}

func TestServeDataDictionary(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--schemas", "testdata/schemas")
	var resp struct {
		Inserted int `json:"inserted"`
		Rejected int `json:"rejected"`
		Rows     []struct {
			Field  string `json:"field"`
			Reason string `json:"reason"`
		} `json:"rows"`
	}
	// staff was created from its schema; people exists but is not in the dictionary
	code := s.call(t, "POST", "/v1/tables/staff/rows", bearer, "application/json",
		[]byte(`[{"id": 1, "name": "Ada", "age": 36}, {"id": 2, "age": -1}]`), &resp)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, 1, resp.Inserted)
	require.Equal(t, 1, resp.Rejected)
	require.Equal(t, "name", resp.Rows[1].Field)
	require.Equal(t, http.StatusNotFound, s.call(t, "POST", "/v1/tables/people/rows", bearer, "application/json", []byte(`[{"id": 1}]`), nil))
	require.Equal(t, 1, countRows(t, s.db, "staff"))
	require.Equal(t, 1, countRows(t, s.db, "staff__rejects"))
}

// A spec's workflow settings reach serve's scheduler: slow says ACTIVE,
// demo_failing says nothing and is INACTIVE (dart's default), so a manual
// run of it is refused with the reason.
func TestServeWorkflowSettings(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	var p struct {
		Activation struct {
			State string `json:"state"`
		} `json:"activation"`
	}
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/v1/schedule/pipelines/slow", bearer, "", nil, &p))
	require.Equal(t, "ACTIVE", p.Activation.State)
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/v1/schedule/pipelines/demo_failing", bearer, "", nil, &p))
	require.Equal(t, "INACTIVE", p.Activation.State)
	var msg struct {
		Message string `json:"message"`
	}
	require.Equal(t, http.StatusBadRequest, s.call(t, "POST", "/v1/schedule/pipelines/demo_failing/manual-runs", bearer, "", nil, &msg))
	require.Contains(t, msg.Message, "inactive")
}

// A spec file's triggers section reaches serve's scheduler as the
// operator's trigger: INACTIVE as the file gives no state, its state can be
// set over HTTP, but a request cannot replace or delete it.
func TestServeSpecTriggers(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	var tr struct {
		Kind       string `json:"kind"`
		DeclaredBy string `json:"declared_by"`
		Activation struct {
			State string `json:"state"`
		} `json:"activation"`
	}
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/v1/schedule/triggers/slow-refresh", bearer, "", nil, &tr))
	require.Equal(t, "event", tr.Kind)
	require.Equal(t, "slow", tr.DeclaredBy)
	require.Equal(t, "INACTIVE", tr.Activation.State)
	require.Equal(t, http.StatusForbidden, s.call(t, "PUT", "/v1/schedule/triggers/slow-refresh", bearer, "application/json",
		[]byte(`{"kind": "event", "event": "other", "targets": ["slow"], "state": "ACTIVE"}`), nil))
	require.Equal(t, http.StatusForbidden, s.call(t, "DELETE", "/v1/schedule/triggers/slow-refresh", bearer, "", nil, nil))
	require.Equal(t, http.StatusOK, s.call(t, "PUT", "/v1/schedule/triggers/slow-refresh/state", bearer, "application/json",
		[]byte(`{"state": "ACTIVE"}`), &tr))
	require.Equal(t, "ACTIVE", tr.Activation.State)
}
