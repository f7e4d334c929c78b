package service_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/service"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/stretchr/testify/require"
)

const (
	token   = "svc-token-1"
	afUser  = "aircan"
	afPass  = "aircan-pw"
	badPass = "nope"
)

// lockedBuffer is a log sink safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// bundle is a started service over SQLite files in dir, served by httptest.
type bundle struct {
	t      *testing.T
	dir    string
	status *status.Store
	svc    *service.Service
	srv    *httptest.Server
	logs   *lockedBuffer
}

func sleepPipeline(t *testing.T) *pipeline.Pipeline {
	p, err := pipeline.NewBuilder("nap").Add("sleep", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		var c struct {
			MS int `json:"ms"`
		}
		if err := tc.DecodeConf(&c); err != nil {
			return pipeline.Permanent(err)
		}
		select {
		case <-time.After(time.Duration(c.MS) * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}), nil).Build()
	require.NoError(t, err)
	return p
}

// setup starts a service over the SQLite files in dir ("" for a new one);
// edit changes the config first.
func setup(t *testing.T, dir string, edit func(*service.Config)) *bundle {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	ctx := context.Background()
	st, err := sqlstatus.Open(ctx, "sqlite:"+filepath.Join(dir, "status.db"), nil)
	require.NoError(t, err)
	data, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(dir, "data.db"), nil)
	require.NoError(t, err)
	b := &bundle{t: t, dir: dir, status: st, logs: &lockedBuffer{}}
	cfg := &service.Config{Status: st, Store: data, Pipelines: []pipelinehttp.DAG{{Pipeline: sleepPipeline(t)}},
		Tables: map[string]*frictionless.Schema{"people": {Fields: []frictionless.Field{
			{Name: "id", Type: frictionless.TypeInteger}, {Name: "name", Type: frictionless.TypeString}}}},
		Tokens: []string{token}, AirflowUser: afUser, AirflowPassword: afPass,
		Logger: slog.New(slog.NewJSONHandler(b.logs, nil))}
	if edit != nil {
		edit(cfg)
	}
	b.svc, err = service.New(ctx, cfg)
	require.NoError(t, err)
	require.NoError(t, b.svc.Start(ctx))
	b.srv = httptest.NewServer(b.svc.Handler())
	t.Cleanup(func() {
		b.stop()
		_ = data.Close()
	})
	return b
}

// stop shuts the service down (as serve does) and closes the status store.
func (b *bundle) stop() {
	if b.srv == nil {
		return
	}
	b.srv.Close()
	b.svc.Stop()
	b.svc.Stop() // twice is safe
	_ = b.status.Close()
	b.srv = nil
}

// do sends a request with an Authorization header (none when "").
func (b *bundle) do(method, path, auth, body string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.srv.URL+path, strings.NewReader(body))
	require.NoError(b.t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return resp, string(data)
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// waitRun polls a run of nap until it is no longer queued or running.
func (b *bundle) waitRun(id string) map[string]any {
	b.t.Helper()
	var run map[string]any
	require.Eventually(b.t, func() bool {
		resp, body := b.do("GET", "/api/v1/dags/nap/dagRuns/"+id, "Bearer "+token, "")
		if resp.StatusCode != http.StatusOK {
			return false
		}
		require.NoError(b.t, json.Unmarshal([]byte(body), &run))
		return run["state"] != "queued" && run["state"] != "running"
	}, 20*time.Second, 20*time.Millisecond)
	return run
}

// TestAuth is issue 15 point 7 over the real handler: 401 with a
// challenge for missing or invalid credentials, 403 only for valid ones
// without the right, any case of the scheme, a request id on every answer.
func TestAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, "", nil)
	routes := map[string]string{"status": "/jobs", "ingest": "/v1/tables/people", "runs": "/api/v1/dags", "native": "/v1/pipelines"}
	for _, tc := range []struct {
		name, auth string
		want       map[string]int // by route; missing routes want 200
	}{
		{"missing", "", map[string]int{"status": 401, "ingest": 401, "runs": 401, "native": 401}},
		{"wrong token", "Bearer wrong", map[string]int{"status": 401, "ingest": 401, "runs": 401, "native": 401}},
		{"empty bearer", "Bearer ", map[string]int{"status": 401, "ingest": 401, "runs": 401, "native": 401}},
		{"unknown scheme", "Digest " + token, map[string]int{"status": 401, "ingest": 401, "runs": 401, "native": 401}},
		{"wrong basic", basic(afUser, badPass), map[string]int{"status": 401, "ingest": 401, "runs": 401, "native": 401}},
		{"token", "Bearer " + token, nil},
		{"lower-case bearer", "bearer " + token, nil},
		{"upper-case bearer", "BEARER " + token, nil},
		{"airflow login", basic(afUser, afPass), map[string]int{"status": 403, "ingest": 403}},
		{"lower-case basic", strings.Replace(basic(afUser, afPass), "Basic", "basic", 1), map[string]int{"status": 403, "ingest": 403}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for route, path := range routes {
				want := http.StatusOK
				if code, ok := tc.want[route]; ok {
					want = code
				}
				resp, body := b.do("GET", path, tc.auth, "")
				require.Equal(t, want, resp.StatusCode, "%s %s: %s", route, path, body)
				require.NotEmpty(t, resp.Header.Get("X-Request-Id"))
				if want == http.StatusUnauthorized {
					require.NotEmpty(t, resp.Header.Values("WWW-Authenticate"), route)
				}
				require.NotContains(t, body, token)
				require.NotContains(t, body, afPass)
			}
		})
	}
	resp, _ := b.do("GET", "/healthz", "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// Test5xxLoggedWithRequestID: a failing status database gives a 500 whose
// X-Request-Id is in the log, with the cause; the answer hides the cause.
func Test5xxLoggedWithRequestID(t *testing.T) {
	t.Parallel()
	b := setup(t, "", nil)
	require.NoError(t, b.status.Close())
	resp, body := b.do("GET", "/api/v1/dags/nap/dagRuns/some-run", "Bearer "+token, "")
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode, body)
	id := resp.Header.Get("X-Request-Id")
	require.NotEmpty(t, id)
	require.Contains(t, body, id)
	logs := b.logs.String()
	require.Contains(t, logs, `"request_id":"`+id+`"`)
	require.Contains(t, logs, `"status":500`)
	require.Contains(t, logs, "closed")
}

