package datastore

import (
	"context"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
)

// Mode is how Load writes into the table.
type Mode = driver.Mode

// Load modes.
const (
	// ModeAppend inserts the rows; rows whose key exists are rejected.
	ModeAppend = driver.Append
	// ModeUpsert inserts rows and updates those whose primary key exists.
	ModeUpsert = driver.Upsert
	// ModeReplace replaces the table's content atomically.
	ModeReplace = driver.Replace
)

// RowReader is a stream of typed rows: *frictionless.Reader is one. Read
// returns io.EOF at the end, a *RowError for a bad row (the stream goes on)
// and any other error when it cannot go on. A reader that also has
// Stats() frictionless.ReadStats reports bytes read.
type RowReader interface {
	Read() (frictionless.Row, error)
	Schema() *frictionless.Schema
}

// LoadOptions tunes Load. The zero value (or nil) means defaults.
type LoadOptions struct {
	// Mode is append (default), upsert or replace. A missing table is
	// created atomically with its rows in every mode.
	Mode Mode
	// Drift is the schema-drift policy when the table exists and differs
	// from the schema. Default DriftFail.
	Drift DriftPolicy
	// BatchSize is the number of rows written per batch. Default 0: 10000,
	// and a writer that gains from longer writes (PostgreSQL, where each
	// write is a COPY statement) may take the batches that are waiting
	// for it in one write (see driver.Coalescer). A BatchSize set here is
	// the size of every write.
	BatchSize int
	// MaxRejects turns rejects into a failure: 0 (default) allows any number;
	// n > 0 fails the load when more than n rows are rejected; a negative
	// value fails it on the first reject. A failed load writes nothing.
	MaxRejects int
	// Rejects receives every rejected row. Default nil: rejects are counted
	// and the first 100 are kept in the LoadReport.
	Rejects RejectSink
	// Progress, when set, is called with the progress so far, at most once
	// per ProgressInterval and once at the end.
	Progress func(Progress)
	// ProgressInterval is the minimum time between Progress calls. Default
	// 250ms.
	ProgressInterval time.Duration
	// SwapTimeout bounds how long a replace waits for other sessions' locks
	// on the table when swapping (PostgreSQL lock_timeout, MySQL
	// lock_wait_timeout), and so does a PostgreSQL upsert that rewrites the
	// table (see package sqlstore). Default 0: the database's own setting.
	SwapTimeout time.Duration
	// Waiting, when set, is called with the table's name when the load has
	// to wait for another load of the same table (a concurrent replace on
	// PostgreSQL or MariaDB) before it can go on. Default nil.
	Waiting func(table string)
	// CheckUnique keeps LoadResource's reader checking unique and primary-key
	// fields in memory. Default false: the database's constraints enforce
	// them and the rows it refuses are rejected, so memory stays flat.
	CheckUnique bool
	// coalesce is set by withDefaults when BatchSize was left 0.
	coalesce bool
}

// defaultBatchSize is the default LoadOptions.BatchSize.
const defaultBatchSize = 10000

// maxReportRejects is how many rejects a LoadReport keeps.
const maxReportRejects = 100

// withDefaults returns a filled copy of o (which may be nil).
func (o *LoadOptions) withDefaults() LoadOptions {
	var c LoadOptions
	if o != nil {
		c = *o
	}
	if c.BatchSize == 0 {
		c.BatchSize = defaultBatchSize
		c.coalesce = true
	}
	if c.ProgressInterval == 0 {
		c.ProgressInterval = 250 * time.Millisecond
	}
	return c
}

// validate names the first bad field.
func (o *LoadOptions) validate() error {
	switch {
	case o.Mode < driver.Append || o.Mode > driver.Replace:
		return fmt.Errorf("%w: LoadOptions.Mode %d is unknown", ErrInvalidOptions, o.Mode)
	case o.Drift < DriftFail || o.Drift > DriftIgnoreExtra:
		return fmt.Errorf("%w: LoadOptions.Drift %d is unknown", ErrInvalidOptions, o.Drift)
	case o.BatchSize < 0:
		return fmt.Errorf("%w: LoadOptions.BatchSize must not be negative", ErrInvalidOptions)
	case o.SwapTimeout < 0:
		return fmt.Errorf("%w: LoadOptions.SwapTimeout must not be negative", ErrInvalidOptions)
	}
	return nil
}

