package tasks_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/pipeline/tasks"
	"github.com/datafactory/datafactory/service"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/stretchr/testify/require"
)

const (
	afUser = "aircan"
	afPass = "aircan-login-pw"
)

// served is the real service handler with the load pipeline over the
// connections of a bundle, its status store and bucket in b.dir.
type served struct {
	*bundle
	srv *httptest.Server
}

func serve(t *testing.T, token string) *served {
	t.Helper()
	ctx := context.Background()
	b := setup(t)
	st, err := sqlstatus.Open(ctx, "sqlite:"+filepath.Join(b.dir, "svc-status.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	bk, err := connection.Bucket{URL: "file://" + filepath.Join(b.dir, "svc-bucket")}.Open(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { bk.Close() })
	load, err := tasks.LoadPipeline(&tasks.Options{Connections: b.conns})
	require.NoError(t, err)
	svc, err := service.New(ctx, &service.Config{Status: st, Bucket: bk,
		Pipelines: []pipelinehttp.DAG{{Pipeline: load}},
		Tokens:    []string{token}, AirflowUser: afUser, AirflowPassword: afPass})
	require.NoError(t, err)
	require.NoError(t, svc.Start(ctx))
	s := &served{bundle: b, srv: httptest.NewServer(svc.Handler())}
	t.Cleanup(func() { s.srv.Close(); svc.Stop() })
	return s
}

// call sends a request with the Airflow login and returns the status and
// body.
func (s *served) call(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.SetBasicAuth(afUser, afPass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(data)
}

// trigger starts a load run with conf and waits for it to end; it returns
// every answer the service gave about the run.
func (s *served) trigger(t *testing.T, runID, conf string) string {
	t.Helper()
	code, body := s.call(t, http.MethodPost, "/api/v1/dags/load/dagRuns", `{"dag_run_id": "`+runID+`", "conf": `+conf+`}`)
	require.Equal(t, http.StatusOK, code, body)
	answers := body
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body = s.call(t, http.MethodGet, "/api/v1/dags/load/dagRuns/"+runID, "")
		require.Equal(t, http.StatusOK, code, body)
		var run struct {
			State string `json:"state"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &run))
		if run.State == "success" || run.State == "failed" {
			require.Equal(t, "failed", run.State, body)
			break
		}
		require.True(t, time.Now().Before(deadline), "run %s still %s", runID, run.State)
		time.Sleep(20 * time.Millisecond)
	}
	answers += body
	for _, p := range []string{"/api/v1/dags/load/dagRuns/" + runID + "/taskInstances", "/status/" + runID, "/status/" + runID + "?history=true"} {
		_, body = s.call(t, http.MethodGet, p, "")
		answers += body
	}
	return answers
}

// TestServiceEnvReference: issue 15 point 1 over the real service: a conf
// naming env:DATAFACTORY_TOKEN (or the Airflow password's variable) is
// refused, and the token's value is nowhere: not in any answer, the status
// database or a file of the bucket.
func TestServiceEnvReference(t *testing.T) {
	const token = "svc-tok-5d41402abc4b2a76b9719d911017c592"
	t.Setenv("DATAFACTORY_TOKEN", token)
	t.Setenv("DATAFACTORY_AIRFLOW_PASSWORD", token)
	s := serve(t, token)
	confs := []string{
		`{"source": "people.csv", "target": "env:DATAFACTORY_TOKEN"}`,
		`{"source": "env:DATAFACTORY_AIRFLOW_PASSWORD", "target": "db"}`,
		`{"source": "people.csv", "target": "db", "schema": "env:DATAFACTORY_TOKEN"}`,
	}
	for i, conf := range confs {
		answers := s.trigger(t, "env-"+string(rune('a'+i)), conf)
		require.Contains(t, answers, "refused")
		require.NotContains(t, answers, token)
	}
	testutil.RequireNotInFiles(t, s.dir, token)
}

// TestServiceUnlistedHost: issue 15 point 2 over the real service: a conf
// naming a database host the operator did not allow makes no connection.
func TestServiceUnlistedHost(t *testing.T) {
	t.Parallel()
	ln := testutil.CountingListener(t)
	s := serve(t, "svc-token-2")
	for i, scheme := range []string{"postgres", "mysql", "postgresql"} {
		answers := s.trigger(t, "host-"+string(rune('a'+i)), `{"source": "people.csv", "target": "`+scheme+`://someone@`+ln.Addr+`/db"}`)
		require.Contains(t, answers, "allow-list")
	}
	require.Zero(t, ln.Accepts())
}

// TestServiceSystemFiles: issue 15 point 3 over the real service:
// /proc/self/environ and /etc/passwd as a source are refused, nothing is
// loaded.
func TestServiceSystemFiles(t *testing.T) {
	t.Parallel()
	s := serve(t, "svc-token-3")
	for i, src := range []string{"/proc/self/environ", "/etc/passwd", "../../../../etc/passwd", "default:/etc/passwd"} {
		answers := s.trigger(t, "file-"+string(rune('a'+i)), `{"source": "`+src+`", "target": "db", "table": "leak"}`)
		require.Contains(t, answers, "refused")
		require.NotContains(t, answers, "root:x:0:0")
	}
	require.False(t, s.exists(t, "leak"))
}

func (b *bundle) exists(t *testing.T, table string) bool {
	t.Helper()
	st, err := b.conns.OpenStore(context.Background(), "db")
	require.NoError(t, err)
	defer st.Close()
	ok, err := st.TableExists(context.Background(), table)
	require.NoError(t, err)
	return ok
}
