package statuscli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/memstatus"
	"github.com/datafactory/datafactory/status/statuscli"
	"github.com/datafactory/datafactory/status/statustest"
	"github.com/stretchr/testify/require"
)

type bundle struct {
	store *status.Store
	clock *statustest.Clock
}

func setup(t *testing.T) *bundle {
	t.Helper()
	c := statustest.NewClock(time.Date(2020, 10, 10, 8, 55, 1, 0, time.UTC))
	s := memstatus.New(&memstatus.Options{Now: c.Now})
	t.Cleanup(func() { _ = s.Close() })
	return &bundle{store: s, clock: c}
}

// trace stores a trace "t" with the given (status, event status, errors)
// after its STARTED event, one second apart.
func (b *bundle) trace(t *testing.T, steps ...status.Event) {
	t.Helper()
	ctx := context.Background()
	_, err := b.store.StartTrace(ctx, status.Event{TraceID: "t", TraceEventID: "e0", Domain: "dataset", DomainID: "ds/1", Component: "upload"})
	require.NoError(t, err)
	for i, st := range steps {
		b.clock.Advance(time.Second)
		st.TraceID = "t"
		st.TraceEventID = "e" + string(rune('1'+i))
		_, err := b.store.AddEvent(ctx, st)
		require.NoError(t, err)
	}
}

func run(t *testing.T, b *bundle, opts *statuscli.Options) string {
	t.Helper()
	var out bytes.Buffer
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	require.NoError(t, statuscli.Run(context.Background(), &out, b.store, "t", opts))
	return out.String()
}

var invalid = []status.ErrorEntry{status.Localized(map[string]string{"en": "Invalid value.", "nb": "Ugyldig verdi."})}

// The three okdata-cli summary cases, in all three formats.
func TestSummaryOkdataCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		steps            []status.Event
		table, json, csv string
	}{
		{
			name:  "started continue finished",
			steps: []status.Event{{TraceStatus: status.TraceContinue}, {TraceStatus: status.TraceFinished}},
			table: `Status for: t
+------+----------+----------+--------------+----------+
| Done | Trace ID | Status   | Event status | Error(s) |
+------+----------+----------+--------------+----------+
| Yes  | t        | FINISHED | OK           |          |
+------+----------+----------+--------------+----------+
`,
			json: `{"done":true,"trace_id":"t","trace_status":"FINISHED","trace_event_status":"OK","errors":[]}`,
			csv:  "done,trace_id,trace_status,trace_event_status,errors\ntrue,t,FINISHED,OK,\n",
		},
		{
			name:  "started continue",
			steps: []status.Event{{TraceStatus: status.TraceContinue}},
			table: `Status for: t
+------+----------+----------+--------------+----------+
| Done | Trace ID | Status   | Event status | Error(s) |
+------+----------+----------+--------------+----------+
| No   | t        | CONTINUE | OK           |          |
+------+----------+----------+--------------+----------+
`,
			json: `{"done":false,"trace_id":"t","trace_status":"CONTINUE","trace_event_status":"OK","errors":[]}`,
			csv:  "done,trace_id,trace_status,trace_event_status,errors\nfalse,t,CONTINUE,OK,\n",
		},
		{
			name:  "started finished failed",
			steps: []status.Event{{TraceStatus: status.TraceFinished, TraceEventStatus: status.EventFailed, Errors: invalid}},
			table: `Status for: t
+------+----------+----------+--------------+----------------+
| Done | Trace ID | Status   | Event status | Error(s)       |
+------+----------+----------+--------------+----------------+
| Yes  | t        | FINISHED | FAILED       | Invalid value. |
+------+----------+----------+--------------+----------------+
`,
			json: `{"done":true,"trace_id":"t","trace_status":"FINISHED","trace_event_status":"FAILED","errors":["Invalid value."]}`,
			csv:  "done,trace_id,trace_status,trace_event_status,errors\ntrue,t,FINISHED,FAILED,Invalid value.\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.trace(t, tc.steps...)
			require.Equal(t, tc.table, run(t, b, &statuscli.Options{}))
			require.JSONEq(t, tc.json, run(t, b, &statuscli.Options{Format: statuscli.JSON}))
			require.Equal(t, tc.csv, run(t, b, &statuscli.Options{Format: statuscli.CSV}))
		})
	}
}