// TestRunsSurviveRestart is issue 14's acceptance over the service: a new
// service over the same status database answers for a run of the old one.
func TestRunsSurviveRestart(t *testing.T) {
	t.Parallel()
	b := setup(t, "", nil)
	resp, body := b.do("POST", "/api/v1/dags/nap/dagRuns", basic(afUser, afPass), `{"dag_run_id":"r1","conf":{"ms":1}}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "success", b.waitRun("r1")["state"])
	b.stop()

	b2 := setup(t, b.dir, nil)
	require.Equal(t, "success", b2.waitRun("r1")["state"])
	resp, body = b2.do("GET", "/api/v1/dags/nap/dagRuns", basic(afUser, afPass), "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, `"total_entries":1`)
	resp, body = b2.do("POST", "/api/v1/dags/nap/dagRuns", basic(afUser, afPass), `{"dag_run_id":"r1"}`)
	require.Equal(t, http.StatusConflict, resp.StatusCode, body)
}

// TestRequestValidation is issue 15 point 6 (and 9) through the service.
func TestRequestValidation(t *testing.T) {
	t.Parallel()
	b := setup(t, "", nil)
	for _, tc := range []struct{ name, body, want string }{
		{"traversal", `{"dag_run_id":"../../../etc/x"}`, "dag_run_id"},
		{"slash", `{"dag_run_id":"a/b"}`, "dag_run_id"},
		{"NUL", `{"dag_run_id":"a\u0000b"}`, "dag_run_id"},
		{"string conf", `{"conf":"x"}`, "conf must be a JSON object"},
		{"trailing garbage", `{"conf":{}}garbage`, "data after its JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := b.do("POST", "/api/v1/dags/nap/dagRuns", basic(afUser, afPass), tc.body)
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
			require.Contains(t, body, tc.want)
		})
	}
	resp, body := b.do("POST", "/api/v1/dags/nap/dagRuns", basic(afUser, afPass),
		`{"dag_run_id":"sec","conf":{"ms":1,"Authorization":"Bearer top-s3cret","deep":{"x":[{"API_Key":"top-s3cret"}]}}}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.NotContains(t, body, "top-s3cret")
	b.waitRun("sec")
	events, err := b.status.Events(context.Background(), "sec")
	require.NoError(t, err)
	raw, err := json.Marshal(events)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "top-s3cret")
}

// TestReaperFailsDeadRuns is issue 15 point 5: a RUNNING job whose worker
// stopped heartbeating is FAILED with a reason within twice the timeout.
func TestReaperFailsDeadRuns(t *testing.T) {
	t.Parallel()
	const timeout = 500 * time.Millisecond
	b := setup(t, "", func(c *service.Config) { c.HeartbeatTimeout = timeout })
	ctx := context.Background()
	job, err := b.status.CreateJob(ctx, status.Job{ID: "dead-worker", Type: "PIPELINE", Status: status.JobRunning})
	require.NoError(t, err)
	start := time.Now()
	require.Eventually(t, func() bool {
		j, err := b.status.Job(ctx, job.ID)
		require.NoError(t, err)
		return j.Status == status.JobFailed
	}, 4*timeout, 10*time.Millisecond)
	require.Less(t, time.Since(start), 2*timeout+200*time.Millisecond) // slack for the SQLite write
	j, err := b.status.Job(ctx, job.ID)
	require.NoError(t, err)
	require.Contains(t, j.Info[status.InfoError], "heartbeat expired")

	// a live run heartbeats and is not reaped
	resp, body := b.do("POST", "/api/v1/dags/nap/dagRuns", "Bearer "+token, `{"dag_run_id":"alive","conf":{"ms":1500}}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "success", b.waitRun("alive")["state"])
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	st, err := sqlstatus.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "s.db"), nil)
	require.NoError(t, err)
	defer st.Close()
	for _, tc := range []struct {
		name string
		cfg  service.Config
		want string
	}{
		{"no status", service.Config{AllowUnauthenticated: true}, "Status"},
		{"no auth", service.Config{Status: st}, "Tokens"},
		{"user without password", service.Config{Status: st, AirflowUser: "u"}, "AirflowPassword"},
		{"reap slower than timeout", service.Config{Status: st, Tokens: []string{"t"}, HeartbeatTimeout: time.Second, ReapInterval: time.Minute}, "ReapInterval"},
		{"unknown scheduled pipeline", service.Config{Status: st, Tokens: []string{"t"}, Schedules: []service.Schedule{{Pipeline: "x", Cron: "@daily"}}}, `no pipeline "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := service.New(context.Background(), &tc.cfg)
			require.ErrorContains(t, err, tc.want)
		})
	}
}
