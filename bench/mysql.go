package main

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// mysqlDSN matches user@tcp(host:port)/db, the DSN form of
// go-sql-driver/mysql the tests use (no password).
var mysqlDSN = regexp.MustCompile(`^([^:@/]+)@tcp\(([^:()]+):(\d+)\)/([A-Za-z0-9_]+)$`)

// mysqlCases: a new MariaDB table, ours against the mysql client's LOAD
// DATA LOCAL INFILE into a table created with the same columns.
func mysqlCases(cfg *config) []*benchCase {
	m := mysqlDSN.FindStringSubmatch(cfg.mysql)
	if m == nil {
		return []*benchCase{{name: "CSV → new MariaDB table", ref: "mysql LOAD DATA",
			setup: func(context.Context) error {
				return fmt.Errorf("-mysql %q: want user@tcp(host:port)/db", cfg.mysql)
			}}}
	}
	url := "mysql://" + m[1] + "@" + m[2] + ":" + m[3] + "/" + m[4]
	client := func(sql string) func(ctx context.Context) (time.Duration, error) {
		return tool("mysql", "--local-infile=1", "-u", m[1], "-h", m[2], "-P", m[3], m[4], "-e", sql)
	}
	load := "LOAD DATA LOCAL INFILE '" + cfg.csv + "' INTO TABLE bench_ref FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\n' IGNORE 1 LINES"
	return []*benchCase{{name: "CSV → new MariaDB table", ref: "mysql LOAD DATA LOCAL INFILE",
		ours: side{prepare: untimed(client("DROP TABLE IF EXISTS bench_new")), run: cfg.ours("load", cfg.csv, url, "--table", "bench_new", "--schema", cfg.schema)},
		its: side{prepare: untimed(client("DROP TABLE IF EXISTS bench_ref; CREATE TABLE bench_ref (" + columnsDDL("BIGINT", "LONGTEXT", "DATETIME(6)", false) + ")")),
			run: client(load)}}}
}