func TestHistory(t *testing.T) {
	t.Parallel()
	b := setup(t)
	two := []status.ErrorEntry{
		status.Localized(map[string]string{"en": "First problem."}),
		status.Localized(map[string]string{"en": "Second problem."}),
	}
	b.trace(t, status.Event{Component: "validate", Operation: "check", Errors: two, TraceEventStatus: status.EventFailed},
		status.Event{Component: "load", TraceStatus: status.TraceFinished, Errors: invalid})
	table := run(t, b, &statuscli.Options{History: true})
	want := `Status for: t
+----------------+---------------------+---------------------+---------+-----------+-----------+-----------+----------+--------------+-------------------+
| Trace event ID | Started             | Ended               | Domain  | Domain ID | Component | Operation | Status   | Event status | Error(s)          |
+----------------+---------------------+---------------------+---------+-----------+-----------+-----------+----------+--------------+-------------------+
| e0             | 2020-10-10 08:55:01 | 2020-10-10 08:55:01 | dataset | ds/1      | upload    | N/A       | STARTED  | OK           |                   |
| e1             | 2020-10-10 08:55:02 | 2020-10-10 08:55:02 | N/A     | N/A       | validate  | check     | CONTINUE | FAILED       | - First problem.  |
|                |                     |                     |         |           |           |           |          |              | - Second problem. |
| e2             | 2020-10-10 08:55:03 | 2020-10-10 08:55:03 | N/A     | N/A       | load      | N/A       | FINISHED | OK           | Invalid value.    |
+----------------+---------------------+---------------------+---------+-----------+-----------+-----------+----------+--------------+-------------------+
`
	require.Equal(t, want, table)

	var rows []map[string]any
	require.NoError(t, json.Unmarshal([]byte(run(t, b, &statuscli.Options{History: true, Format: statuscli.JSON})), &rows))
	require.Len(t, rows, 3)
	require.Equal(t, map[string]any{
		"trace_event_id": "e1", "start_time": "2020-10-10T08:55:02+00:00", "end_time": "2020-10-10T08:55:02+00:00",
		"domain": "N/A", "domain_id": "N/A", "component": "validate", "operation": "check",
		"trace_status": "CONTINUE", "trace_event_status": "FAILED",
		"errors": []any{"First problem.", "Second problem."},
	}, rows[1])
	require.Equal(t, []any{}, rows[0]["errors"])

	csv := run(t, b, &statuscli.Options{History: true, Format: statuscli.CSV})
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	require.Len(t, lines, 4)
	require.Equal(t, "trace_event_id,start_time,end_time,domain,domain_id,component,operation,trace_status,trace_event_status,errors", lines[0])
	require.Equal(t, "e1,2020-10-10T08:55:02+00:00,2020-10-10T08:55:02+00:00,N/A,N/A,validate,check,CONTINUE,FAILED,First problem.;Second problem.", lines[2])
}

func TestErrorsWrapAt50(t *testing.T) {
	t.Parallel()
	b := setup(t)
	long := "This message is long enough that the table has to wrap it onto more lines."
	b.trace(t, status.Event{TraceStatus: status.TraceFinished, Errors: []status.ErrorEntry{
		status.Localized(map[string]string{"en": long})}})
	out := run(t, b, &statuscli.Options{})
	require.Contains(t, out, "| This message is long enough that the table has to |\n")
	require.Contains(t, out, "| wrap it onto more lines.                          |\n")
	for _, line := range strings.Split(out, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 5 {
			require.LessOrEqual(t, len(strings.TrimSpace(cells[5])), 50, line)
		}
	}
}

