package cli_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServeMetrics scrapes serve's /metrics after a load triggered over the
// runs API and a batch posted to the ingest API: the rows of both are
// counted per table (read = written + rejected), the load task's attempt is
// timed, the run is counted by its state, and the token is never shown.
func TestServeMetrics(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	conf := `{"dag_run_id": "metrics-1", "conf": {"source": "people.csv", "target": "default",
		"schema": "people.schema.json", "table": "people_metrics"}}`
	require.Equal(t, http.StatusOK, s.call(t, "POST", "/api/v1/dags/load/dagRuns", basic, "application/json", []byte(conf), nil))
	require.Equal(t, "success", s.pollRun(t, "load", "metrics-1")["state"])
	require.Equal(t, http.StatusOK, s.call(t, "POST", "/v1/tables/people/rows", bearer, "application/json",
		[]byte(`[{"id": 10, "name": "Ada"}, {"id": "ten"}, {"id": 11}]`), nil))

	req, err := http.NewRequest("GET", s.base+"/metrics", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+serveToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	body := string(data)

	require.Contains(t, body, `datafactory_rows_total{outcome="read",table="people_metrics"} 5`)
	require.Contains(t, body, `datafactory_rows_total{outcome="written",table="people_metrics"} 3`)
	require.Contains(t, body, `datafactory_rows_total{outcome="rejected",table="people_metrics"} 2`)
	require.Contains(t, body, `datafactory_load_duration_seconds_count{table="people_metrics"} 1`)
	require.Contains(t, body, `datafactory_rows_total{outcome="read",table="people"} 3`)
	require.Contains(t, body, `datafactory_rows_total{outcome="written",table="people"} 2`)
	require.Contains(t, body, `datafactory_rows_total{outcome="rejected",table="people"} 1`)
	require.Contains(t, body, `datafactory_task_duration_seconds_count{pipeline="load",state="SUCCESS",task="load"} 1`)
	require.Contains(t, body, `datafactory_runs_total{pipeline="load",state="SUCCESS"} 1`)
	require.NotContains(t, body, serveToken)
}
