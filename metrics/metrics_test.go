package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/metrics"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

// TestLoadRowsScraped loads a CSV with two bad rows into SQLite and finds the
// load's counts at /metrics, served over real HTTP.
func TestLoadRowsScraped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite::memory:", nil)
	require.NoError(t, err)
	defer store.Close()
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
		{Name: "population", Type: frictionless.TypeInteger}}}
	r, err := frictionless.NewReader(strings.NewReader("id,population\n1,7\n,100\n3,many\n4,5\n5,6\n"), schema, nil)
	require.NoError(t, err)
	rep, err := datastore.Load(ctx, store, "cities", r, &datastore.LoadOptions{Mode: datastore.ModeReplace,
		Rejects: datastore.NewCSVRejects(io.Discard)})
	require.NoError(t, err)

	m := metrics.New()
	m.ObserveLoad(rep)
	m.ObserveLoad(nil)
	m.ObserveRun("load", "SUCCESS")
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	body := scrape(t, srv.URL)
	require.Contains(t, body, `datafactory_rows_total{outcome="read",table="cities"} 5`)
	require.Contains(t, body, `datafactory_rows_total{outcome="written",table="cities"} 3`)
	require.Contains(t, body, `datafactory_rows_total{outcome="rejected",table="cities"} 2`)
	require.Contains(t, body, `datafactory_load_duration_seconds_count{table="cities"} 1`)
	require.Contains(t, body, `datafactory_runs_total{pipeline="load",state="SUCCESS"} 1`)
}

// TestWrapCountsRoutes counts requests by the mux's pattern, never by the
// raw path.
func TestWrapCountsRoutes(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /runs/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "bad" {
			http.Error(w, "no", http.StatusBadRequest)
		}
	})
	mux.Handle("GET /metrics", m.Handler())
	srv := httptest.NewServer(m.Wrap(mux))
	defer srv.Close()
	for _, p := range []string{"/runs/1", "/runs/2", "/runs/bad", "/nope/secret-path"} {
		resp, err := http.Get(srv.URL + p)
		require.NoError(t, err)
		resp.Body.Close()
	}
	body := scrape(t, srv.URL+"/metrics")
	require.Contains(t, body, `datafactory_http_requests_total{code="200",route="GET /runs/{id}"} 2`)
	require.Contains(t, body, `datafactory_http_requests_total{code="400",route="GET /runs/{id}"} 1`)
	require.Contains(t, body, `datafactory_http_requests_total{code="404",route="unmatched"} 1`)
	require.NotContains(t, body, "secret-path")
}

// TestTaskTimer runs a pipeline whose task fails once and then succeeds,
// with TaskTimer as its transition hook: both attempts are timed, by the
// state each left RUNNING for.
func TestTaskTimer(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	p, err := pipeline.NewBuilder("flaky").
		Add("fetch", pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error {
			if calls.Add(1) == 1 {
				return errors.New("first attempt fails")
			}
			return nil
		}), &pipeline.TaskOptions{Retry: pipeline.RetryPolicyFunc(func(attempt int, _ error) (time.Duration, bool) {
			return 0, attempt < 3
		})}).
		Build()
	require.NoError(t, err)
	m := metrics.New()
	sum, err := pipeline.Run(context.Background(), p, nil, &pipeline.RunOptions{OnTransition: m.TaskTimer("flaky")})
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)

	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	body := scrape(t, srv.URL)
	require.Contains(t, body, `datafactory_task_duration_seconds_count{pipeline="flaky",state="UP_FOR_RETRY",task="fetch"} 1`)
	require.Contains(t, body, `datafactory_task_duration_seconds_count{pipeline="flaky",state="SUCCESS",task="fetch"} 1`)
}
