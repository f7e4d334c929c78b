package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// side is one program of a case: an untimed preparation, then the timed
// command.
type side struct {
	prepare func(ctx context.Context) error
	run     func(ctx context.Context) (time.Duration, error)
	times   []time.Duration
	// limit, when set, stops the command after that long; the time is
	// then recorded as the limit and the side marked capped.
	limit  time.Duration
	capped bool
}

// benchCase is one line of the table: our command and the reference tool
// doing the same work.
type benchCase struct {
	name, ref string
	setup     func(ctx context.Context) error // once, before the rounds
	ours, its side
}

// time runs both sides once: ours first in odd rounds, the reference
// first in even ones, so neither always follows the previous case. Before
// each timed command, after its preparation, settle (when set) lets the
// databases finish the work of what ran before (autovacuum, then a
// PostgreSQL CHECKPOINT), so a command is not charged for another's.
func (c *benchCase) time(ctx context.Context, round int, settle func(context.Context) error) error {
	sides := []*side{&c.ours, &c.its}
	if round%2 == 0 {
		sides[0], sides[1] = sides[1], sides[0]
	}
	for _, s := range sides {
		if s.prepare != nil {
			if err := s.prepare(ctx); err != nil {
				return err
			}
		}
		if settle != nil {
			if err := settle(ctx); err != nil {
				return fmt.Errorf("settle: %w", err)
			}
		}
		d, err := s.timed(ctx)
		if err != nil {
			return err
		}
		s.times = append(s.times, d)
	}
	return nil
}

// timed runs the side's command within its limit.
func (s *side) timed(ctx context.Context) (time.Duration, error) {
	if s.limit <= 0 {
		return s.run(ctx)
	}
	lctx, cancel := context.WithTimeout(ctx, s.limit)
	defer cancel()
	d, err := s.run(lctx)
	if err != nil && ctx.Err() == nil && lctx.Err() != nil {
		s.capped = true
		return s.limit, nil
	}
	return d, err
}

// skip says why a group of cases did not run.
type skip struct{ what, why string }

// selectCases returns the cases whose database and tools are here.
func selectCases(cfg *config) ([]*benchCase, []skip) {
	var cases []*benchCase
	var skipped []skip
	add := func(what string, missing string, make func(*config) []*benchCase) {
		if missing != "" {
			skipped = append(skipped, skip{what, missing})
			return
		}
		for _, c := range make(cfg) {
			if cfg.only == "" || strings.Contains(c.name, cfg.only) {
				cases = append(cases, c)
			}
		}
	}
	add("PostgreSQL", need(cfg.postgres, "-postgres", "psql"), postgresCases)
	add("SQLite", need("sqlite", "", "sqlite3"), sqliteCases)
	add("MariaDB", need(cfg.mysql, "-mysql", "mysql"), mysqlCases)
	add("pgloader", need(cfg.postgres, "-postgres", "pgloader"), pgloaderCases)
	return cases, skipped
}

// need is "" when setting is set and tool is on PATH, else the reason.
func need(setting, flagName, tool string) string {
	if setting == "" {
		return flagName + " not set"
	}
	if _, err := exec.LookPath(tool); err != nil {
		return tool + " not on PATH"
	}
	return ""
}

// ours runs the datafactory CLI.
func (cfg *config) ours(args ...string) func(ctx context.Context) (time.Duration, error) {
	return func(ctx context.Context) (time.Duration, error) { return command(ctx, cfg.cli, args...) }
}

// tool runs a reference tool.
func tool(name string, args ...string) func(ctx context.Context) (time.Duration, error) {
	return func(ctx context.Context) (time.Duration, error) { return command(ctx, name, args...) }
}

// untimed turns a timed command into a preparation step.
func untimed(f func(ctx context.Context) (time.Duration, error)) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		_, err := f(ctx)
		return err
	}
}

// removeFile is a preparation that deletes path.
func removeFile(path string) func(context.Context) error {
	return func(context.Context) error {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
}

// sqliteCases: a new SQLite table, ours against the sqlite3 shell's
// .import into a table created with the same columns: in the shell's own
// journal mode (rollback), then in WAL, the mode datafactory opens a
// SQLite file in (every page goes to the WAL first, then to the database
// file at the checkpoint).
func sqliteCases(cfg *config) []*benchCase {
	ours, ref := filepath.Join(cfg.dir, "ours.db"), filepath.Join(cfg.dir, "ref.db")
	create := "CREATE TABLE bench (" + columnsDDL("INTEGER", "TEXT", "DATETIME", false) + ")"
	load := side{prepare: removeFile(ours), run: cfg.ours("load", cfg.csv, "sqlite://"+ours, "--table", "bench", "--schema", cfg.schema)}
	imported := func(setup string) side {
		return side{prepare: func(ctx context.Context) error {
			if err := removeFile(ref)(ctx); err != nil {
				return err
			}
			return untimed(tool("sqlite3", ref, setup+create))(ctx)
		}, run: tool("sqlite3", ref, ".import --csv --skip 1 "+cfg.csv+" bench")}
	}
	return []*benchCase{
		{name: "CSV → new SQLite table", ref: "sqlite3 .import", ours: load, its: imported("")},
		{name: "the same, SQLite in WAL mode for both (datafactory's journal mode)", ref: "sqlite3 .import, WAL", ours: load,
			its: imported("PRAGMA journal_mode=WAL; ")},
	}
}
