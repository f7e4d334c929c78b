package schedulehttp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/pipeline/schedule/schedulehttp"
)

// counter counts runs per pipeline.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

func build(t *testing.T, c *counter, name string, policy pipeline.FailurePolicy, fail bool, gate chan struct{}) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.NewBuilder(name).Add("load", pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error {
		c.mu.Lock()
		c.n[name]++
		c.mu.Unlock()
		if gate != nil {
			<-gate
		}
		if fail {
			return errors.New("load failed")
		}
		return nil
	}), &pipeline.TaskOptions{OnFailure: policy}).Build()
	require.NoError(t, err)
	return p
}

func call(t *testing.T, srv *httptest.Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	return resp.StatusCode, out
}

func activation(out map[string]any) any { return out["activation"].(map[string]any)["state"] }

// The dart scenarios driven over HTTP.
func TestDartScenariosOverHTTP(t *testing.T) {
	t.Parallel()
	c := &counter{n: map[string]int{}}
	gate := make(chan struct{})
	s := schedule.New(&schedule.Options{Synchronous: false})
	t.Cleanup(s.Stop)
	require.NoError(t, s.AddPipeline(build(t, c, "halt", pipeline.Halt, true, nil), nil))
	require.NoError(t, s.AddPipeline(build(t, c, "deact", pipeline.Deactivate, true, nil), &schedule.PipelineOptions{RetriesOnFailure: 2}))
	require.NoError(t, s.AddPipeline(build(t, c, "slow", "", false, gate), nil))
	require.NoError(t, s.AddPipeline(build(t, c, "up", "", false, nil), nil))
	require.NoError(t, s.AddPipeline(build(t, c, "view", "", false, nil), &schedule.PipelineOptions{Inactive: true}))
	require.NoError(t, s.AddTrigger("done", schedule.CompletionTrigger{Pipeline: "up"}))
	require.NoError(t, s.AddTrigger("ev", schedule.EventTrigger{Event: "go"}))
	require.NoError(t, s.AddTrigger("both", schedule.SuperTrigger{Mode: schedule.All, Triggers: []string{"done", "ev"}}, "view"))
	require.NoError(t, s.SetTriggerState(context.Background(), "both", schedule.Inactive, "new"))
	mux := http.NewServeMux()
	schedulehttp.New(s, nil).Register(mux, nil)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	// HALT: the instance fails, the workflow stays ACTIVE.
	code, _ := call(t, srv, "POST", "/v1/schedule/pipelines/halt/manual-runs", "")
	require.Equal(t, http.StatusAccepted, code)
	s.Wait()
	_, out := call(t, srv, "GET", "/v1/schedule/pipelines/halt", "")
	require.Equal(t, "ACTIVE", activation(out))

	// DEACTIVATE with retries_on_failure 2: three instances, then INACTIVE;
	// a manual run is then refused with 400 and the reason.
	code, _ = call(t, srv, "POST", "/v1/schedule/pipelines/deact/manual-runs", `{"conf":{}}`)
	require.Equal(t, http.StatusAccepted, code)
	s.Wait()
	require.Equal(t, 3, c.get("deact"))
	_, out = call(t, srv, "GET", "/v1/schedule/pipelines/deact", "")
	require.Equal(t, "INACTIVE", activation(out))
	code, out = call(t, srv, "POST", "/v1/schedule/pipelines/deact/manual-runs", "")
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, out["message"], "on_failure DEACTIVATE")

	// Manual run at the concurrency limit: 400 with the reason.
	code, _ = call(t, srv, "POST", "/v1/schedule/pipelines/slow/manual-runs", "")
	require.Equal(t, http.StatusAccepted, code)
	code, out = call(t, srv, "POST", "/v1/schedule/pipelines/slow/manual-runs", "")
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, out["message"], "active-run limit")
	close(gate)
	s.Wait()

	// An inactive trigger never fires; activated, ALL over a completion
	// and an event fires once both happened, then resets.
	code, _ = call(t, srv, "PUT", "/v1/schedule/pipelines/view/state", `{"state":"ACTIVE","reason":"ready"}`)
	require.Equal(t, http.StatusOK, code)
	call(t, srv, "POST", "/v1/schedule/pipelines/up/manual-runs", "")
	s.Wait()
	call(t, srv, "POST", "/v1/schedule/events/go/fire", "")
	s.Wait()
	require.Zero(t, c.get("view"), "both is inactive")
	code, out = call(t, srv, "PUT", "/v1/schedule/triggers/both/state", `{"state":"ACTIVE"}`)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ACTIVE", activation(out))
	call(t, srv, "POST", "/v1/schedule/pipelines/up/manual-runs", "")
	s.Wait()
	require.Zero(t, c.get("view"), "only the completion happened")
	code, _ = call(t, srv, "POST", "/v1/schedule/events/go/fire", `{"conf":{"x":1}}`)
	require.Equal(t, http.StatusAccepted, code)
	s.Wait()
	require.Equal(t, 1, c.get("view"), "both happened")
	call(t, srv, "POST", "/v1/schedule/events/go/fire", "")
	s.Wait()
	require.Equal(t, 1, c.get("view"), "reset")

	// An inactive event is ignored.
	code, _ = call(t, srv, "PUT", "/v1/schedule/events/go/state", `{"state":"INACTIVE"}`)
	require.Equal(t, http.StatusOK, code)
	_, out = call(t, srv, "GET", "/v1/schedule/events/go", "")
	require.Equal(t, "INACTIVE", activation(out))

	_, out = call(t, srv, "GET", "/v1/schedule/triggers", "")
	require.Len(t, out["triggers"], 3)
	_, out = call(t, srv, "GET", "/v1/schedule/pipelines", "")
	require.Len(t, out["pipelines"], 5)
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	s := schedule.New(nil)
	t.Cleanup(s.Stop)
	require.NoError(t, s.AddPipeline(build(t, &counter{n: map[string]int{}}, "p", "", false, nil), nil))
	require.NoError(t, s.AddTrigger("ev", schedule.EventTrigger{Event: "go"}, "p"))
	mux := http.NewServeMux()
	schedulehttp.New(s, nil).Register(mux, nil)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		method, path, body string
		code               int
		msg                string
	}{
		{"PUT", "/v1/schedule/pipelines/p/state", `{"state":"PAUSED"}`, 400, "/state"},
		{"PUT", "/v1/schedule/pipelines/p/state", `{}`, 400, "/state"},
		{"PUT", "/v1/schedule/triggers/ev/state", `{"state":"ACTIVE","owner":"x"}`, 400, "/owner"},
		{"PUT", "/v1/schedule/triggers/ev/state", `not json`, 400, "not JSON"},
		{"POST", "/v1/schedule/pipelines/p/manual-runs", `{"conf":[1]}`, 400, "/conf"},
		{"POST", "/v1/schedule/pipelines/p/manual-runs", `{"conf":{"a":"` + strings.Repeat("x", 2<<20) + `"}}`, 400, "too large"},
		{"POST", "/v1/schedule/pipelines/ghost/manual-runs", ``, 404, "ghost"},
		{"PUT", "/v1/schedule/triggers/ghost/state", `{"state":"ACTIVE"}`, 404, "ghost"},
		{"GET", "/v1/schedule/triggers/ev/element-stats", ``, 400, "not a files trigger"},
		{"POST", "/v1/schedule/events/..x/fire", ``, 400, "event"},
	} {
		code, out := call(t, srv, tt.method, tt.path, tt.body)
		require.Equal(t, tt.code, code, "%s %s", tt.method, tt.path)
		require.Contains(t, out["message"], tt.msg, "%s %s", tt.method, tt.path)
	}
}
