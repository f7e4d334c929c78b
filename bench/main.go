// Command bench times datafactory's CLI against the reference tools that
// load the same files (psql's \copy, the sqlite3 shell's .import, the mysql
// client's LOAD DATA LOCAL INFILE, pgloader when installed) and prints a
// table of medians and ratios. Runs are interleaved (both sides case by
// case, round after round, ours first in odd rounds and the reference
// first in even ones), so a busy machine slows both sides alike, and
// before each timed command a wait for autovacuum to be idle and a
// PostgreSQL CHECKPOINT keep one from paying for the vacuum or the dirty
// pages of the commands before it; a ratio above 1 means
// datafactory was faster. Below the table it lists every round's two
// times of each case, and the CLI's start-up and exit time on its own
// (`datafactory --help`, run five times a round), which every one of its
// times includes: the reference tools start in a few milliseconds.
//
//	go run ./bench -rows 1000000 -rounds 3
//
// PostgreSQL and MariaDB come from -postgres and -mysql (default: the
// DATAFACTORY_TEST_POSTGRES_URL and DATAFACTORY_TEST_MYSQL_DSN variables);
// a case whose database or tool is missing is skipped with the reason. The
// tables it makes are named bench_* and dropped first.
//
// The table has every line of issue 20's: a new table from the 5- and the
// 20-column file, two \copy streams of halves (the machine's limit, both
// sides reference tools), replace with and without dependent views, upsert
// into a fresh table, against hand SQL and right after a replace, Avro
// backup and restore, SQLite, MariaDB, and the file with 1% invalid rows
// against pgloader (stopped after -pgloader-limit, shown as "> limit").
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

func main() {
	cfg := config{}
	flag.IntVar(&cfg.rows, "rows", 1_000_000, "rows in the generated CSV file")
	flag.IntVar(&cfg.rounds, "rounds", 3, "interleaved rounds; the table shows medians")
	flag.StringVar(&cfg.postgres, "postgres", os.Getenv("DATAFACTORY_TEST_POSTGRES_URL"), "PostgreSQL URL (postgres://user@host/db, no password)")
	flag.StringVar(&cfg.mysql, "mysql", os.Getenv("DATAFACTORY_TEST_MYSQL_DSN"), "MariaDB/MySQL DSN (user@tcp(host:port)/db)")
	flag.StringVar(&cfg.cli, "cli", "", "datafactory binary (default: built from this module)")
	flag.StringVar(&cfg.only, "run", "", "only the cases whose name contains this text")
	flag.DurationVar(&cfg.pgloaderLimit, "pgloader-limit", 300*time.Second, "stop pgloader after this long")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, &cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
