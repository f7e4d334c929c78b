// Package statuscli prints a trace's status the way `okdata status` does,
// for `datafactory status <trace_id> [--history] [--format
// table|json|csv] [--watch]`. It writes to an io.Writer, so the command
// is tested without a subprocess; the cobra command is a thin wrapper
// around [Run].
package statuscli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/datafactory/datafactory/status"
)

// Format is an output format.
type Format string

// Output formats.
const (
	Table Format = "table"
	JSON  Format = "json"
	CSV   Format = "csv"
)

// Watch defaults, as okdata's: every 2 s, at most 100 times.
const (
	DefaultInterval = 2 * time.Second
	DefaultMaxPolls = 100
)

// ErrNoEvents is returned (after the "No history found" message was
// printed) when --history finds no events: the CLI should exit non-zero
// without printing anything more.
var ErrNoEvents = errors.New("statuscli: no trace events found")

// Source is what Run reads: a *status.Store (local or an HTTP client).
type Source interface {
	Events(ctx context.Context, traceID string) ([]status.Event, error)
}

// Options configure Run. The zero value (or nil) means defaults.
type Options struct {
	// History prints one row per event instead of the summary. Default false.
	History bool
	// Format is table, json or csv. Default table.
	Format Format
	// Watch polls until the trace is done (latest event FINISHED), then
	// prints. Default false.
	Watch bool
	// Interval between polls. Default DefaultInterval.
	Interval time.Duration
	// MaxPolls bounds the polls; after the last one the current state is
	// printed. Default DefaultMaxPolls.
	MaxPolls int
	// Location for times in the table format. Default time.Local.
	Location *time.Location
}

func (o *Options) withDefaults() (Options, error) {
	out := Options{}
	if o != nil {
		out = *o
	}
	if out.Format == "" {
		out.Format = Table
	}
	if out.Format != Table && out.Format != JSON && out.Format != CSV {
		return out, fmt.Errorf("statuscli: format %q: want table, json or csv", out.Format)
	}
	if out.Interval <= 0 {
		out.Interval = DefaultInterval
	}
	if out.MaxPolls <= 0 {
		out.MaxPolls = DefaultMaxPolls
	}
	if out.Location == nil {
		out.Location = time.Local
	}
	return out, nil
}

// Run prints the status of traceID to w: the summary (Done | Trace ID |
// Status | Event status | Error(s)) or, with History, every event. An
// unknown trace gives an error matching status.ErrNotFound (with History:
// the "No history found" message and ErrNoEvents).
func Run(ctx context.Context, w io.Writer, src Source, traceID string, opts *Options) error {
	o, err := opts.withDefaults()
	if err != nil {
		return err
	}
	var evs []status.Event
	if o.Watch {
		evs, err = watch(ctx, w, src, traceID, &o)
	} else {
		evs, err = src.Events(ctx, traceID)
	}
	if err != nil {
		if o.History && errors.Is(err, status.ErrNotFound) {
			if perr := printNoHistory(w, o.Format); perr != nil {
				return perr
			}
			return ErrNoEvents
		}
		return err
	}
	if o.History {
		return printHistory(w, traceID, evs, &o)
	}
	return printSummary(w, summarize(evs), &o)
}

// watch polls until the trace is done or MaxPolls is reached. In table
// format it prints "Waiting for processing to finish" and a dot per poll.
func watch(ctx context.Context, w io.Writer, src Source, traceID string, o *Options) ([]status.Event, error) {
	waiting := false
	defer func() {
		if waiting {
			_, _ = fmt.Fprintln(w)
		}
	}()
	for poll := 1; ; poll++ {
		evs, err := src.Events(ctx, traceID)
		if err != nil {
			return nil, err
		}
		if status.Summarize(evs).Done || poll >= o.MaxPolls {
			return evs, nil
		}
		if o.Format == Table {
			if !waiting {
				_, _ = fmt.Fprint(w, "Waiting for processing to finish")
				waiting = true
			}
			_, _ = fmt.Fprint(w, ".")
		}
		t := time.NewTimer(o.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}
