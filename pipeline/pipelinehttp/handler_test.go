package pipelinehttp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/stretchr/testify/require"
)

// bundle is a handler over a SQLite status database, served by httptest.
type bundle struct {
	t      *testing.T
	dbPath string
	store  *status.Store
	h      *pipelinehttp.Handler
	srv    *httptest.Server
}

// echoPipeline has one task "work" that fails when conf.fail is true and
// waits for conf.wait_ms.
func echoPipeline(t *testing.T) *pipeline.Pipeline {
	work := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		var c struct {
			Fail   bool `json:"fail"`
			WaitMS int  `json:"wait_ms"`
		}
		if err := json.Unmarshal(tc.Conf(), &c); err != nil {
			return err
		}
		select {
		case <-time.After(time.Duration(c.WaitMS) * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
		if c.Fail {
			return pipeline.Permanent(errors.New("asked to fail"))
		}
		return nil
	})
	p, err := pipeline.NewBuilder("echo").Add("work", work, nil).Build()
	require.NoError(t, err)
	return p
}

// setup opens (or reopens) the status database at dbPath and serves a new
// handler over it.
func setup(t *testing.T, dbPath string) *bundle {
	t.Helper()
	if dbPath == "" {
		dbPath = filepath.Join(t.TempDir(), "status.db")
	}
	store, err := sqlstatus.Open(context.Background(), "sqlite:"+dbPath, nil)
	require.NoError(t, err)
	h, err := pipelinehttp.New(store, []pipelinehttp.DAG{{Pipeline: echoPipeline(t)}}, nil)
	require.NoError(t, err)
	b := &bundle{t: t, dbPath: dbPath, store: store, h: h, srv: httptest.NewServer(h)}
	t.Cleanup(b.close)
	return b
}

// close stops the server and the handler and closes the store; safe twice.
func (b *bundle) close() {
	if b.srv == nil {
		return
	}
	b.srv.Close()
	b.h.Stop(context.Background())
	_ = b.store.Close()
	b.srv = nil
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (b *bundle) do(method, path, body string, out any) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.srv.URL+path, strings.NewReader(body))
	require.NoError(b.t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	if out != nil && resp.StatusCode < 300 {
		require.NoError(b.t, json.Unmarshal(data, out), string(data))
	}
	return resp.StatusCode, string(data)
}

type dagRun struct {
	DagID string          `json:"dag_id"`
	RunID string          `json:"dag_run_id"`
	State string          `json:"state"`
	Conf  json.RawMessage `json:"conf"`
	Note  *string         `json:"note"`
}

// waitState polls a run until it leaves queued/running.
func (b *bundle) waitState(id string) dagRun {
	b.t.Helper()
	var run dagRun
	require.Eventually(b.t, func() bool {
		code, _ := b.do("GET", "/api/v1/dags/echo/dagRuns/"+id, "", &run)
		return code == http.StatusOK && run.State != "queued" && run.State != "running"
	}, 20*time.Second, 20*time.Millisecond)
	return run
}

func TestRunsSurviveRestart(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	var run dagRun
	code, body := b.do("POST", "/api/v1/dags/echo/dagRuns", `{"dag_run_id":"before-restart","conf":{"n":1}}`, &run)
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, "before-restart", run.RunID)
	require.Equal(t, "success", b.waitState("before-restart").State)
	b.close()

	b2 := setup(t, b.dbPath)
	var got dagRun
	code, body = b2.do("GET", "/api/v1/dags/echo/dagRuns/before-restart", "", &got)
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, "success", got.State)
	require.JSONEq(t, `{"n":1}`, string(got.Conf))

	var list struct {
		Runs  []dagRun `json:"dag_runs"`
		Total int      `json:"total_entries"`
	}
	code, _ = b2.do("GET", "/api/v1/dags/echo/dagRuns", "", &list)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, 1, list.Total)
	require.Equal(t, "before-restart", list.Runs[0].RunID)

	var tis struct {
		TaskInstances []struct {
			TaskID string  `json:"task_id"`
			State  *string `json:"state"`
			Try    int     `json:"try_number"`
		} `json:"task_instances"`
	}
	code, _ = b2.do("GET", "/api/v1/dags/echo/dagRuns/before-restart/taskInstances", "", &tis)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, tis.TaskInstances, 1)
	require.Equal(t, "success", *tis.TaskInstances[0].State)
	require.Equal(t, 1, tis.TaskInstances[0].Try)

	// the same id again, after the restart: 409
	code, body = b2.do("POST", "/api/v1/dags/echo/dagRuns", `{"dag_run_id":"before-restart"}`, nil)
	require.Equal(t, http.StatusConflict, code, body)
}

func TestEmptyListIsArray(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	for _, path := range []string{"/api/v1/dags/echo/dagRuns", "/v1/pipelines/echo/runs"} {
		code, body := b.do("GET", path, "", nil)
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, `[]`, path)
		require.NotContains(t, body, `null`, path)
		require.Contains(t, body, `"total_entries":0`, path)
	}
}

