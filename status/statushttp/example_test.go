package statushttp_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/memstatus"
	"github.com/datafactory/datafactory/status/statushttp"
)

// A central status service and a task reporting to it from elsewhere.
func ExampleNewClient() {
	ctx := context.Background()
	central := memstatus.New(nil)
	srv := httptest.NewServer(statushttp.NewHandler(central, &statushttp.HandlerOptions{Tokens: []string{"t0ken"}}))
	defer srv.Close()

	remote, _ := statushttp.NewClient(srv.URL, &statushttp.ClientOptions{Token: "t0ken"})
	tr, _ := remote.StartTrace(ctx, status.Event{TraceID: "run-42", Domain: "pipeline"})
	_, _ = remote.AddEvent(ctx, status.Event{TraceID: tr.TraceID, Operation: "load", TraceStatus: status.TraceFinished})

	sum, _ := central.Summary(ctx, "run-42")
	fmt.Println(sum.Done, sum.TraceStatus)
	// Output:
	// true FINISHED
}
