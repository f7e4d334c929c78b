package main

import (
	"context"
	"path/filepath"
	"time"
)

// halvesCase measures the machine's limit rather than datafactory: two
// psql \copy streams, each of half the file, in parallel, against one
// stream of the whole file.
func (cfg *config) halvesCase() *benchCase {
	ddl := columnsDDL("bigint", "text", "timestamptz", false)
	prepare := cfg.psqlRun("DROP TABLE IF EXISTS bench_halves; CREATE TABLE bench_halves (" + ddl + ")")
	half := func(file string) func(ctx context.Context) error {
		return untimed(tool("psql", cfg.postgres, "-qXc", `\copy bench_halves from '`+file+`' csv header`))
	}
	return &benchCase{name: `two psql \copy streams of halves in parallel (the machine's limit; not datafactory)`, ref: `one psql \copy stream`,
		ours: side{prepare: prepare, run: parallel(half(cfg.halves[0]), half(cfg.halves[1]))},
		its:  cfg.copyInto("bench_ref", ddl, cfg.csv)}
}

// binaryCase measures the server rather than datafactory: psql's binary
// \copy of the same rows (what datafactory sends: binary COPY) into a new
// table, against its CSV \copy. The binary file is written once, by psql.
func (cfg *config) binaryCase() *benchCase {
	ddl := columnsDDL("bigint", "text", "timestamptz", false)
	bin := filepath.Join(cfg.dir, "employees.bin")
	setup := cfg.psqlRun("DROP TABLE IF EXISTS bench_binsrc", "CREATE TABLE bench_binsrc ("+ddl+")",
		`\copy bench_binsrc from '`+cfg.csv+`' csv header`, `\copy bench_binsrc to '`+bin+`' with (format binary)`,
		"DROP TABLE bench_binsrc")
	return &benchCase{name: `psql binary \copy of the same rows (the server's floor for a new table; not datafactory)`, ref: `psql \copy`,
		setup: setup,
		ours: side{prepare: cfg.psqlRun("DROP TABLE IF EXISTS bench_bin; CREATE TABLE bench_bin (" + ddl + ")"),
			run: tool("psql", cfg.postgres, "-qXc", `\copy bench_bin from '`+bin+`' with (format binary)`)},
		its: cfg.copyInto("bench_ref", ddl, cfg.csv)}
}

// viewedCase: our replace of a keyed table two levels of views depend on,
// against our replace of the same table without views.
func (cfg *config) viewedCase(loadKeyed func(context.Context) (time.Duration, error)) *benchCase {
	loadViewed := cfg.ours("load", cfg.csv, cfg.postgres, "--table", "bench_viewed", "--schema", cfg.keyedSchema, "--mode", "replace")
	setup := func(ctx context.Context) error {
		if err := cfg.psqlRun("DROP TABLE IF EXISTS bench_viewed CASCADE")(ctx); err != nil {
			return err
		}
		if err := untimed(loadViewed)(ctx); err != nil {
			return err
		}
		if err := cfg.psqlRun("CREATE VIEW bench_viewed_v AS SELECT * FROM bench_viewed; CREATE VIEW bench_viewed_v2 AS SELECT count(*) FROM bench_viewed_v")(ctx); err != nil {
			return err
		}
		return untimed(loadKeyed)(ctx)
	}
	return &benchCase{name: "replace a keyed PostgreSQL table with two levels of views", ref: "our replace without a view",
		setup: setup, ours: side{run: loadViewed}, its: side{run: loadKeyed}}
}

