// Command apisync is the data-flow pattern in one process: a paginated,
// Hawk-authenticated API ({"results": [...], "next": url}) is synced into a
// database table by a pipeline whose fetch task stores each page in the run's
// storage while parallel insert tasks claim the pages and insert them into a
// copy table; the copy replaces the target in one transaction only when every
// task succeeded. A second sync, against an API that returns a forged page,
// fails and leaves the table as it was. Then a monthly view pipeline catches
// up: one run per finished month, each (re)creating the view of that month.
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
