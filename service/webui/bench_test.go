package webui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/service/webui"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/stretchr/testify/require"
)

// BenchmarkRunsPage renders the runs page listing 1,000 runs (of 1,000
// stored in SQLite), read from the store on every request.
func BenchmarkRunsPage(b *testing.B) {
	ctx := context.Background()
	st, err := sqlstatus.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "status.db"), nil)
	require.NoError(b, err)
	defer st.Close()
	dags := []pipelinehttp.DAG{{Pipeline: napPipeline(b)}}
	runs, err := pipelinehttp.New(st, dags, nil)
	require.NoError(b, err)
	defer runs.Stop(ctx)
	states := []status.JobStatus{status.JobDone, status.JobFailed, status.JobCancelled}
	for i := range 1000 {
		id := fmt.Sprintf("run-%04d", i)
		_, err := st.CreateJob(ctx, status.Job{ID: id, FactoryID: id, Type: "PIPELINE", Status: status.JobRunning,
			Dataset: fmt.Sprintf("ds%d", i%7), Info: map[string]any{"pipeline": "nap"}})
		require.NoError(b, err)
		_, err = st.Transition(ctx, id, states[i%3], nil)
		require.NoError(b, err)
	}
	ui, err := webui.New(&webui.Options{Status: st, Runs: runs, Pipelines: dags})
	require.NoError(b, err)
	req := httptest.NewRequest(http.MethodGet, "/ui/runs?per=1000", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		ui.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), `href="/ui/runs/run-`) != 1000 {
			b.Fatalf("status %d, %d runs", rec.Code, strings.Count(rec.Body.String(), `href="/ui/runs/run-`))
		}
	}
}
