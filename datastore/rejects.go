package datastore

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
)

// Reject stages: where a row was refused.
const (
	StageValidation = "validation" // the row failed the Table Schema
	StageDatabase   = "database"   // the database refused the row
)

// Reject is one row that was not written.
type Reject struct {
	// Row is the 1-based data row number in the source.
	Row int
	// Line is the physical line where the row starts (0 when unknown, e.g.
	// for rows the database refused).
	Line int
	// Field names the failing field ("" for row-level problems).
	Field string
	// Value is the raw text of that field.
	Value string
	// Reason says what is wrong.
	Reason string
	// Raw holds the row's cells as text.
	Raw []string
	// Stage is StageValidation or StageDatabase.
	Stage string
}

// RejectSink receives the rows a load rejects. Load calls WriteRejects from
// one goroutine as rejects occur, and Flush once: before it commits (a
// Flush error then fails the load, which commits nothing), or after it has
// aborted. A sink error fails the load.
type RejectSink interface {
	WriteRejects(ctx context.Context, rejects []Reject) error
	Flush(ctx context.Context) error
}

// rejectHeader is the column layout of CSV and table sinks.
var rejectHeader = []string{"row", "line", "field", "value", "reason", "raw", "stage"}

// rejectRecord renders a reject as rejectHeader cells; raw is a JSON array.
// Texts go through storable, so every database can hold them.
func rejectRecord(r *Reject) []string {
	cells := make([]string, len(r.Raw))
	for i, c := range r.Raw {
		cells[i] = storable(c)
	}
	raw, _ := json.Marshal(cells) // a []string always marshals
	return []string{strconv.Itoa(r.Row), strconv.Itoa(r.Line), storable(r.Field), storable(r.Value), storable(r.Reason), string(raw), r.Stage}
}

// storable returns s unchanged when it is valid UTF-8 without NUL bytes,
// and otherwise s quoted as a Go string literal (strconv.Quote: "a\x00b",
// "\xff"), which keeps every byte in text any database stores.
func storable(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strconv.Quote(s)
}

// CSVRejects writes rejects as CSV with the header
// row,line,field,value,reason,raw,stage (raw is a JSON array of the cells).
type CSVRejects struct {
	w      *csv.Writer
	header bool
}

// NewCSVRejects returns a sink writing CSV to w. The caller closes w after
// the load.
func NewCSVRejects(w io.Writer) *CSVRejects {
	return &CSVRejects{w: csv.NewWriter(w)}
}

// WriteRejects writes one CSV record per reject.
func (c *CSVRejects) WriteRejects(_ context.Context, rejects []Reject) error {
	if !c.header {
		c.header = true
		if err := c.w.Write(rejectHeader); err != nil {
			return fmt.Errorf("rejects csv: %w", err)
		}
	}
	for i := range rejects {
		if err := c.w.Write(rejectRecord(&rejects[i])); err != nil {
			return fmt.Errorf("rejects csv: %w", err)
		}
	}
	return nil
}

// Flush writes buffered records to the underlying writer.
func (c *CSVRejects) Flush(context.Context) error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("rejects csv: %w", err)
	}
	return nil
}

// RejectsTableName returns the name of a table's rejects table.
func RejectsTableName(table string) string { return table + "__rejects" }

// rejectsSchema is the layout of a <table>__rejects table.
func rejectsSchema() *frictionless.Schema {
	str := func(n string) frictionless.Field { return frictionless.Field{Name: n, Type: frictionless.TypeString} }
	return &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "rejected_at", Type: frictionless.TypeDateTime},
		{Name: "row", Type: frictionless.TypeInteger},
		{Name: "line", Type: frictionless.TypeInteger},
		str("field"), str("value"), str("reason"), str("raw"), str("stage"),
	}}
}

// TableRejects stores rejects in the table `<table>__rejects` of a store
// (created when missing, also by concurrent sinks) with the columns
// rejected_at, row, line, field, value, reason, raw (a JSON array) and
// stage. A text holding a NUL byte or invalid UTF-8 is stored Go-quoted
// (strconv.Quote), so every byte is kept and every database takes it. Rejects are spooled to a
// temporary file during the load and written in one transaction by Flush,
// so the load's own transaction is never competed with and memory stays
// flat. The rows are kept even when the load fails.
type TableRejects struct {
	store *Store
	table string
	at    time.Time
	spool *os.File
	w     *csv.Writer
}

// NewTableRejects returns a sink for the rejects of loads into table.
func NewTableRejects(s *Store, table string) *TableRejects {
	return &TableRejects{store: s, table: RejectsTableName(table)}
}

// WriteRejects spools rejects to a temporary file.
func (t *TableRejects) WriteRejects(_ context.Context, rejects []Reject) error {
	if t.spool == nil {
		f, err := os.CreateTemp("", "datastore-rejects-*.csv")
		if err != nil {
			return fmt.Errorf("rejects spool: %w", err)
		}
		t.spool, t.w, t.at = f, csv.NewWriter(f), time.Now().UTC()
	}
	for i := range rejects {
		if err := t.w.Write(rejectRecord(&rejects[i])); err != nil {
			return fmt.Errorf("rejects spool: %w", err)
		}
	}
	return nil
}