func TestDuplicateRunID(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	code, body := b.do("POST", "/api/v1/dags/echo/dagRuns", `{"dag_run_id":"twice","conf":{"wait_ms":300}}`, nil)
	require.Equal(t, http.StatusOK, code, body)
	code, body = b.do("POST", "/api/v1/dags/echo/dagRuns", `{"dag_run_id":"twice"}`, nil)
	require.Equal(t, http.StatusConflict, code, body)
	require.Contains(t, body, "already exists")
	require.Equal(t, "success", b.waitState("twice").State)
	code, _ = b.do("POST", "/v1/pipelines/echo/runs", `{"run_id":"twice"}`, nil)
	require.Equal(t, http.StatusConflict, code)
	// one attempt in the trace, not two merged
	events, err := b.store.Events(context.Background(), "twice")
	require.NoError(t, err)
	runs := 0
	for _, ev := range events {
		if ev.Operation == "run" && ev.TraceStatus == status.TraceStarted {
			runs++
		}
	}
	require.Equal(t, 1, runs)
}

func TestTriggerValidation(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	for _, tc := range []struct {
		name, body, want string
	}{
		{"path traversal id", `{"dag_run_id":"../../../etc/x"}`, "only letters"},
		{"slash in id", `{"dag_run_id":"a/b"}`, "only letters"},
		{"NUL in id", `{"dag_run_id":"a\u0000b"}`, "only letters"},
		{"newline in id", `{"dag_run_id":"a\nb"}`, "only letters"},
		{"dot dot id", `{"dag_run_id":"a..b"}`, "it contains"},
		{"empty id", `{"dag_run_id":""}`, "empty"},
		{"long id", `{"dag_run_id":"` + strings.Repeat("a", 251) + `"}`, "limit is 250"},
		{"string conf", `{"conf":"x"}`, "conf must be a JSON object"},
		{"array conf", `{"conf":[1]}`, "conf must be a JSON object"},
		{"trailing garbage", `{"conf":{}} x`, "data after its JSON object"},
		{"two objects", `{"conf":{}}{"conf":{}}`, "data after its JSON object"},
		{"array body", `[{"conf":{}}]`, "must be a JSON object"},
		{"null body", `null`, "must be a JSON object"},
		{"empty body", ``, "must be a JSON object"},
		{"broken JSON", `{"conf":`, "not valid JSON"},
		{"ids differ", `{"dag_run_id":"a","run_id":"b"}`, "differ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/dags/echo/dagRuns", "/v1/pipelines/echo/runs"} {
				code, body := b.do("POST", path, tc.body, nil)
				require.Equal(t, http.StatusBadRequest, code, body)
				require.Contains(t, body, tc.want)
			}
		})
	}
	// nothing was started
	jobs, err := b.store.ListJobs(context.Background(), nil)
	require.NoError(t, err)
	require.Empty(t, jobs)
}

func TestSecretsNeverStored(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	conf := `{"Authorization":"Bearer s3cr3t-auth","nested":{"API_KEY":"s3cr3t-key","list":[{"access_token":"s3cr3t-token"}],
		"ckan_s3_secret_key":"s3cr3t-s3","db":"postgres://u:s3cr3t-pw@h/db"},"primary_key":"id","keep":"visible"}`
	var run dagRun
	code, body := b.do("POST", "/api/v1/dags/echo/dagRuns", `{"dag_run_id":"secrets","conf":`+conf+`}`, &run)
	require.Equal(t, http.StatusOK, code, body)
	require.NotContains(t, body, "s3cr3t")
	require.Contains(t, body, "[redacted]")
	got := b.waitState("secrets")
	require.Equal(t, "success", got.State)
	require.Contains(t, string(got.Conf), `"keep":"visible"`)
	require.Contains(t, string(got.Conf), `"primary_key":"id"`)
	events, err := b.store.Events(context.Background(), "secrets")
	require.NoError(t, err)
	raw, err := json.Marshal(events)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "s3cr3t")
	require.Contains(t, string(raw), "visible")
}

func TestFailedRunHasReason(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	code, body := b.do("POST", "/v1/pipelines/echo/runs", `{"run_id":"fails","conf":{"fail":true}}`, nil)
	require.Equal(t, http.StatusCreated, code, body)
	run := b.waitState("fails")
	require.Equal(t, "failed", run.State)
	require.NotNil(t, run.Note)
	require.Contains(t, *run.Note, "asked to fail")
	var native struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Tasks  []struct {
			Task, State, Error string
		} `json:"tasks"`
	}
	code, _ = b.do("GET", "/v1/pipelines/echo/runs/fails", "", &native)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "FAILED", native.Status)
	require.Contains(t, native.Tasks[0].Error, "asked to fail")
}

func TestUnknownDagAndRun(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	for _, path := range []string{"/api/v1/dags/nope/dagRuns", "/api/v1/dags/echo/dagRuns/nope", "/api/v1/dags/nope",
		"/v1/pipelines/echo/runs/nope", "/api/v1/dags/echo/dagRuns/nope/taskInstances"} {
		code, _ := b.do("GET", path, "", nil)
		require.Equal(t, http.StatusNotFound, code, path)
	}
	code, _ := b.do("GET", "/api/v1/dags/echo/dagRuns?limit=0", "", nil)
	require.Equal(t, http.StatusBadRequest, code)
}

func TestStopCancelsRuns(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	code, body := b.do("POST", "/api/v1/dags/echo/dagRuns", `{"dag_run_id":"long","conf":{"wait_ms":60000}}`, nil)
	require.Equal(t, http.StatusOK, code, body)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	require.False(t, b.h.Stop(ctx))
	job, err := b.store.Job(context.Background(), "long")
	require.NoError(t, err)
	require.Equal(t, status.JobCancelled, job.Status)
	code, _ = b.do("POST", "/api/v1/dags/echo/dagRuns", `{}`, nil)
	require.Equal(t, http.StatusServiceUnavailable, code)
}
