// Command ckanload is AirCan's job in one process: a CKAN site (ckantest,
// in-process, with a real SQLite DataStore) has a dataset with an uploaded
// CSV resource whose Table Schema is in the resource; a pipeline loads it into
// the resource's DataStore table through the action API, keeps the rejected
// rows, marks the resource DataStore-active and reports to CKAN with
// aircan_status_update calls (pending, progress, complete or error) and to a
// status store, printing the status as it goes.
//
//	go run ./examples/ckanload
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
		fmt.Fprintln(os.Stderr, "ckanload:", err)
		os.Exit(1)
	}
}
