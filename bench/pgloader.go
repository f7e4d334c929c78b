package main

import (
	"context"
	"path/filepath"
	"strings"
)

// pgloaderCases: the file with 1% invalid rows into a new PostgreSQL
// table, every bad row kept (--rejects), against pgloader, which is
// stopped after -pgloader-limit (the table then shows "> limit").
func pgloaderCases(cfg *config) []*benchCase {
	target := cfg.postgres
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	target += sep + "tablename=bench_pgloader"
	ddl := columnsDDL("bigint", "text", "timestamptz", false)
	rejects := filepath.Join(cfg.dir, "rejects.csv")
	return []*benchCase{{name: "CSV with 1% invalid rows → new PostgreSQL table, every bad row kept", ref: "pgloader",
		ours: side{prepare: func(ctx context.Context) error {
			if err := removeFile(rejects)(ctx); err != nil {
				return err
			}
			return cfg.psqlRun("DROP TABLE IF EXISTS bench_invalid")(ctx)
		}, run: cfg.ours("load", cfg.invalidCSV, cfg.postgres, "--table", "bench_invalid", "--schema", cfg.schema, "--rejects", rejects)},
		its: side{prepare: cfg.psqlRun("DROP TABLE IF EXISTS bench_pgloader; CREATE TABLE bench_pgloader (" + ddl + ")"),
			run: tool("pgloader", "--type", "csv", "--field", strings.Join(columns, ","),
				"--with", "skip header = 1", "--with", "fields terminated by ','", cfg.invalidCSV, target),
			limit: cfg.pgloaderLimit}}}
}
