// Command ckanload is AirCan's job in one process: a CKAN site (ckantest,
// in-process, with a real SQLite DataStore) has a dataset with an uploaded
// CSV resource; the built-in ckan_load pipeline (ckan/aircan)
// is triggered with the conf ckanext-aircan's aircan_submit sends, downloads
// the upload into the run's bucket, validates it against the Table Schema
// (rejects kept), loads the valid rows into the resource's DataStore table,
// marks the resource DataStore-active and reports to CKAN with
// aircan_status_update calls and to a status store, printing the status as
// it goes.
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
