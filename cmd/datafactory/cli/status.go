package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/spf13/cobra"
)

// statusFlags are the flags of status.
type statusFlags struct {
	store    string
	history  bool
	format   string
	watch    bool
	interval time.Duration
	polls    int
}

func (m *Main) statusCmd() *cobra.Command {
	var f statusFlags
	cmd := &cobra.Command{
		Use:   "status TRACE_ID",
		Short: "Show a trace's status (a run, an upload)",
		Long: `Status prints the summary of a trace: Done | Trace ID | Status | Event status |
Error(s), as okdata's CLI does; --history prints one row per event instead.
--watch polls until the trace is finished.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "table" && f.format != "json" && f.format != "csv" {
				return fmt.Errorf("--format %q: want table, json or csv", f.format)
			}
			st, err := m.openStatus(cmd.Context(), f.store)
			if err != nil {
				return err
			}
			defer st.Close()
			return m.showStatus(cmd.Context(), st, args[0], &f)
		},
	}
	statusFlag(cmd, &f.store)
	fl := cmd.Flags()
	fl.BoolVar(&f.history, "history", false, "print every event of the trace")
	fl.StringVar(&f.format, "format", "table", "output format: table, json or csv")
	fl.BoolVar(&f.watch, "watch", false, "poll until the trace is finished")
	fl.DurationVar(&f.interval, "watch-interval", 2*time.Second, "time between polls with --watch")
	fl.IntVar(&f.polls, "watch-polls", 100, "most polls with --watch")
	return cmd
}

func (m *Main) showStatus(ctx context.Context, st *status.Store, traceID string, f *statusFlags) error {
	if f.watch {
		if err := m.watch(ctx, st, traceID, f); err != nil {
			return err
		}
	}
	events, err := st.Events(ctx, traceID)
	if err != nil {
		return err
	}
	if f.format == "table" {
		fmt.Fprintf(m.Stdout, "Status for: %s\n", traceID)
	}
	if f.history {
		return writeHistory(m.Stdout, events, f.format)
	}
	return writeSummary(m.Stdout, status.Summarize(events), f.format)
}

// watch polls until the trace's latest event is FINISHED.
func (m *Main) watch(ctx context.Context, st *status.Store, traceID string, f *statusFlags) error {
	fmt.Fprint(m.Stderr, "Waiting for processing to finish")
	defer fmt.Fprintln(m.Stderr)
	for i := 0; i < f.polls; i++ {
		sum, err := st.Summary(ctx, traceID)
		if err != nil {
			return err
		}
		if sum.Done {
			return nil
		}
		fmt.Fprint(m.Stderr, ".")
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(f.interval):
		}
	}
	return fmt.Errorf("trace %s not finished after %d polls", traceID, f.polls)
}

var summaryHeader = []string{"Done", "Trace ID", "Status", "Event status", "Error(s)"}

func writeSummary(w io.Writer, s status.Summary, format string) error {
	switch format {
	case "json":
		return json.NewEncoder(w).Encode(s)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"done", "trace_id", "trace_status", "trace_event_status", "errors"})
		_ = cw.Write([]string{fmt.Sprint(s.Done), s.TraceID, string(s.TraceStatus), string(s.TraceEventStatus), strings.Join(s.Errors, ";")})
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(summaryHeader, "\t"))
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", yesNo(s.Done), s.TraceID, orNA(string(s.TraceStatus)),
		orNA(string(s.TraceEventStatus)), listCell(s.Errors))
	return tw.Flush()
}

// historyRow is one event as the okdata CLI's history prints it.
type historyRow struct {
	TraceEventID     string   `json:"trace_event_id"`
	StartTime        string   `json:"start_time"`
	EndTime          string   `json:"end_time"`
	Domain           string   `json:"domain"`
	DomainID         string   `json:"domain_id"`
	Component        string   `json:"component"`
	Operation        string   `json:"operation"`
	TraceStatus      string   `json:"trace_status"`
	TraceEventStatus string   `json:"trace_event_status"`
	Errors           []string `json:"errors"`
}

func historyRows(events []status.Event) []historyRow {
	rows := make([]historyRow, 0, len(events))
	for _, e := range events {
		rows = append(rows, historyRow{
			TraceEventID: e.TraceEventID, StartTime: timeCell(e.StartTime), EndTime: timeCell(e.EndTime),
			Domain: orNA(e.Domain), DomainID: orNA(e.DomainID), Component: orNA(e.Component),
			Operation: orNA(e.Operation), TraceStatus: string(e.TraceStatus),
			TraceEventStatus: string(e.TraceEventStatus), Errors: status.ErrorMessages(e.Errors),
		})
	}
	return rows
}

func writeHistory(w io.Writer, events []status.Event, format string) error {
	rows := historyRows(events)
	if len(rows) == 0 {
		if format == "table" {
			_, err := fmt.Fprintln(w, "No history found for status")
			return err
		}
		_, err := fmt.Fprintln(w, `{"error": 1, "message": "No trace events found"}`)
		return err
	}
	switch format {
	case "json":
		return json.NewEncoder(w).Encode(rows)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"trace_event_id", "start_time", "end_time", "domain", "domain_id", "component", "operation", "trace_status", "trace_event_status", "errors"})
		for _, r := range rows {
			_ = cw.Write([]string{r.TraceEventID, r.StartTime, r.EndTime, r.Domain, r.DomainID, r.Component, r.Operation, r.TraceStatus, r.TraceEventStatus, strings.Join(r.Errors, ";")})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Trace event ID\tStarted\tEnded\tDomain\tDomain ID\tComponent\tOperation\tStatus\tEvent status\tError(s)")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.TraceEventID, r.StartTime, r.EndTime,
			r.Domain, r.DomainID, r.Component, r.Operation, r.TraceStatus, r.TraceEventStatus, listCell(r.Errors))
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func orNA(s string) string {
	if s == "" {
		return "N/A"
	}
	return s
}

func timeCell(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.Local().Format(time.DateTime)
}

// listCell renders a list as okdata does: one element as is, more as "- x"
// items, none as empty.
func listCell(l []string) string {
	switch len(l) {
	case 0:
		return ""
	case 1:
		return l[0]
	}
	return "- " + strings.Join(l, " - ")
}