// Flush writes the spooled rejects to the rejects table and removes the
// spool file.
func (t *TableRejects) Flush(ctx context.Context) (err error) {
	if t.spool == nil {
		return nil
	}
	defer func() {
		cerr := t.spool.Close()
		rerr := os.Remove(t.spool.Name())
		t.spool, t.w = nil, nil
		err = errors.Join(err, cerr, rerr)
	}()
	t.w.Flush()
	if err := t.w.Error(); err != nil {
		return fmt.Errorf("rejects spool: %w", err)
	}
	if _, err := t.spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rejects spool: %w", err)
	}
	return t.store.wrap("write rejects", t.table, t.copy(ctx, csv.NewReader(t.spool)))
}

// writesInto reports whether the sink writes into s.
func (t *TableRejects) writesInto(s *Store) bool { return t.store == s }

// copy writes the spooled records into the rejects table in one session.
func (t *TableRejects) copy(ctx context.Context, r *csv.Reader) error {
	drv := t.store.drv
	schema := rejectsSchema()
	ok, err := drv.TableExists(ctx, t.table)
	if err != nil {
		return err
	}
	if !ok {
		if err := drv.CreateTable(ctx, t.table, schema); err != nil {
			// Concurrent loads and ingest requests race to create the
			// table; PostgreSQL reports the loser as a duplicate key in its
			// catalog, not as "already exists": look again.
			if ok, xerr := drv.TableExists(ctx, t.table); xerr != nil || !ok {
				return err
			}
		}
	}
	w, err := drv.OpenWriter(ctx, &driver.WriteRequest{Table: t.table, Columns: schema.Fields, Mode: driver.Append})
	if err != nil {
		return err
	}
	defer w.Abort()
	const chunk = 1000
	rows := make([]frictionless.Row, 0, chunk)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("rejects spool: %w", err)
		}
		row, _ := strconv.ParseInt(rec[0], 10, 64)
		line, _ := strconv.ParseInt(rec[1], 10, 64)
		rows = append(rows, frictionless.Row{t.at, row, line, rec[2], rec[3], rec[4], rec[5], rec[6]})
		if len(rows) == chunk {
			if err := writeRejectRows(ctx, w, rows); err != nil {
				return err
			}
			rows = rows[:0]
		}
	}
	if len(rows) > 0 {
		if err := writeRejectRows(ctx, w, rows); err != nil {
			return err
		}
	}
	return w.Commit(ctx)
}

// writeRejectRows writes rows of the rejects table. A row the database
// cannot hold as it is (a [driver.ValueError]: a value longer than MySQL's
// max_allowed_packet) is written again with its long texts cut, so the
// reject is kept; the cut says how long the text was.
func writeRejectRows(ctx context.Context, w driver.Writer, rows []frictionless.Row) error {
	err := w.Write(ctx, rows)
	var ve *driver.ValueError
	if err == nil || !errors.As(err, &ve) {
		return err
	}
	for _, row := range rows {
		err := w.Write(ctx, []frictionless.Row{row})
		if errors.As(err, &ve) {
			err = w.Write(ctx, []frictionless.Row{cutReject(row)})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// rejectCellMax is the longest text a cut reject keeps of a cell.
const rejectCellMax = 64 << 10

// cutReject returns a rejects-table row with value, reason and each raw
// cell cut to rejectCellMax bytes.
func cutReject(row frictionless.Row) frictionless.Row {
	out := append(frictionless.Row(nil), row...)
	for _, j := range []int{4, 5} { // value, reason
		out[j] = cutText(out[j].(string))
	}
	var cells []string
	if json.Unmarshal([]byte(out[6].(string)), &cells) == nil {
		for i := range cells {
			cells[i] = cutText(cells[i])
		}
		raw, _ := json.Marshal(cells) // a []string always marshals
		out[6] = string(raw)
	} else {
		out[6] = cutText(out[6].(string))
	}
	return out
}

// cutText keeps the first rejectCellMax bytes of s (whole UTF-8
// characters) and says how long s was.
func cutText(s string) string {
	if len(s) <= rejectCellMax {
		return s
	}
	head := s[:rejectCellMax]
	for len(head) > 0 && !utf8.ValidString(head) {
		head = head[:len(head)-1]
	}
	return head + "…[cut: " + strconv.Itoa(len(s)) + " bytes]"
}

// MultiRejects returns a sink that sends every reject to each of sinks, in
// order; Flush flushes them all.
func MultiRejects(sinks ...RejectSink) RejectSink { return multiSink(sinks) }

// multiSink sends rejects to several sinks.
type multiSink []RejectSink

func (m multiSink) WriteRejects(ctx context.Context, rejects []Reject) error {
	for _, s := range m {
		if err := s.WriteRejects(ctx, rejects); err != nil {
			return err
		}
	}
	return nil
}

// writesInto reports whether one of the sinks writes into s.
func (m multiSink) writesInto(s *Store) bool {
	for _, k := range m {
		if a, ok := k.(interface{ writesInto(*Store) bool }); ok && a.writesInto(s) {
			return true
		}
	}
	return false
}

func (m multiSink) Flush(ctx context.Context) error {
	var errs []error
	for _, s := range m {
		errs = append(errs, s.Flush(ctx))
	}
	return errors.Join(errs...)
}
