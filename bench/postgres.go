package main

import (
	"context"
)

// psqlRun returns a preparation that runs each statement with its own -c
// (so VACUUM is not inside a transaction block).
func (cfg *config) psqlRun(stmts ...string) func(ctx context.Context) error {
	args := []string{cfg.postgres, "-qX"}
	for _, s := range stmts {
		args = append(args, "-c", s)
	}
	return untimed(tool("psql", args...))
}

// copyInto is the reference side that \copy-es file into a fresh table
// with the given columns.
func (cfg *config) copyInto(table, ddl, file string) side {
	return side{prepare: cfg.psqlRun("DROP TABLE IF EXISTS " + table + "; CREATE TABLE " + table + " (" + ddl + ")"),
		run: tool("psql", cfg.postgres, "-qXc", `\copy `+table+` from '`+file+`' csv header`)}
}

// postgresCases: a new table (5 and 20 columns), a replace and upserts of
// a keyed table, an Avro backup and restore, each against psql's \copy
// doing the same work; a replace of a keyed table two levels of views
// depend on, against our replace of the same table without views; and
// the machine's limits: psql's binary \copy (the server's share of a
// new-table load) and two \copy streams of halves in parallel.
func postgresCases(cfg *config) []*benchCase {
	keyedDDL := columnsDDL("bigint", "text", "timestamptz", true)
	keyedCopy := cfg.copyInto("bench_ref_keyed", keyedDDL, cfg.csv)
	loadKeyed := cfg.ours("load", cfg.csv, cfg.postgres, "--table", "bench_keyed", "--schema", cfg.keyedSchema, "--mode", "replace")
	cases := []*benchCase{
		{name: "CSV → new PostgreSQL table", ref: `psql \copy`,
			ours: side{prepare: cfg.psqlRun("DROP TABLE IF EXISTS bench_new"), run: cfg.ours("load", cfg.csv, cfg.postgres, "--table", "bench_new", "--schema", cfg.schema)},
			its:  cfg.copyInto("bench_ref", columnsDDL("bigint", "text", "timestamptz", false), cfg.csv)},
		{name: "the same, 20-column file", ref: `psql \copy`,
			ours: side{prepare: cfg.psqlRun("DROP TABLE IF EXISTS bench_wide"), run: cfg.ours("load", cfg.wideCSV, cfg.postgres, "--table", "bench_wide", "--schema", cfg.wideSchema)},
			its:  cfg.copyInto("bench_ref_wide", wideDDL(), cfg.wideCSV)},
		cfg.binaryCase(),
		cfg.halvesCase(),
		{name: "replace a keyed PostgreSQL table", ref: `psql \copy into a keyed table`, setup: untimed(loadKeyed),
			ours: side{run: loadKeyed}, its: keyedCopy},
		cfg.viewedCase(loadKeyed),
	}
	cases = append(cases, cfg.upsertCases(keyedCopy)...)
	return append(cases, cfg.avroCases(loadKeyed, keyedDDL)...)
}
