package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// config is what the flags set.
type config struct {
	rows, rounds int
	postgres     string
	mysql        string
	cli          string
	only         string
	dir          string // scratch directory: files and databases
	csv, schema  string // the generated file and its Table Schema
	keyedSchema  string // the same schema with employee_id as primary key
	// wideCSV and wideSchema: the 20-column variant of the file.
	wideCSV, wideSchema string
	halves              [2]string // the file's two halves, each with the header
	invalidCSV          string    // the file with 1% invalid rows (pgloader only)
	pgloaderLimit       time.Duration
}

// run generates the file, then times every case in rounds and prints the
// table.
func run(ctx context.Context, cfg *config, out io.Writer) error {
	dir, err := os.MkdirTemp("", "datafactory-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.dir = dir
	if cfg.cli == "" {
		if cfg.cli, err = buildCLI(ctx, dir); err != nil {
			return err
		}
	}
	_, noPgloader := exec.LookPath("pgloader")
	if err := writeInputs(cfg, cfg.postgres != "" && noPgloader == nil); err != nil {
		return err
	}
	cases, skipped := selectCases(cfg)
	for _, c := range cases {
		if c.setup != nil {
			if err := c.setup(ctx); err != nil {
				return fmt.Errorf("%s: setup: %w", c.name, err)
			}
		}
	}
	settle := cfg.settler(ctx)
	var startup []time.Duration
	for round := 1; round <= cfg.rounds; round++ {
		for _, c := range cases {
			if err := c.time(ctx, round, settle); err != nil {
				return fmt.Errorf("%s (round %d): %w", c.name, round, err)
			}
		}
		d, err := cfg.startup(ctx)
		if err != nil {
			return fmt.Errorf("start-up (round %d): %w", round, err)
		}
		startup = append(startup, d)
	}
	printTable(out, cfg, cases, skipped)
	printRounds(out, cases, median(startup))
	return nil
}

// startupRuns is how many times a round runs the CLI with no work.
const startupRuns = 5

// startup returns the median wall time of the CLI doing no work (--help):
// the process's start-up and exit, which every one of its timings
// includes.
func (cfg *config) startup(ctx context.Context) (time.Duration, error) {
	help := cfg.ours("--help")
	ds := make([]time.Duration, 0, startupRuns)
	for range startupRuns {
		d, err := help(ctx)
		if err != nil {
			return 0, err
		}
		ds = append(ds, d)
	}
	return median(ds), nil
}

// quietAutovacuum waits (up to 60 s) until no autovacuum worker runs: the
// cases before leave tables with a million dead or unfrozen rows, and a
// worker vacuuming one takes a core from whatever is timed next.
const quietAutovacuum = `DO $$ BEGIN
	FOR i IN 1..600 LOOP
		PERFORM pg_stat_clear_snapshot();
		EXIT WHEN NOT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'autovacuum worker');
		PERFORM pg_sleep(0.1);
	END LOOP;
END $$`

// settler returns the step run before every timed command: a PostgreSQL
// CHECKPOINT once no autovacuum worker runs, or nil without PostgreSQL or
// when the role may not run one (said on stderr).
func (cfg *config) settler(ctx context.Context) func(context.Context) error {
	if cfg.postgres == "" {
		return nil
	}
	checkpoint := cfg.psqlRun(quietAutovacuum, "CHECKPOINT")
	if err := checkpoint(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "no CHECKPOINT before each command (%v): timings include the previous command's writes\n", err)
		return nil
	}
	return checkpoint
}

// buildCLI builds cmd/datafactory of the module the command runs in.
func buildCLI(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "datafactory")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/datafactory/datafactory/cmd/datafactory")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build the CLI: %w", err)
	}
	return bin, nil
}

// command runs name with args and returns its wall time; output goes to
// the error only when it fails.
func command(ctx context.Context, name string, args ...string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(lastLines(string(out), 5)))
	}
	return elapsed, nil
}

// parallel runs the steps at the same time and returns the wall time of
// all of them.
func parallel(steps ...func(ctx context.Context) error) func(ctx context.Context) (time.Duration, error) {
	return func(ctx context.Context) (time.Duration, error) {
		start := time.Now()
		errs := make(chan error, len(steps))
		for _, step := range steps {
			go func() { errs <- step(ctx) }()
		}
		var err error
		for range steps {
			err = errors.Join(err, <-errs)
		}
		return time.Since(start), err
	}
}

// lastLines keeps the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// median is the middle of ds (the mean of the two middles for an even
// count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
