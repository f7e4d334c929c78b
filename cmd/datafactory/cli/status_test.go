package cli_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/stretchr/testify/require"
)

// statusDB returns a status store URL with two traces: "done-1" finished
// with an error, "open-1" still running; and a job for dataset ds.
func statusDB(t *testing.T) string {
	t.Helper()
	u := "sqlite://" + filepath.Join(t.TempDir(), "status.db")
	ctx := context.Background()
	st, err := sqlstatus.Open(ctx, u, nil)
	require.NoError(t, err)
	defer st.Close()
	for _, id := range []string{"done-1", "open-1"} {
		_, err = st.StartTrace(ctx, status.Event{TraceID: id, Domain: "dataset", DomainID: "ds/1", Component: "test"})
		require.NoError(t, err)
		_, err = st.AddEvent(ctx, status.Event{TraceID: id, Domain: "dataset", Component: "test", Operation: "step1"})
		require.NoError(t, err)
	}
	_, err = st.AddEvent(ctx, status.Event{TraceID: "done-1", Domain: "dataset", Component: "test", Operation: "step2",
		TraceStatus: status.TraceFinished, TraceEventStatus: status.EventFailed,
		Errors: []status.ErrorEntry{status.Localized(map[string]string{"en": "Invalid value.", "nb": "Ugyldig verdi."})}})
	require.NoError(t, err)
	_, err = st.CreateJob(ctx, status.Job{Type: status.JobLoad, Dataset: "ds", Resource: "r1"})
	require.NoError(t, err)
	_, err = st.CreateJob(ctx, status.Job{Type: status.JobLoad, Dataset: "other"})
	require.NoError(t, err)
	return u
}

func TestStatus(t *testing.T) {
	t.Parallel()
	db := statusDB(t)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want []string
	}{
		{"summary", []string{"status", "done-1", "--status", db}, nil, cli.ExitOK,
			[]string{"Status for: done-1", "Done", "Trace ID", "Event status", "Error(s)", "Yes", "FINISHED", "FAILED", "Invalid value."}},
		{"summary from env", []string{"status", "open-1"}, map[string]string{cli.EnvStatusURL: db}, cli.ExitOK,
			[]string{"No", "CONTINUE", "OK"}},
		{"history", []string{"status", "done-1", "--status", db, "--history"}, nil, cli.ExitOK,
			[]string{"Trace event ID", "Operation", "step1", "step2", "STARTED"}},
		{"watch finished", []string{"status", "done-1", "--status", db, "--watch", "--watch-interval", "1ms"}, nil, cli.ExitOK,
			[]string{"Yes"}},
		{"watch gives up", []string{"status", "open-1", "--status", db, "--watch", "--watch-interval", "1ms", "--watch-polls", "3"}, nil, cli.ExitOK, []string{"CONTINUE"}},
		{"unknown trace", []string{"status", "nope", "--status", db}, nil, cli.ExitError, nil},
		{"no store", []string{"status", "done-1"}, nil, cli.ExitError, nil},
		{"bad format", []string{"status", "done-1", "--status", db, "--format", "xml"}, nil, cli.ExitError, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tt.env, tt.args...)
			require.Equal(t, tt.code, r.code, "stdout %s\nstderr %s", r.stdout, r.stderr)
			for _, s := range tt.want {
				require.Contains(t, r.stdout, s)
			}
		})
	}
}

func TestStatusFormats(t *testing.T) {
	t.Parallel()
	db := statusDB(t)
	r := runCLI(t, nil, "status", "done-1", "--status", db, "--format", "json")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	var sum status.Summary
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &sum))
	require.Equal(t, status.Summary{Done: true, TraceID: "done-1", TraceStatus: status.TraceFinished,
		TraceEventStatus: status.EventFailed, Errors: []string{"Invalid value."}}, sum)

	r = runCLI(t, nil, "status", "done-1", "--status", db, "--format", "json", "--history")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	var hist []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &hist))
	require.Len(t, hist, 3)
	require.Equal(t, "step2", hist[2]["operation"])
	require.Equal(t, []any{"Invalid value."}, hist[2]["errors"])

	r = runCLI(t, nil, "status", "done-1", "--status", db, "--format", "csv", "--history")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 4)
	require.Equal(t, "trace_event_id", recs[0][0])
	require.Equal(t, "Invalid value.", recs[3][9])
}

func TestJobs(t *testing.T) {
	t.Parallel()
	db := statusDB(t)
	r := runCLI(t, nil, "jobs", "--status", db, "--dataset", "ds", "--format", "json")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	var jobs []status.Job
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &jobs))
	require.Len(t, jobs, 1)
	require.Equal(t, "r1", jobs[0].Resource)
	require.Equal(t, status.JobWaiting, jobs[0].Status)

	r = runCLI(t, nil, "jobs", "--status", db, "--resource", "r1")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Len(t, lines(r.stdout), 2)
	require.Contains(t, r.stdout, "WAITING")

	r = runCLI(t, nil, "jobs", "--status", db)
	require.Equal(t, cli.ExitOK, r.code)
	require.Len(t, lines(r.stdout), 3)

	require.Equal(t, cli.ExitError, runCLI(t, nil, "jobs").code)
	require.Equal(t, cli.ExitError, runCLI(t, nil, "jobs", "--status", db, "--format", "xml").code)
}
