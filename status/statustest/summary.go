package statustest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/datafactory/datafactory/status"
	"github.com/stretchr/testify/require"
)

func summaryTests() map[string]func(*testing.T, setupFunc) {
	return map[string]func(*testing.T, setupFunc){
		"OkdataCases": testSummaryOkdataCases,
	}
}

// step is one event after the STARTED one.
type step struct {
	ts     status.TraceStatus
	es     status.EventStatus
	errors []status.ErrorEntry
}

func testSummaryOkdataCases(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	invalid := status.Localized(map[string]string{"en": "Invalid value.", "nb": "Ugyldig verdi."})
	tests := []struct {
		name  string
		steps []step
		want  status.Summary
	}{
		{ // okdata-cli test 1: [STARTED, CONTINUE, FINISHED/OK]
			name:  "finished ok",
			steps: []step{{ts: status.TraceContinue, es: status.EventOK}, {ts: status.TraceFinished, es: status.EventOK}},
			want:  status.Summary{Done: true, TraceStatus: status.TraceFinished, TraceEventStatus: status.EventOK, Errors: []string{}},
		},
		{ // okdata-cli test 2: [STARTED, CONTINUE]
			name:  "still running",
			steps: []step{{ts: status.TraceContinue, es: status.EventOK}},
			want:  status.Summary{Done: false, TraceStatus: status.TraceContinue, TraceEventStatus: status.EventOK, Errors: []string{}},
		},
		{ // okdata-cli test 3: [STARTED, FINISHED/FAILED with en "Invalid value."]
			name:  "finished failed",
			steps: []step{{ts: status.TraceFinished, es: status.EventFailed, errors: []status.ErrorEntry{invalid}}},
			want: status.Summary{Done: true, TraceStatus: status.TraceFinished, TraceEventStatus: status.EventFailed,
				Errors: []string{"Invalid value."}},
		},
		{
			name: "first finished wins, errors of all events, bad entries dropped",
			steps: []step{
				{ts: status.TraceContinue, es: status.EventFailed, errors: []status.ErrorEntry{
					status.Localized(map[string]string{"en": "first"}),
					status.Localized(map[string]string{"nb": "bare norsk"}),
					{Raw: json.RawMessage(`"a string"`)},
				}},
				{ts: status.TraceFinished, es: status.EventOK},
				{ts: status.TraceFinished, es: status.EventFailed, errors: []status.ErrorEntry{
					status.Localized(map[string]string{"en": "late"})}},
				{ts: status.TraceContinue, es: status.EventOK},
			},
			want: status.Summary{Done: true, TraceStatus: status.TraceFinished, TraceEventStatus: status.EventOK,
				Errors: []string{"first", "late"}},
		},
	}
	for i, tc := range tests {
		id := "sum-" + string(rune('a'+i))
		start(t, b.store, id)
		for _, st := range tc.steps {
			b.clock.Advance(1000)
			_, err := b.store.AddEvent(ctx, status.Event{TraceID: id, TraceStatus: st.ts, TraceEventStatus: st.es, Errors: st.errors})
			require.NoError(t, err, tc.name)
		}
		got, err := b.store.Summary(ctx, id)
		require.NoError(t, err, tc.name)
		tc.want.TraceID = id
		require.Equal(t, tc.want, got, tc.name)
		raw, err := json.Marshal(got)
		require.NoError(t, err)
		require.Contains(t, string(raw), `"errors":[`, tc.name)
	}
}
