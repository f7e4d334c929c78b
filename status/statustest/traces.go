package statustest

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/stretchr/testify/require"
)

type setupFunc = func(*testing.T) *bundle

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// start begins a trace with a fixed ID and returns it.
func start(t *testing.T, s *status.Store, id string) status.Event {
	t.Helper()
	ev, err := s.StartTrace(context.Background(), status.Event{TraceID: id, Domain: "dataset", DomainID: "ds/1", Component: "test"})
	require.NoError(t, err)
	return ev
}

func traceTests() map[string]func(*testing.T, setupFunc) {
	return map[string]func(*testing.T, setupFunc){
		"StartTraceGeneratesDatasetID": testStartTraceGeneratedID,
		"StartTraceForcesStartedOK":    testStartTraceForcesStarted,
		"StartTraceDuplicate":          testStartTraceDuplicate,
		"AddEventUnknownTrace":         testAddEventUnknownTrace,
		"AddEventDefaults":             testAddEventDefaults,
		"AddEventDuplicateEventID":     testAddEventDuplicateID,
		"EventRoundTrip":               testEventRoundTrip,
		"EventsOrder":                  testEventsOrder,
		"EventsUnknownTrace":           testEventsUnknown,
		"TraceIDFromPath":              testTraceIDFromPath,
		"Validation":                   testEventValidation,
		"ClosedStore":                  testClosedStore,
	}
}

func testStartTraceGeneratedID(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	tests := []struct {
		name, domain, domainID, prefix string
	}{
		{"dataset with slash", "dataset", "ds/1", "ds-"},
		{"dataset without slash", "dataset", "my-data", "my-data-"},
		{"other domain", "pipeline", "p1", ""},
		{"long dataset id", "dataset", strings.Repeat("d", 100), strings.Repeat("d", 80)},
	}
	for _, tc := range tests {
		ev, err := b.store.StartTrace(ctx, status.Event{Domain: tc.domain, DomainID: tc.domainID, Component: "c"})
		require.NoError(t, err, tc.name)
		require.LessOrEqual(t, len(ev.TraceID), 80, tc.name)
		require.True(t, strings.HasPrefix(ev.TraceID, tc.prefix), "%s: %q", tc.name, ev.TraceID)
		if len(tc.prefix) < 80 {
			require.Regexp(t, uuidRE, strings.TrimPrefix(ev.TraceID, tc.prefix), tc.name)
		}
		require.Regexp(t, uuidRE, ev.TraceEventID, tc.name)
		evs, err := b.store.Events(ctx, ev.TraceID)
		require.NoError(t, err, tc.name)
		require.Len(t, evs, 1, tc.name)
	}
}

func testStartTraceForcesStarted(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	ev, err := b.store.StartTrace(ctx, status.Event{TraceID: "t-forced", Domain: "dataset", DomainID: "x",
		TraceStatus: status.TraceFinished, TraceEventStatus: status.EventFailed})
	require.NoError(t, err)
	require.Equal(t, status.TraceStarted, ev.TraceStatus)
	require.Equal(t, status.EventOK, ev.TraceEventStatus)
	evs, err := b.store.Events(ctx, "t-forced")
	require.NoError(t, err)
	require.Equal(t, status.TraceStarted, evs[0].TraceStatus)
	require.Equal(t, status.EventOK, evs[0].TraceEventStatus)
	require.Equal(t, b.clock.Now(), evs[0].StartTime)
	require.Equal(t, b.clock.Now(), evs[0].EndTime)
}

func testStartTraceDuplicate(t *testing.T, setup setupFunc) {
	b := setup(t)
	start(t, b.store, "dup")
	_, err := b.store.StartTrace(context.Background(), status.Event{TraceID: "dup"})
	require.ErrorIs(t, err, status.ErrExists)
	evs, err := b.store.Events(context.Background(), "dup")
	require.NoError(t, err)
	require.Len(t, evs, 1)
}

