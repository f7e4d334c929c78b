// Command migration is datafactory's main example, the data-architecture
// project end to end: it loads the three historical CSV files (departments,
// jobs, hired employees) into a database with all-required Table Schemas,
// ingests the new records through the batch ingest HTTP API (served
// in-process; the malformed employee record is rejected and logged), backs
// every table up to Avro, restores one and checks it, and writes the two KPI
// reports as CSV and as an HTML page with charts.
//
//	go run ./examples/migration                       # SQLite in a temporary directory
//	go run ./examples/migration --db postgres://user@host:5432/db
//	go run ./examples/migration --db mysql://user@host:3306/db --out reports
//
// The database password comes from DATAFACTORY_DB_PASSWORD. With --db the
// example drops and recreates its tables (departments, jobs, employees, their
// __rejects tables and employees_restored) and leaves them for inspection.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "migration:", err)
		os.Exit(1)
	}
}
