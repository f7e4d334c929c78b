package service_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMetrics scrapes /metrics after a run: the run is counted by its final
// state, requests by route and code; the endpoint needs a credential.
func TestMetrics(t *testing.T) {
	t.Parallel()
	b := setup(t, "", nil)
	resp, body := b.do("POST", "/api/v1/dags/nap/dagRuns", basic(afUser, afPass), `{"dag_run_id":"m1","conf":{"ms":1}}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "success", b.waitRun("m1")["state"])

	resp, _ = b.do("GET", "/metrics", "", "")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, body = b.do("GET", "/metrics", "Bearer "+token, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, `datafactory_runs_total{pipeline="nap",state="SUCCESS"} 1`)
	require.Contains(t, body, `datafactory_http_requests_total{code="401",route="GET /metrics"} 1`)
	require.Regexp(t, `datafactory_http_requests_total\{code="200",route="POST /api/v1/dags/\{dag_id\}/dagRuns"\} 1`, body)
	require.NotContains(t, body, token)
}