func testAddEventUnknownTrace(t *testing.T, setup setupFunc) {
	b := setup(t)
	_, err := b.store.AddEvent(context.Background(), status.Event{TraceID: "nope", Component: "c"})
	require.ErrorIs(t, err, status.ErrNotFound)
	_, err = b.store.Events(context.Background(), "nope")
	require.ErrorIs(t, err, status.ErrNotFound)
}

func testAddEventDefaults(t *testing.T, setup setupFunc) {
	b := setup(t)
	start(t, b.store, "defaults")
	b.clock.Advance(time.Second)
	ev, err := b.store.AddEvent(context.Background(), status.Event{TraceID: "defaults", Component: "c"})
	require.NoError(t, err)
	require.Equal(t, status.TraceContinue, ev.TraceStatus)
	require.Equal(t, status.EventOK, ev.TraceEventStatus)
	require.Regexp(t, uuidRE, ev.TraceEventID)
	require.Equal(t, b.clock.Now(), ev.StartTime)
}

func testAddEventDuplicateID(t *testing.T, setup setupFunc) {
	b := setup(t)
	first := start(t, b.store, "dupev")
	_, err := b.store.AddEvent(context.Background(), status.Event{TraceID: "dupev", TraceEventID: first.TraceEventID})
	require.ErrorIs(t, err, status.ErrExists)
}

func testEventRoundTrip(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	start(t, b.store, "rt")
	want := status.Event{
		TraceID: "rt", TraceEventID: "7a0c1e1e-0000-4000-8000-000000000001",
		Domain: "dataset", DomainID: "ds/1/æøå", User: "ola@example.org", Component: "loader", Operation: "copy",
		StartTime:   time.Date(2020, 10, 10, 8, 55, 1, 123456000, time.UTC),
		EndTime:     time.Date(2020, 10, 10, 8, 55, 3, 654321000, time.UTC),
		TraceStatus: status.TraceFinished, TraceEventStatus: status.EventFailed,
		StatusBody: json.RawMessage(`{"rows":10,"files":["a.csv"]}`),
		Meta:       json.RawMessage(`{"git_rev":"abc"}`),
		S3Path:     "raw/green/ds/1/file (2020).xlsx", Duration: 2530500 * time.Microsecond,
		Exception: "boom: 'quoted' \"value\"; DROP TABLE x; --",
		Errors: []status.ErrorEntry{
			status.Localized(map[string]string{"en": "Invalid value.", "nb": "Ugyldig verdi."}),
			{Raw: json.RawMessage(`"not a dict"`)},
		},
	}
	got, err := b.store.AddEvent(ctx, want)
	require.NoError(t, err)
	requireEventEqual(t, want, got)
	evs, err := b.store.Events(ctx, "rt")
	require.NoError(t, err)
	require.Len(t, evs, 2)
	requireEventEqual(t, want, evs[0]) // its 2020 start sorts before the trace's first event
	require.Equal(t, status.TraceStarted, evs[1].TraceStatus)
}

// requireEventEqual compares events, JSON fields by value.
func requireEventEqual(t *testing.T, want, got status.Event) {
	t.Helper()
	require.JSONEq(t, string(orEmpty(want.StatusBody)), string(orEmpty(got.StatusBody)))
	require.JSONEq(t, string(orEmpty(want.Meta)), string(orEmpty(got.Meta)))
	wj, err := json.Marshal(want.Errors)
	require.NoError(t, err)
	gj, err := json.Marshal(got.Errors)
	require.NoError(t, err)
	require.JSONEq(t, string(wj), string(gj))
	want.StatusBody, got.StatusBody, want.Meta, got.Meta = nil, nil, nil, nil
	want.Errors, got.Errors = nil, nil
	require.True(t, want.StartTime.Equal(got.StartTime), "start_time %v != %v", want.StartTime, got.StartTime)
	require.True(t, want.EndTime.Equal(got.EndTime), "end_time %v != %v", want.EndTime, got.EndTime)
	want.StartTime, got.StartTime, want.EndTime, got.EndTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	require.InDelta(t, float64(want.Duration), float64(got.Duration), float64(time.Microsecond))
	want.Duration, got.Duration = 0, 0
	require.Equal(t, want, got)
}