// upsertCases: every row upserted into a fresh, vacuumed keyed table of the
// same rows (loaded by \copy), against \copy into a keyed table and
// against the hand-written SQL (COPY into a temporary table, then INSERT …
// ON CONFLICT); and the same upsert right after our replace of the table
// (vacuumed), the daily case.
func (cfg *config) upsertCases(keyedCopy side) []*benchCase {
	keyedDDL := columnsDDL("bigint", "text", "timestamptz", true)
	upsert := cfg.ours("load", cfg.csv, cfg.postgres, "--table", "bench_up", "--schema", cfg.keyedSchema, "--mode", "upsert")
	fresh := func(ctx context.Context) error {
		if err := cfg.copyInto("bench_up", keyedDDL, cfg.csv).prepare(ctx); err != nil {
			return err
		}
		return cfg.psqlRun(`\copy bench_up from '`+cfg.csv+`' csv header`, "VACUUM ANALYZE bench_up")(ctx)
	}
	replaced := func(ctx context.Context) error {
		if err := untimed(cfg.ours("load", cfg.csv, cfg.postgres, "--table", "bench_up", "--schema", cfg.keyedSchema, "--mode", "replace"))(ctx); err != nil {
			return err
		}
		return cfg.psqlRun("VACUUM ANALYZE bench_up")(ctx)
	}
	var sets string
	for i, c := range columns[1:] {
		if i > 0 {
			sets += ", "
		}
		sets += c + " = excluded." + c
	}
	handSQL := cfg.psqlRun("DROP TABLE IF EXISTS bench_hand; CREATE TABLE bench_hand (" + keyedDDL + ")")
	handFresh := func(ctx context.Context) error {
		if err := handSQL(ctx); err != nil {
			return err
		}
		return cfg.psqlRun(`\copy bench_hand from '`+cfg.csv+`' csv header`, "VACUUM ANALYZE bench_hand")(ctx)
	}
	hand := tool("psql", cfg.postgres, "-qX", "-c", "CREATE TEMP TABLE t (LIKE bench_hand)",
		"-c", `\copy t from '`+cfg.csv+`' csv header`,
		"-c", "INSERT INTO bench_hand SELECT * FROM t ON CONFLICT (employee_id) DO UPDATE SET "+sets)
	return []*benchCase{
		{name: "upsert every row into a fresh, vacuumed keyed PostgreSQL table of the same rows", ref: `psql \copy into a keyed table`,
			ours: side{prepare: fresh, run: upsert}, its: keyedCopy},
		{name: "the same upsert, against hand SQL", ref: "psql: COPY to a temporary table + INSERT … ON CONFLICT",
			ours: side{prepare: fresh, run: upsert}, its: side{prepare: handFresh, run: hand}},
		{name: "the same upsert right after our replace of that table (vacuumed)", ref: `psql \copy into a keyed table`,
			ours: side{prepare: replaced, run: upsert}, its: keyedCopy},
	}
}

// avroCases: an Avro backup (zstandard) of a keyed table, against \copy
// … TO a CSV file; psql's binary \copy of the rows in key order, which is
// how a backup reads them (an index scan), against the same; and the
// restore, against \copy into a keyed table.
func (cfg *config) avroCases(loadKeyed func(context.Context) (time.Duration, error), keyedDDL string) []*benchCase {
	avro, csvOut := filepath.Join(cfg.dir, "bench.avro"), filepath.Join(cfg.dir, "bench.csv")
	ordered := filepath.Join(cfg.dir, "ordered.bin")
	restoreFrom := filepath.Join(cfg.dir, "restore.avro")
	backup := func(file string) func(context.Context) (time.Duration, error) {
		return cfg.ours("backup", cfg.postgres, "bench_keyed", file, "--codec", "zstandard")
	}
	restoreSetup := func(ctx context.Context) error {
		if err := untimed(loadKeyed)(ctx); err != nil {
			return err
		}
		return untimed(backup(restoreFrom))(ctx)
	}
	copyOut := side{prepare: removeFile(csvOut), run: tool("psql", cfg.postgres, "-qXc", `\copy bench_keyed to '`+csvOut+`' csv`)} // a side's value: each case keeps its own times
	return []*benchCase{
		{name: "Avro backup (zstandard) of a PostgreSQL table", ref: `psql \copy … TO a CSV file`, setup: untimed(loadKeyed),
			ours: side{prepare: removeFile(avro), run: backup(avro)},
			its:  copyOut},
		{name: `psql binary \copy of the rows in key order to a file (the server's floor for a backup in key order; not datafactory)`,
			ref: `psql \copy … TO a CSV file`, setup: untimed(loadKeyed),
			ours: side{prepare: removeFile(ordered), run: tool("psql", cfg.postgres, "-qXc",
				`\copy (SELECT * FROM bench_keyed ORDER BY employee_id) to '`+ordered+`' with (format binary)`)},
			its: copyOut},
		{name: "Avro restore of that backup", ref: `psql \copy into a keyed table`, setup: restoreSetup,
			ours: side{run: cfg.ours("restore", restoreFrom, cfg.postgres, "bench_restored")},
			its:  cfg.copyInto("bench_ref_keyed", keyedDDL, cfg.csv)},
	}
}