// Progress is a load's progress so far. Read >= Written + Rejected in every
// call (rows of the batch in hand count as read); the last call, made when
// the load ends, matches the LoadReport, also when the load failed.
type Progress struct {
	Read     int64 // rows read
	Written  int64 // rows written (visible once the load commits)
	Rejected int64 // rows rejected
	Bytes    int64 // source bytes read (0 when the source does not say)
	Elapsed  time.Duration
}

// LoadReport says what a load did. Read = Written + Rejected for every
// load that succeeds. A failed load commits nothing: its report says
// Written = 0, and Read and Rejected say how far it got before failing.
type LoadReport struct {
	Table    string
	Mode     Mode
	Read     int64
	Written  int64
	Rejected int64
	Bytes    int64
	Duration time.Duration
	// RowsPerSecond is Read / Duration.
	RowsPerSecond float64
	// Created is true when the load created the table.
	Created bool
	// AddedColumns lists the columns DriftEvolve added.
	AddedColumns []string
	// Rejects holds the first 100 rejects.
	Rejects []Reject
}

// LoadResource opens a Frictionless resource and loads it with [Load].
func LoadResource(ctx context.Context, s *Store, table string, res *frictionless.Resource, opts *LoadOptions) (*LoadReport, error) {
	o := opts.withDefaults()
	r, err := res.Open(ctx, &frictionless.ReadOptions{SkipUniqueCheck: !o.CheckUnique})
	if err != nil {
		return nil, fmt.Errorf("datastore: load %s: open resource: %w", table, err)
	}
	defer r.Close()
	return Load(ctx, s, table, r, opts)
}

// Load streams rows from src into table: it validates each row (the source
// does, against its schema), writes in batches, keeps rejects and returns a
// report. The load is atomic in every mode: when it fails nothing is written
// (rejects already sent to a sink stay there). In ModeReplace the rows go to
// a staging table that is swapped in at the end; the target is unchanged on
// any failure. The report is returned also on failure, with what was done.
func Load(ctx context.Context, s *Store, table string, src RowReader, opts *LoadOptions) (*LoadReport, error) {
	o := opts.withDefaults()
	rep := &LoadReport{Table: table, Mode: o.Mode}
	if err := o.validate(); err != nil {
		return rep, err
	}
	if err := s.check(); err != nil {
		return rep, err
	}
	if err := s.validateTable(table); err != nil {
		return rep, err
	}
	schema := src.Schema()
	if err := s.validateSchema(schema); err != nil {
		return rep, err
	}
	start := time.Now()
	err := s.load(ctx, table, src, schema, &o, rep)
	rep.Duration = time.Since(start)
	if secs := rep.Duration.Seconds(); secs > 0 {
		rep.RowsPerSecond = float64(rep.Read) / secs
	}
	if err != nil {
		return rep, s.wrap("load", table, err)
	}
	return rep, nil
}

// load plans the write, opens the writer and runs the pipeline.
func (s *Store) load(ctx context.Context, table string, src RowReader, schema *frictionless.Schema, o *LoadOptions, rep *LoadReport) error {
	p, err := s.plan(ctx, table, schema, o.Drift)
	if err != nil {
		return err
	}
	req := &driver.WriteRequest{Table: table, Columns: p.columns, TableSchema: p.table, Key: p.key, Mode: o.Mode, SwapTimeout: o.SwapTimeout}
	if !p.exists {
		req.Mode = driver.Replace
		rep.Created = true
	}
	if req.Mode == driver.Upsert && len(req.Key) == 0 {
		return fmt.Errorf("%w: upsert needs a primary key (the table and the schema have none)", ErrInvalidOptions)
	}
	if len(p.add) > 0 && req.Mode != driver.Replace {
		if err := s.drv.AddColumns(ctx, table, p.add); err != nil {
			return err
		}
	}
	for _, f := range p.add {
		rep.AddedColumns = append(rep.AddedColumns, f.Name)
	}
	if o.Waiting != nil {
		ctx = driver.WithWaiting(ctx, o.Waiting)
	}
	l := &loader{store: s, opts: o, rep: rep, project: p.project, columns: p.columns, start: time.Now()}
	return l.run(ctx, src, req)
}

// plan describes the target (when it exists) and applies the drift policy.
func (s *Store) plan(ctx context.Context, table string, schema *frictionless.Schema, policy DriftPolicy) (*plan, error) {
	ok, err := s.drv.TableExists(ctx, table)
	if err != nil {
		return nil, err
	}
	var target *frictionless.Schema
	if ok {
		if target, err = s.drv.DescribeTable(ctx, table); err != nil {
			return nil, err
		}
	}
	return newPlan(table, schema, target, policy)
}
