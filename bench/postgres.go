package main

import (
	"context"
	"path/filepath"
)

// postgresCases: a new table, a replace and an upsert of a keyed table,
// and an Avro backup, each against psql's \copy doing the same work; and a
// replace of a keyed table two levels of views depend on, against our
// replace of the same table without views.
func postgresCases(cfg *config) []*benchCase {
	psql := func(sql string) func(ctx context.Context) error {
		return untimed(tool("psql", cfg.postgres, "-qXc", sql))
	}
	copyIn := func(table string) side {
		return side{prepare: psql("DROP TABLE IF EXISTS " + table + "; CREATE TABLE " + table + " (" + columnsDDL("bigint", "text", "timestamptz", true) + ")"),
			run: tool("psql", cfg.postgres, "-qXc", `\copy `+table+` from '`+cfg.csv+`' csv header`)}
	}
	keyedCopy := copyIn("bench_ref_keyed")
	avro, csvOut := filepath.Join(cfg.dir, "bench.avro"), filepath.Join(cfg.dir, "bench.csv")
	loadKeyed := cfg.ours("load", cfg.csv, cfg.postgres, "--table", "bench_keyed", "--schema", cfg.keyedSchema, "--mode", "replace")
	loadViewed := cfg.ours("load", cfg.csv, cfg.postgres, "--table", "bench_viewed", "--schema", cfg.keyedSchema, "--mode", "replace")
	viewed := func(ctx context.Context) error {
		if err := psql("DROP TABLE IF EXISTS bench_viewed CASCADE")(ctx); err != nil {
			return err
		}
		if err := untimed(loadViewed)(ctx); err != nil {
			return err
		}
		return psql("CREATE VIEW bench_viewed_v AS SELECT * FROM bench_viewed; CREATE VIEW bench_viewed_v2 AS SELECT count(*) FROM bench_viewed_v")(ctx)
	}
	return []*benchCase{
		{name: "CSV → new PostgreSQL table", ref: `psql \copy`,
			ours: side{prepare: psql("DROP TABLE IF EXISTS bench_new"), run: cfg.ours("load", cfg.csv, cfg.postgres, "--table", "bench_new", "--schema", cfg.schema)},
			its: side{prepare: psql("DROP TABLE IF EXISTS bench_ref; CREATE TABLE bench_ref (" + columnsDDL("bigint", "text", "timestamptz", false) + ")"),
				run: tool("psql", cfg.postgres, "-qXc", `\copy bench_ref from '`+cfg.csv+`' csv header`)}},
		{name: "replace a keyed PostgreSQL table", ref: `psql \copy into a keyed table`, setup: untimed(loadKeyed),
			ours: side{run: loadKeyed}, its: keyedCopy},
		{name: "replace a keyed PostgreSQL table with two levels of views", ref: "our replace without a view", setup: func(ctx context.Context) error {
			if err := viewed(ctx); err != nil {
				return err
			}
			return untimed(loadKeyed)(ctx)
		}, ours: side{run: loadViewed}, its: side{run: loadKeyed}},
		{name: "upsert into a full keyed PostgreSQL table", ref: `psql \copy into a keyed table`, setup: untimed(loadKeyed),
			ours: side{run: cfg.ours("load", cfg.csv, cfg.postgres, "--table", "bench_keyed", "--schema", cfg.keyedSchema, "--mode", "upsert")},
			its:  keyedCopy},
		{name: "Avro backup (zstandard) of a PostgreSQL table", ref: `psql \copy … TO a CSV file`, setup: untimed(loadKeyed),
			ours: side{prepare: removeFile(avro), run: cfg.ours("backup", cfg.postgres, "bench_keyed", avro, "--codec", "zstandard")},
			its:  side{prepare: removeFile(csvOut), run: tool("psql", cfg.postgres, "-qXc", `\copy bench_keyed to '`+csvOut+`' csv`)}},
	}
}
