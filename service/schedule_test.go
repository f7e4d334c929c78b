package service_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// The scheduler API is mounted behind the service's tokens: the dart
// rules (inactive and concurrency refusals with reasons, activation) over
// a running service.
func TestScheduleAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, "", nil)
	bearer := "Bearer " + token
	resp, _ := b.do("GET", "/v1/schedule/pipelines", "", "")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, _ = b.do("GET", "/v1/schedule/pipelines", basic(afUser, afPass), "")
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "the Airflow login reaches the runs API only")
	resp, body := b.do("GET", "/v1/schedule/pipelines", bearer, "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `"name":"nap"`)

	resp, body = b.do("PUT", "/v1/schedule/pipelines/nap/state", bearer, `{"state":"INACTIVE","reason":"maintenance"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	resp, body = b.do("POST", "/v1/schedule/pipelines/nap/manual-runs", bearer, "")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "maintenance")
	resp, _ = b.do("PUT", "/v1/schedule/pipelines/nap/state", bearer, `{"state":"ACTIVE"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, body = b.do("POST", "/v1/schedule/pipelines/nap/manual-runs", bearer, `{"conf":{"ms":3000}}`)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	resp, body = b.do("POST", "/v1/schedule/pipelines/nap/manual-runs", bearer, "")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "active-run limit")
	resp, body = b.do("POST", "/v1/schedule/events/go/fire", bearer, `{"conf":{},"extra":1}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "/extra")
}
