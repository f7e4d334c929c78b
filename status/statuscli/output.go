package statuscli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/driver"
)

// column is one output column: its header and its JSON/CSV key.
type column struct{ header, key string }

func summaryColumns() []column {
	return []column{
		{"Done", "done"}, {"Trace ID", "trace_id"}, {"Status", "trace_status"},
		{"Event status", "trace_event_status"}, {"Error(s)", "errors"},
	}
}

func historyColumns() []column {
	return []column{
		{"Trace event ID", "trace_event_id"}, {"Started", "start_time"}, {"Ended", "end_time"},
		{"Domain", "domain"}, {"Domain ID", "domain_id"}, {"Component", "component"},
		{"Operation", "operation"}, {"Status", "trace_status"}, {"Event status", "trace_event_status"},
		{"Error(s)", "errors"},
	}
}

// errorsWidth is where the Error(s) column wraps in tables.
const errorsWidth = 50

// na is printed for missing values.
const na = "N/A"

func printSummary(w io.Writer, s status.Summary, o *Options) error {
	switch o.Format {
	case JSON:
		return writeJSON(w, s)
	case CSV:
		return writeCSV(w, summaryColumns(), [][]any{summaryRow(s)})
	}
	if _, err := fmt.Fprintf(w, "Status for: %s\n", s.TraceID); err != nil {
		return err
	}
	return writeTable(w, summaryColumns(), [][]any{summaryRow(s)}, o.Location)
}

func summaryRow(s status.Summary) []any {
	return []any{s.Done, s.TraceID, string(s.TraceStatus), string(s.TraceEventStatus), s.Errors}
}

func printHistory(w io.Writer, traceID string, evs []status.Event, o *Options) error {
	rows := make([][]any, len(evs))
	for i := range evs {
		ev := &evs[i]
		rows[i] = []any{ev.TraceEventID, ev.StartTime, ev.EndTime, ev.Domain, ev.DomainID, ev.Component,
			ev.Operation, string(ev.TraceStatus), string(ev.TraceEventStatus), eventErrors(ev)}
	}
	switch o.Format {
	case JSON:
		objs := make([]map[string]any, len(rows))
		for i, row := range rows {
			objs[i] = make(map[string]any, len(row))
			for j, c := range historyColumns() {
				objs[i][c.key] = jsonValue(row[j])
			}
		}
		return writeJSON(w, objs)
	case CSV:
		return writeCSV(w, historyColumns(), rows)
	}
	if _, err := fmt.Fprintf(w, "Status for: %s\n", traceID); err != nil {
		return err
	}
	return writeTable(w, historyColumns(), rows, o.Location)
}

func printNoHistory(w io.Writer, f Format) error {
	if f == JSON {
		return writeJSON(w, map[string]any{"error": 1, "message": "No trace events found"})
	}
	_, err := fmt.Fprintln(w, "No history found for status")
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonValue renders a cell for JSON: missing → "N/A", times as ISO 8601.
func jsonValue(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return na
		}
	case time.Time:
		if x.IsZero() {
			return na
		}
		return driver.FormatTime(x)
	}
	return v
}

func writeCSV(w io.Writer, cols []column, rows [][]any) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.key
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = csvValue(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvValue: missing → "N/A", lists joined with ";", times ISO 8601.
func csvValue(v any) string {
	switch x := v.(type) {
	case []string:
		return strings.Join(x, ";")
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(jsonValue(v))
}

// tableCell renders a cell for the table: missing → N/A, bool → Yes/No,
// times in loc to the second, a one-element list → the element, a longer
// one → "- x" lines.
func tableCell(v any, loc *time.Location) string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return na
		}
		return x
	case bool:
		if x {
			return "Yes"
		}
		return "No"
	case time.Time:
		if x.IsZero() {
			return na
		}
		return x.In(loc).Format(time.DateTime)
	case []string:
		if len(x) == 1 {
			return x[0]
		}
		lines := make([]string, len(x))
		for i, s := range x {
			lines[i] = "- " + s
		}
		return strings.Join(lines, "\n")
	}
	return fmt.Sprint(v)
}
