package statuscli_test

import (
	"context"
	"os"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/memstatus"
	"github.com/datafactory/datafactory/status/statuscli"
)

// What `datafactory status <trace_id>` prints.
func ExampleRun() {
	ctx := context.Background()
	store := memstatus.New(nil)
	defer store.Close()
	_, _ = store.StartTrace(ctx, status.Event{TraceID: "ds-1234"})
	_, _ = store.AddEvent(ctx, status.Event{TraceID: "ds-1234", TraceStatus: status.TraceFinished,
		TraceEventStatus: status.EventFailed, Errors: []status.ErrorEntry{
			status.Localized(map[string]string{"en": "Invalid value.", "nb": "Ugyldig verdi."})}})

	_ = statuscli.Run(ctx, os.Stdout, store, "ds-1234", &statuscli.Options{Location: time.UTC})
	// Output:
	// Status for: ds-1234
	// +------+----------+----------+--------------+----------------+
	// | Done | Trace ID | Status   | Event status | Error(s)       |
	// +------+----------+----------+--------------+----------------+
	// | Yes  | ds-1234  | FINISHED | FAILED       | Invalid value. |
	// +------+----------+----------+--------------+----------------+
}
