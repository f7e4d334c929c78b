package pipelinehttp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/status/sqlstatus"
)

// namedExecutor runs in-process and records the runs it executed.
type namedExecutor struct {
	mu   sync.Mutex
	runs []string
}

func (e *namedExecutor) Execute(ctx context.Context, p *pipeline.Pipeline, conf json.RawMessage, opts *pipeline.RunOptions) (*pipeline.Summary, error) {
	e.mu.Lock()
	e.runs = append(e.runs, opts.RunID)
	e.mu.Unlock()
	return pipeline.InProcess{}.Execute(ctx, p, conf, opts)
}

func (e *namedExecutor) ran() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.runs...)
}

// TestTriggerExecutor: a triggered run goes through Options.Executor, or
// through the executor the request names among Options.Executors; any
// other value (an address above all) is refused with 400 and not echoed.
func TestTriggerExecutor(t *testing.T) {
	t.Parallel()
	store, err := sqlstatus.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "status.db"), nil)
	require.NoError(t, err)
	def, other := &namedExecutor{}, &namedExecutor{}
	h, err := pipelinehttp.New(store, []pipelinehttp.DAG{{Pipeline: echoPipeline(t)}}, &pipelinehttp.Options{
		Executor: def, Executors: map[string]pipeline.Executor{"other": other, "local": nil}})
	require.NoError(t, err)
	b := &bundle{t: t, store: store, h: h, srv: httptest.NewServer(h)}
	t.Cleanup(b.close)

	code, body := b.do("POST", "/v1/pipelines/echo/runs", `{"run_id":"by-default"}`, nil)
	require.Equal(t, http.StatusCreated, code, body)
	code, body = b.do("POST", "/v1/pipelines/echo/runs", `{"run_id":"by-name","executor":"other"}`, nil)
	require.Equal(t, http.StatusCreated, code, body)
	code, body = b.do("POST", "/api/v1/dags/echo/dagRuns", `{"dag_run_id":"local","executor":"local"}`, nil)
	require.Equal(t, http.StatusOK, code, body)
	for _, id := range []string{"by-default", "by-name", "local"} {
		require.Equal(t, "success", b.waitState(id).State, id)
	}
	require.Equal(t, []string{"by-default"}, def.ran())
	require.Equal(t, []string{"by-name"}, other.ran())

	for _, v := range []string{`"temporal://evil.example:7233?namespace=x&task_queue=y"`, `"nope"`, `""`,
		`"../other"`, `"OTHER "`, `42`, `{"name":"other"}`, `null`} {
		code, body := b.do("POST", "/v1/pipelines/echo/runs", `{"run_id":"with-null","executor":`+v+`}`, nil)
		if v == `null` {
			require.Equal(t, http.StatusCreated, code, "null is no executor: the default")
			require.Equal(t, "success", b.waitState("with-null").State)
			continue
		}
		require.Equal(t, http.StatusBadRequest, code, v)
		require.NotContains(t, body, "evil.example", v)
		code, _ = b.do("POST", "/api/v1/dags/echo/dagRuns", `{"executor":`+v+`}`, nil)
		require.Equal(t, http.StatusBadRequest, code, v)
	}
	require.Len(t, def.ran(), 2)
	require.Equal(t, []string{"by-name"}, other.ran())
}

// TestTriggerExecutorNoChoice: without Options.Executors a request that
// names an executor is refused.
func TestTriggerExecutorNoChoice(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	code, body := b.do("POST", "/v1/pipelines/echo/runs", `{"executor":"inprocess"}`, nil)
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "offers no choice of executor")
}
