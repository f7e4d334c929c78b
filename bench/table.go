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

// printRounds prints every round's times of each case, reference first,
// and the CLI's start-up and exit time, which each of its times includes.
func printRounds(out io.Writer, cases []*benchCase, startup time.Duration) {
	fmt.Fprintf(out, "\nevery round, reference / datafactory, in seconds; datafactory's start-up and exit alone (--help, median): %.3f s\n\n", startup.Seconds())
	for _, c := range cases {
		fmt.Fprintf(out, "- %s:", c.name)
		for i := range min(len(c.its.times), len(c.ours.times)) {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(out, "%s %.2f / %.2f", sep, c.its.times[i].Seconds(), c.ours.times[i].Seconds())
		}
		fmt.Fprintln(out)
	}
}

// seconds formats d as seconds with two decimals.
func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