func orEmpty(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}

func testEventsOrder(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	first := start(t, b.store, "order")
	base := first.StartTime
	// Stored out of order: a later start, an earlier one, then two equal.
	adds := []struct {
		op    string
		start time.Time
	}{
		{"late", base.Add(3 * time.Second)},
		{"early", base.Add(1 * time.Second)},
		{"same-a", base.Add(2 * time.Second)},
		{"same-b", base.Add(2 * time.Second)},
	}
	for _, a := range adds {
		_, err := b.store.AddEvent(ctx, status.Event{TraceID: "order", Operation: a.op, StartTime: a.start})
		require.NoError(t, err)
	}
	evs, err := b.store.Events(ctx, "order")
	require.NoError(t, err)
	var ops []string
	for _, ev := range evs {
		ops = append(ops, ev.Operation)
	}
	require.Equal(t, []string{"", "early", "same-a", "same-b", "late"}, ops)
}

func testEventsUnknown(t *testing.T, setup setupFunc) {
	b := setup(t)
	start(t, b.store, "known")
	_, err := b.store.Events(context.Background(), "unknown")
	require.ErrorIs(t, err, status.ErrNotFound)
	_, err = b.store.Summary(context.Background(), "unknown")
	require.ErrorIs(t, err, status.ErrNotFound)
}

func testTraceIDFromPath(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	one, err := b.store.StartTrace(ctx, status.Event{TraceID: "p1", S3Path: "my/path/to/file (2020).xlsx"})
	require.NoError(t, err)
	start(t, b.store, "p2")
	start(t, b.store, "p3")
	for _, id := range []string{"p2", "p3"} {
		_, err := b.store.AddEvent(ctx, status.Event{TraceID: id, S3Path: "shared/path.csv"})
		require.NoError(t, err)
	}
	tests := []struct {
		name, path, want string
		err              error
	}{
		{"one match", "my/path/to/file (2020).xlsx", one.TraceID, nil},
		{"no match", "nothing/here.csv", "", status.ErrNotFound},
		{"two matches", "shared/path.csv", "", status.ErrNotFound},
		{"prefix is not a match", "my/path", "", status.ErrNotFound},
	}
	for _, tc := range tests {
		got, err := b.store.TraceIDFromPath(ctx, tc.path)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
}

func testEventValidation(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	start(t, b.store, "v")
	tests := []struct {
		name string
		ev   status.Event
	}{
		{"bad trace status", status.Event{TraceID: "v", TraceStatus: "DONE"}},
		{"bad event status", status.Event{TraceID: "v", TraceEventStatus: "WARN"}},
		{"empty trace id", status.Event{}},
		{"long trace id", status.Event{TraceID: strings.Repeat("x", 300)}},
		{"invalid body json", status.Event{TraceID: "v", StatusBody: json.RawMessage(`{"a":`)}},
		{"nul in component", status.Event{TraceID: "v", Component: "a\x00b"}},
		{"bad utf8", status.Event{TraceID: "v", Operation: "\xff\xfe"}},
		{"negative duration", status.Event{TraceID: "v", Duration: -time.Second}},
	}
	for _, tc := range tests {
		_, err := b.store.AddEvent(ctx, tc.ev)
		require.ErrorIs(t, err, status.ErrInvalid, tc.name)
	}
	evs, err := b.store.Events(ctx, "v")
	require.NoError(t, err)
	require.Len(t, evs, 1)
}

func testClosedStore(t *testing.T, setup setupFunc) {
	b := setup(t)
	require.NoError(t, b.store.Close())
	require.ErrorIs(t, b.store.Close(), status.ErrClosed)
	_, err := b.store.AddEvent(context.Background(), status.Event{TraceID: "x"})
	require.ErrorIs(t, err, status.ErrClosed)
	_, err = b.store.Job(context.Background(), "x")
	require.ErrorIs(t, err, status.ErrClosed)
}
