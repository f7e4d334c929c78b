// Command statusdemo shows datafactory's status tracking the way status-api
// and okdata use it: a status service over HTTP (status/statushttp, on an
// embedded SQLite store), a processing job that reports every step through
// the status recorder from "another container" (the HTTP client), a lookup
// of the trace by the uploaded file's path, and the CLI's summary and history
// of a successful and of a failed trace.
//
//	go run ./examples/statusdemo
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
		fmt.Fprintln(os.Stderr, "statusdemo:", err)
		os.Exit(1)
	}
}
