package main

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

// printTable prints the medians and ratios as a Markdown table, then the
// cases that did not run.
func printTable(out io.Writer, cfg *config, cases []*benchCase, skipped []skip) {
	fmt.Fprintf(out, "%d rows, %d columns, %d rounds interleaved, medians; %d CPUs; ratio > 1: datafactory faster\n\n",
		cfg.rows, len(columns), cfg.rounds, runtime.NumCPU())
	fmt.Fprintln(out, "| work | reference | reference time | datafactory | ratio |")
	fmt.Fprintln(out, "|---|---|---|---|---|")
	for _, c := range cases {
		ref, ours := median(c.its.times), median(c.ours.times)
		over := ""
		if c.its.capped {
			over = "> " // the reference was stopped at its limit
		}
		fmt.Fprintf(out, "| %s | %s | %s%s | %s | %s%.2f× |\n", c.name, c.ref, over, seconds(ref), seconds(ours), over, float64(ref)/float64(ours))
	}
	for _, s := range skipped {
		fmt.Fprintf(out, "\nskipped %s: %s", s.what, s.why)
	}
	if len(skipped) > 0 {
		fmt.Fprintln(out)
	}
}

// seconds formats d as seconds with two decimals.
func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
