package schedulehttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/pipeline/schedule/schedulehttp"
)

// specServer serves a synchronous scheduler with pipelines up and view, an
// operator trigger "ev", on state and a fake clock.
func specServer(t *testing.T, c *counter, state schedule.StateStore, clock pipeline.Clock) (*schedule.Scheduler, *httptest.Server) {
	t.Helper()
	s := schedule.New(&schedule.Options{Synchronous: true, State: state, Clock: clock})
	t.Cleanup(s.Stop)
	require.NoError(t, s.AddPipeline(build(t, c, "up", "", false, nil), &schedule.PipelineOptions{MaxActiveRuns: 10}))
	require.NoError(t, s.AddPipeline(build(t, c, "view", "", false, nil), nil))
	require.NoError(t, s.AddTrigger("ev", schedule.EventTrigger{Event: "go"}, "view"))
	mux := http.NewServeMux()
	schedulehttp.New(s, nil).Register(mux, nil)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return s, srv
}

// Triggers created, replaced, activated and deleted from specs over HTTP,
// restored by a new scheduler on the same state store.
func TestPutTriggerOverHTTP(t *testing.T) {
	t.Parallel()
	c := &counter{n: map[string]int{}}
	state := schedule.NewMemoryStateStore()
	clock := pipelinetest.NewFakeClock(time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC))
	_, srv := specServer(t, c, state, clock)

	// Created INACTIVE (dart's default): its event starts nothing.
	code, out := call(t, srv, "PUT", "/v1/schedule/triggers/ev2", `{"kind":"event","event":"go2","targets":["up"]}`)
	require.Equal(t, http.StatusCreated, code, out)
	require.Equal(t, "INACTIVE", activation(out))
	call(t, srv, "POST", "/v1/schedule/events/go2/fire", "")
	require.Equal(t, 0, c.get("up"))
	code, _ = call(t, srv, "PUT", "/v1/schedule/triggers/ev2/state", `{"state":"ACTIVE"}`)
	require.Equal(t, http.StatusOK, code)
	call(t, srv, "POST", "/v1/schedule/events/go2/fire", "")
	require.Equal(t, 1, c.get("up"))

	// Replaced: listens to go3 now, ACTIVE as the spec says.
	code, out = call(t, srv, "PUT", "/v1/schedule/triggers/ev2", `{"kind":"event","event":"go3","targets":["up"],"state":"ACTIVE"}`)
	require.Equal(t, http.StatusOK, code, out)
	require.Equal(t, "go3", out["spec"].(map[string]any)["event"])
	call(t, srv, "POST", "/v1/schedule/events/go2/fire", "")
	require.Equal(t, 1, c.get("up"))
	call(t, srv, "POST", "/v1/schedule/events/go3/fire", "")
	require.Equal(t, 2, c.get("up"))

	// A cron trigger with catch-up: three finished days, three runs.
	code, out = call(t, srv, "PUT", "/v1/schedule/triggers/daily",
		`{"kind":"cron","cron":"@daily","start":"2026-01-01T00:00:00Z","catchup":true,"targets":["up"],"state":"ACTIVE"}`)
	require.Equal(t, http.StatusCreated, code, out)
	code, out = call(t, srv, "PUT", "/v1/schedule/triggers/any", `{"kind":"super","mode":"ANY","triggers":["ev2"],"targets":["view"]}`)
	require.Equal(t, http.StatusCreated, code, out)

	// The operator's trigger: state only.
	code, out = call(t, srv, "PUT", "/v1/schedule/triggers/ev", `{"kind":"event","event":"x","targets":["up"]}`)
	require.Equal(t, http.StatusForbidden, code, out)
	code, out = call(t, srv, "DELETE", "/v1/schedule/triggers/ev", "")
	require.Equal(t, http.StatusForbidden, code, out)
	// A trigger a super trigger lists stays.
	code, out = call(t, srv, "DELETE", "/v1/schedule/triggers/ev2", "")
	require.Equal(t, http.StatusBadRequest, code, out)
	require.Contains(t, out["message"], "any")

	// A new scheduler on the same state has them back, cron cursor included.
	s2, srv2 := specServer(t, c, state, clock)
	require.NoError(t, s2.RestoreTriggers(context.Background()))
	_, out = call(t, srv2, "GET", "/v1/schedule/triggers/ev2", "")
	require.Equal(t, "ACTIVE", activation(out))
	require.NoError(t, s2.Tick(context.Background()))
	require.Equal(t, 5, c.get("up"), "2 event runs + the 3 days")
	clock.Advance(24 * time.Hour)
	require.NoError(t, s2.Tick(context.Background()))
	require.Equal(t, 6, c.get("up"))

	req, err := http.NewRequest("DELETE", srv2.URL+"/v1/schedule/triggers/any", nil)
	require.NoError(t, err)
	resp, err := srv2.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	code, _ = call(t, srv2, "GET", "/v1/schedule/triggers/any", "")
	require.Equal(t, http.StatusNotFound, code)
	s3, _ := specServer(t, c, state, clock)
	require.NoError(t, s3.RestoreTriggers(context.Background()))
	var ids []string
	for _, tr := range s3.Triggers() {
		ids = append(ids, tr.ID)
	}
	require.Equal(t, []string{"daily", "ev", "ev2"}, ids)
}

// Bad specs answer 400 naming the field; nothing is added.
func TestPutTriggerRefused(t *testing.T) {
	t.Parallel()
	c := &counter{n: map[string]int{}}
	s, srv := specServer(t, c, nil, pipelinetest.NewFakeClock(time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)))
	for _, tc := range []struct{ id, body, want string }{
		{"f", `{"kind":"files","targets":["up"]}`, "/kind"},
		{"f", `{"kind":"cron","targets":["up"]}`, "/cron"},
		{"f", `{"kind":"cron","cron":"61 * * * *","targets":["up"]}`, "61"},
		{"f", `{"kind":"cron","cron":"@daily","targets":["up","view"]}`, "exactly one"},
		{"f", `{"kind":"cron","cron":"@daily","targets":["up"],"start":"yesterday"}`, "/start"},
		{"f", `{"kind":"event","event":"e","targets":["ghost"]}`, "targets: no pipeline \"ghost\""},
		{"f", `{"kind":"event","event":"../e","targets":["up"]}`, "/event"},
		{"f", `{"kind":"event","event":"e","source":"s3://bucket"}`, "/source"},
		{"f", `{"kind":"super","triggers":["nope"]}`, "triggers: no trigger \"nope\""},
		{"f", `{"kind":"super","triggers":[]}`, "/triggers"},
		{"f", `{"kind":"completion","pipeline":"ghost"}`, "pipeline: no pipeline"},
		{"f", `{"kind":"event","event":"e","state":"PAUSED"}`, "/state"},
		{"f", `[1]`, "/"},
		{"-x", `{"kind":"event","event":"e"}`, "id"},
	} {
		code, out := call(t, srv, "PUT", "/v1/schedule/triggers/"+tc.id, tc.body)
		require.Equal(t, http.StatusBadRequest, code, tc.body)
		require.Contains(t, out["message"], tc.want, tc.body)
	}
	require.Len(t, s.Triggers(), 1)
}