func TestUnknownTrace(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name string
		opts statuscli.Options
		out  string
		err  error
	}{
		{"summary", statuscli.Options{}, "", status.ErrNotFound},
		{"history table", statuscli.Options{History: true}, "No history found for status\n", statuscli.ErrNoEvents},
		{"history json", statuscli.Options{History: true, Format: statuscli.JSON}, `{"error": 1, "message": "No trace events found"}`, statuscli.ErrNoEvents},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		err := statuscli.Run(context.Background(), &out, b.store, "t", &tc.opts)
		require.ErrorIs(t, err, tc.err, tc.name)
		if strings.HasPrefix(tc.out, "{") {
			require.JSONEq(t, tc.out, out.String(), tc.name)
		} else {
			require.Equal(t, tc.out, out.String(), tc.name)
		}
	}
	err := statuscli.Run(context.Background(), &bytes.Buffer{}, b.store, "t", &statuscli.Options{Format: "xml"})
	require.ErrorContains(t, err, "format")
}

// countingSource counts polls and finishes the trace on the third.
type countingSource struct {
	mu    sync.Mutex
	polls int
	b     *bundle
	t     *testing.T
}

func (c *countingSource) Events(ctx context.Context, id string) ([]status.Event, error) {
	c.mu.Lock()
	c.polls++
	if c.polls == 3 {
		_, err := c.b.store.AddEvent(ctx, status.Event{TraceID: id, TraceStatus: status.TraceFinished})
		require.NoError(c.t, err)
	}
	c.mu.Unlock()
	return c.b.store.Events(ctx, id)
}

func TestWatch(t *testing.T) {
	t.Parallel()
	t.Run("until done", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.trace(t, status.Event{TraceStatus: status.TraceContinue})
		src := &countingSource{b: b, t: t}
		var out bytes.Buffer
		err := statuscli.Run(context.Background(), &out, src, "t", &statuscli.Options{Watch: true, Interval: time.Millisecond, Location: time.UTC})
		require.NoError(t, err)
		require.Equal(t, 3, src.polls)
		require.True(t, strings.HasPrefix(out.String(), "Waiting for processing to finish..\nStatus for: t\n"), out.String())
		require.Contains(t, out.String(), "| Yes  |")
	})
	t.Run("max polls", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.trace(t, status.Event{TraceStatus: status.TraceContinue})
		var out bytes.Buffer
		err := statuscli.Run(context.Background(), &out, b.store, "t", &statuscli.Options{Watch: true, Interval: time.Millisecond,
			MaxPolls: 4, Format: statuscli.JSON})
		require.NoError(t, err)
		require.JSONEq(t, `{"done":false,"trace_id":"t","trace_status":"CONTINUE","trace_event_status":"OK","errors":[]}`, out.String())
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.trace(t)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		err := statuscli.Run(ctx, &bytes.Buffer{}, b.store, "t", &statuscli.Options{Watch: true, Interval: time.Hour})
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// TestFailedEventException is issue 15 point 8: a failed event that has
// an exception but no user-facing errors shows the exception.
func TestFailedEventException(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.trace(t, status.Event{Operation: "load", TraceStatus: status.TraceContinue, TraceEventStatus: status.EventFailed,
		Exception: `database "nosuchdb" does not exist`},
		status.Event{Operation: "run", TraceStatus: status.TraceFinished, TraceEventStatus: status.EventFailed,
			Exception: "run failed", Errors: invalid},
		status.Event{Operation: "ok", TraceStatus: status.TraceContinue, Exception: "not a failure"})
	out := run(t, b, &statuscli.Options{Format: statuscli.JSON})
	var sum status.Summary
	require.NoError(t, json.Unmarshal([]byte(out), &sum))
	require.Equal(t, []string{`database "nosuchdb" does not exist`, "Invalid value."}, sum.Errors)
	require.Contains(t, run(t, b, &statuscli.Options{}), `database "nosuchdb" does`)
	hist := run(t, b, &statuscli.Options{History: true, Format: statuscli.JSON})
	require.Contains(t, hist, `"database \"nosuchdb\" does not exist"`)
	require.NotContains(t, hist, "not a failure")
}
