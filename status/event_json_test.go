package status_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/driver"
	"github.com/stretchr/testify/require"
)

func TestEventJSONLegacyNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     status.Event
	}{
		{"legacy names", `{"id":"t1","application":"dataset","application_id":"ds/1","date_started":"2020-10-10T08:55:01+00:00",
			"date_end":"2020-10-10T10:55:01.5+02:00","handler":"h","run_status":"FINISHED","status":"FAILED","s3path":"a/b.csv","body":{"x":1}}`,
			status.Event{TraceID: "t1", Domain: "dataset", DomainID: "ds/1",
				StartTime: time.Date(2020, 10, 10, 8, 55, 1, 0, time.UTC), EndTime: time.Date(2020, 10, 10, 8, 55, 1, 5e8, time.UTC),
				Component: "h", TraceStatus: "FINISHED", TraceEventStatus: "FAILED", S3Path: "a/b.csv",
				StatusBody: json.RawMessage(`{"x":1}`)}},
		{"current name wins", `{"trace_id":"new","id":"old","status":"OK","trace_event_status":"FAILED"}`,
			status.Event{TraceID: "new", TraceEventStatus: "FAILED"}},
		{"nulls are absent, naive time is UTC, duration ms", `{"trace_id":"t","user":null,"start_time":"2020-01-02T03:04:05.123456","duration":1.5}`,
			status.Event{TraceID: "t", StartTime: time.Date(2020, 1, 2, 3, 4, 5, 123456000, time.UTC), Duration: 1500 * time.Microsecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got status.Event
			require.NoError(t, json.Unmarshal([]byte(tc.in), &got))
			require.Equal(t, tc.want, got)
		})
	}
}

func TestEventJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := status.Event{TraceID: "t", TraceEventID: "e", StartTime: time.Date(2020, 10, 10, 8, 55, 1, 0, time.UTC),
		TraceStatus: "CONTINUE", TraceEventStatus: "OK", Duration: 2500 * time.Millisecond,
		Errors: []status.ErrorEntry{status.Localized(map[string]string{"en": "x"}), {Raw: json.RawMessage(`"raw"`)}}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"trace_id":"t","trace_event_id":"e","start_time":"2020-10-10T08:55:01+00:00","trace_status":"CONTINUE",
		"trace_event_status":"OK","duration":2500,"errors":[{"message":{"en":"x"}},"raw"]}`, string(b))
	var out status.Event
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in, out)
}

func TestErrorEntryKeepsExtraKeys(t *testing.T) {
	t.Parallel()
	in := `[{"message":{"en":"a","nb":"b"},"field":"x"},{"message":"flat"},{"message":{"en":"c"}},7,null]`
	var errs []status.ErrorEntry
	require.NoError(t, json.Unmarshal([]byte(in), &errs))
	require.Equal(t, []string{"a", "c"}, status.ErrorMessages(errs))
	out, err := json.Marshal(errs)
	require.NoError(t, err)
	require.JSONEq(t, in, string(out))
}

func TestEventJSONErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`[]`, `{"start_time":"soon"}`, `{"duration":-1}`, `{"duration":"1"}`, `{"errors":{}}`, `{"duration":1e300}`} {
		var ev status.Event
		require.Error(t, json.Unmarshal([]byte(in), &ev), in)
	}
}

func FuzzEventJSON(f *testing.F) {
	for _, s := range []string{`{"trace_id":"t","errors":[{"message":{"en":"x"}},1,null]}`, `{"date_started":"2020-01-01"}`, `{}`, `{"duration":3.25}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var ev status.Event
		if json.Unmarshal([]byte(in), &ev) != nil {
			return
		}
		b, err := json.Marshal(ev)
		require.NoError(t, err)
		var again status.Event
		require.NoError(t, json.Unmarshal(b, &again), string(b))
		b2, err := json.Marshal(again)
		require.NoError(t, err)
		require.JSONEq(t, string(b), string(b2))
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2020-10-10T08:55:01+00:00", "2020-10-10 08:55:01.5", "2020-10-10", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tm, err := driver.ParseTime(in)
		if err != nil || tm.IsZero() {
			return
		}
		back, err := driver.ParseTime(driver.FormatTime(tm))
		require.NoError(t, err)
		require.True(t, back.Equal(tm.Truncate(time.Microsecond)), "%v vs %v", back, tm)
	})
}
