package status_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/datafactory/datafactory/status"
	"github.com/stretchr/testify/require"
)

func ev(ts status.TraceStatus, es status.EventStatus, errs ...status.ErrorEntry) status.Event {
	return status.Event{TraceID: "t", TraceStatus: ts, TraceEventStatus: es, Errors: errs}
}

// TestSummarize covers the okdata CLI's three test cases and the rules
// around them.
func TestSummarize(t *testing.T) {
	t.Parallel()
	invalid := status.Localized(map[string]string{"en": "Invalid value.", "nb": "Ugyldig verdi."})
	tests := []struct {
		name   string
		events []status.Event
		want   status.Summary
	}{
		{"okdata: started continue finished", []status.Event{ev("STARTED", "OK"), ev("CONTINUE", "OK"), ev("FINISHED", "OK")},
			status.Summary{Done: true, TraceID: "t", TraceStatus: "FINISHED", TraceEventStatus: "OK", Errors: []string{}}},
		{"okdata: started continue", []status.Event{ev("STARTED", "OK"), ev("CONTINUE", "OK")},
			status.Summary{Done: false, TraceID: "t", TraceStatus: "CONTINUE", TraceEventStatus: "OK", Errors: []string{}}},
		{"okdata: started finished failed", []status.Event{ev("STARTED", "OK"), ev("FINISHED", "FAILED", invalid)},
			status.Summary{Done: true, TraceID: "t", TraceStatus: "FINISHED", TraceEventStatus: "FAILED", Errors: []string{"Invalid value."}}},
		{"first finished, not last", []status.Event{ev("FINISHED", "FAILED"), ev("FINISHED", "OK"), ev("CONTINUE", "OK")},
			status.Summary{Done: true, TraceID: "t", TraceStatus: "FINISHED", TraceEventStatus: "FAILED", Errors: []string{}}},
		{"errors of all events, malformed dropped", []status.Event{
			ev("STARTED", "OK", status.Localized(map[string]string{"en": "a"})),
			ev("CONTINUE", "FAILED", status.ErrorEntry{Raw: json.RawMessage(`42`)}, status.Localized(map[string]string{"nb": "b"})),
			ev("CONTINUE", "OK", status.Localized(map[string]string{"en": "c", "nb": "c"})),
		}, status.Summary{TraceID: "t", TraceStatus: "CONTINUE", TraceEventStatus: "OK", Errors: []string{"a", "c"}}},
		{"no events", nil, status.Summary{Errors: []string{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, status.Summarize(tc.events))
		})
	}
}

// BenchmarkSummarize summarises a 10,000-event trace in memory.
func BenchmarkSummarize(b *testing.B) {
	const n = 10000
	evs := make([]status.Event, n)
	for i := range evs {
		evs[i] = ev("CONTINUE", "OK")
		if i%100 == 0 {
			evs[i].Errors = []status.ErrorEntry{status.Localized(map[string]string{"en": fmt.Sprint("e", i)})}
		}
	}
	evs[n-1].TraceStatus = status.TraceFinished
	for b.Loop() {
		s := status.Summarize(evs)
		if !s.Done || len(s.Errors) != n/100 {
			b.Fatal("wrong summary")
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
