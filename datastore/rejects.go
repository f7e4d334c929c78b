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
	"time"

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
// one goroutine as rejects occur, and Flush once when the load has
// committed or aborted. A sink error fails the load.
type RejectSink interface {
	WriteRejects(ctx context.Context, rejects []Reject) error
	Flush(ctx context.Context) error
}

// rejectHeader is the column layout of CSV and table sinks.
var rejectHeader = []string{"row", "line", "field", "value", "reason", "raw", "stage"}

// rejectRecord renders a reject as rejectHeader cells; raw is a JSON array.
func rejectRecord(r *Reject) []string {
	raw, _ := json.Marshal(r.Raw) // a []string always marshals
	return []string{strconv.Itoa(r.Row), strconv.Itoa(r.Line), r.Field, r.Value, r.Reason, string(raw), r.Stage}
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
// (created when missing) with the columns rejected_at, row, line, field,
// value, reason, raw (a JSON array) and stage. Rejects are spooled to a
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

// copy writes the spooled records into the rejects table in one session.
func (t *TableRejects) copy(ctx context.Context, r *csv.Reader) error {
	drv := t.store.drv
	schema := rejectsSchema()
	ok, err := drv.TableExists(ctx, t.table)
	if err != nil {
		return err
	}
	if !ok {
		if err := drv.CreateTable(ctx, t.table, schema); err != nil && drv.Classify(err).Kind != driver.KindExists {
			return err
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
			if err := w.Write(ctx, rows); err != nil {
				return err
			}
			rows = rows[:0]
		}
	}
	if len(rows) > 0 {
		if err := w.Write(ctx, rows); err != nil {
			return err
		}
	}
	return w.Commit(ctx)
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

func (m multiSink) Flush(ctx context.Context) error {
	var errs []error
	for _, s := range m {
		errs = append(errs, s.Flush(ctx))
	}
	return errors.Join(errs...)
}
