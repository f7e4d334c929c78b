// Command apisync is the data-flow pattern in one process: a paginated,
// Hawk-authenticated API ({"results": [...], "next": url}) is synced into a
// database table by a pipeline whose one task reads the pages with
// httpsource (requests signed, every response's signature and payload hash
// verified) and loads them with datastore.Load in replace mode: data-flow's
// copy table and swap, where the staging table replaces the target only when
// every page was read. A second sync, against an API that returns a forged
// page, fails and leaves the table as it was. Then a monthly view pipeline
// catches up: one run per finished month, each (re)creating the view of that
// month.
//
//	go run ./examples/apisync
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "apisync:", err)
		os.Exit(1)
	}
}
