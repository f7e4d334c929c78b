package cli_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/pipeline/schedule/schedulehttp"
)

func TestScheduleCommands(t *testing.T) {
	t.Parallel()
	s := schedule.New(&schedule.Options{Synchronous: true})
	t.Cleanup(s.Stop)
	runs := 0
	p, err := pipeline.NewBuilder("wf").Add("a", pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error {
		runs++
		return nil
	}), nil).Build()
	require.NoError(t, err)
	require.NoError(t, s.AddPipeline(p, nil))
	require.NoError(t, s.AddTrigger("ev", schedule.EventTrigger{Event: "go"}, "wf"))
	mux := http.NewServeMux()
	schedulehttp.New(s, nil).Register(mux, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer tok" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	env := map[string]string{"DATAFACTORY_TOKEN": "tok"}

	r := runCLI(t, env, "triggers", "deactivate", "ev", "--reason", "paused", "--server", srv.URL)
	require.Zero(t, r.code, r.stderr)
	require.Contains(t, r.stdout, `"INACTIVE"`)
	r = runCLI(t, env, "events", "fire", "go", "--conf", `{}`, "--server", srv.URL)
	require.Zero(t, r.code, r.stderr)
	require.Zero(t, runs, "the trigger is inactive")
	require.Zero(t, runCLI(t, env, "triggers", "activate", "ev", "--server", srv.URL).code)
	require.Zero(t, runCLI(t, env, "events", "fire", "go", "--server", srv.URL).code)
	require.Equal(t, 1, runs)

	require.Zero(t, runCLI(t, env, "pipelines", "deactivate", "wf", "--reason", "broken", "--server", srv.URL).code)
	r = runCLI(t, env, "pipelines", "run", "wf", "--server", srv.URL)
	require.NotZero(t, r.code)
	require.Contains(t, r.stderr, "broken")
	r = runCLI(t, env, "pipelines", "list", "--server", srv.URL)
	require.Zero(t, r.code, r.stderr)
	require.Contains(t, r.stdout, `"name":"wf"`)
	r = runCLI(t, map[string]string{}, "triggers", "list", "--server", srv.URL)
	require.NotZero(t, r.code, "no token")

	// A trigger put from a YAML spec file, then deleted.
	require.Zero(t, runCLI(t, env, "pipelines", "activate", "wf", "--server", srv.URL).code)
	spec := filepath.Join(t.TempDir(), "ev2.yaml")
	require.NoError(t, os.WriteFile(spec, []byte("kind: event\nevent: go2\ntargets: [wf]\nstate: ACTIVE\n"), 0o600))
	r = runCLI(t, env, "triggers", "put", "ev2", "--file", spec, "--server", srv.URL)
	require.Zero(t, r.code, r.stderr)
	require.Contains(t, r.stdout, `"event":"go2"`)
	require.Zero(t, runCLI(t, env, "events", "fire", "go2", "--server", srv.URL).code)
	require.Equal(t, 2, runs)
	r = runCLI(t, env, "triggers", "put", "ev", "--file", spec, "--server", srv.URL)
	require.NotZero(t, r.code)
	require.Contains(t, r.stderr, "operator")
	require.Zero(t, runCLI(t, env, "triggers", "delete", "ev2", "--server", srv.URL).code)
	require.NotZero(t, runCLI(t, env, "triggers", "show", "ev2", "--server", srv.URL).code)
}
