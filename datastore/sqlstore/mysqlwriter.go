package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/jmoiron/sqlx"
)

// mysqlWriter writes with LOAD DATA LOCAL INFILE (large writes of appends
// and replaces; see mysqlload.go) or multi-row INSERTs in a transaction. MySQL DDL
// commits implicitly, so a replace creates a real staging table first, under
// a named lock (GET_LOCK) that serialises replaces of the same table and
// makes it safe to drop staging tables left by killed loads; the swap is one
// atomic RENAME TABLE (views resolve by name and stay valid), or, when
// triggers or foreign keys hang on the target, delete + insert-from-staging
// in one transaction.
type mysqlWriter struct {
	d       mysqlDialect
	req     *driver.WriteRequest
	conn    *sqlx.Conn
	tx      *sqlx.Tx
	in      *inserter
	load    *mysqlLoad // LOAD DATA for large writes (nil for upserts)
	lock    string
	staging string
	done    bool
	maxRow  *atomic.Int64 // the store's cached row limit (see mysqlMaxRow)
}

func (d mysqlDialect) openWriter(ctx context.Context, s *sqlDriver, req *driver.WriteRequest) (driver.Writer, error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	w := &mysqlWriter{d: d, req: req, conn: conn, maxRow: &s.maxRow}
	if err := w.setup(ctx); err != nil {
		return nil, errors.Join(err, w.Abort())
	}
	return w, nil
}

// setup takes the lock and creates the staging table (replace), then
// begins the transaction.
func (w *mysqlWriter) setup(ctx context.Context) error {
	into, suffix := w.req.Table, ""
	switch w.req.Mode {
	case driver.Replace:
		if err := w.takeLock(ctx); err != nil {
			return err
		}
		if err := dropStale(ctx, w.conn, w.d, w.req.Table); err != nil {
			return err
		}
		w.staging = stagingName(w.req.Table)
		if err := createTable(ctx, w.conn, w.d, w.staging, w.req.TableSchema); err != nil {
			return err
		}
		into = w.staging
	case driver.Upsert:
		suffix = mysqlUpsert(w.d, w.req)
	}
	tx, err := w.conn.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	w.tx = tx
	w.in = newInserter(tx.Tx, w.d, w.d.table(into), w.req.Columns, suffix, mysqlRowsPerStmt, mysqlMaxParams, true)
	w.in.maxBytes = mysqlMaxStmtBytes
	if w.in.maxRow, err = mysqlMaxRow(ctx, tx, w.maxRow); err != nil {
		return err
	}
	w.in.check = mysqlCheckValue
	if w.req.Mode != driver.Upsert {
		w.load = newMySQLLoad(w.d, w.d.table(into), w.req.Columns, w.in.maxRow)
	}
	return nil
}

// takeLock acquires the replace lock of the target (per database).
func (w *mysqlWriter) takeLock(ctx context.Context) error {
	var db string
	if err := w.conn.GetContext(ctx, &db, "SELECT DATABASE()"); err != nil {
		return err
	}
	h := fnv.New64a()
	h.Write([]byte(db + "\x00" + w.req.Table))
	name := fmt.Sprintf("datafactory.replace.%016x", h.Sum64())
	var got *int
	if err := w.conn.GetContext(ctx, &got, "SELECT GET_LOCK(?, 0)", name); err != nil {
		return err
	}
	if got != nil && *got == 0 { // another replace of the table holds it
		if waiting := driver.Waiting(ctx, w.req.Table); waiting != nil {
			waiting()
		}
		if err := w.conn.GetContext(ctx, &got, "SELECT GET_LOCK(?, ?)", name, 86400); err != nil {
			return err
		}
	}
	if got == nil || *got != 1 {
		return fmt.Errorf("could not take the replace lock of %s", w.req.Table)
	}
	w.lock = name
	return nil
}

// mysqlUpsert is the ON DUPLICATE KEY UPDATE clause.
func mysqlUpsert(d dialect, req *driver.WriteRequest) string {
	var sets []string
	for _, f := range req.Columns {
		if !contains(req.Key, f.Name) {
			sets = append(sets, d.quote(f.Name)+" = VALUES("+d.quote(f.Name)+")")
		}
	}
	if len(sets) == 0 {
		k := d.quote(req.Key[0])
		sets = append(sets, k+" = "+k)
	}
	return " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
}

// mysqlCoalesceRows is how many rows the loader may join into one Write
// when batches are waiting for a LOAD DATA writer (driver.Coalescer): the
// server is the slower side of a MariaDB load, so batches wait, and fewer,
// longer LOAD DATA statements (each with its savepoint and warning check)
// load faster.
const mysqlCoalesceRows = 50_000

// CoalesceRows implements driver.Coalescer for appends and replaces (LOAD
// DATA); an upsert's INSERT statements keep the batches as they come.
func (w *mysqlWriter) CoalesceRows() int {
	if w.load == nil {
		return 0
	}
	return mysqlCoalesceRows
}

// Write loads rows with LOAD DATA when there are enough of them and the
// server takes them whole, else with INSERTs (mysqlload.go).
func (w *mysqlWriter) Write(ctx context.Context, rows []frictionless.Row) error {
	if w.load != nil && len(rows) >= minLoadRows {
		ok, err := w.load.write(ctx, w.tx.Tx, rows)
		if err != nil || ok {
			return err
		}
	}
	return w.in.write(ctx, rows)
}

func (w *mysqlWriter) Commit(ctx context.Context) error {
	w.in.close()
	if err := w.tx.Commit(); err != nil {
		return err
	}
	w.tx = nil
	if w.staging != "" {
		if err := w.swap(ctx); err != nil {
			return fmt.Errorf("swap: %w", err)
		}
		w.staging = ""
	}
	return w.Abort() // releases the lock and the connection
}

// swap puts the staging table in place of the target.
func (w *mysqlWriter) swap(ctx context.Context) error {
	if w.req.SwapTimeout > 0 {
		secs := int64(math.Ceil(w.req.SwapTimeout.Seconds()))
		if _, err := w.conn.ExecContext(ctx, "SET SESSION lock_wait_timeout = "+strconv.FormatInt(secs, 10)); err != nil {
			return err
		}
	}
	exists, err := w.d.tableExists(ctx, w.conn, w.req.Table)
	if err != nil {
		return err
	}
	t, stg := w.d.table(w.req.Table), w.d.table(w.staging)
	if !exists {
		_, err := w.conn.ExecContext(ctx, "RENAME TABLE "+stg+" TO "+t)
		return err
	}
	deps, err := w.d.dependents(ctx, w.conn, w.req.Table, w.staging)
	if err != nil {
		return err
	}
	if deps {
		return w.insertFromStaging(ctx)
	}
	old := w.d.table(stagingName(w.req.Table))
	if _, err := w.conn.ExecContext(ctx, "RENAME TABLE "+t+" TO "+old+", "+stg+" TO "+t); err != nil {
		return err
	}
	// The swap is done. The old table carries the staging prefix: should
	// this best-effort drop fail, the next replace of the table drops it.
	_, _ = w.conn.ExecContext(ctx, "DROP TABLE "+old)
	return nil
}

// insertFromStaging replaces the target's rows in one transaction.
func (w *mysqlWriter) insertFromStaging(ctx context.Context) error {
	tx, err := w.conn.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	for _, stmt := range swapStatements(w.d, w.req.Table, w.staging, true, true, w.req.Columns)[:2] {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return errors.Join(err, tx.Rollback())
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// Best effort: a staging table left here is dropped by the next replace.
	_, _ = w.conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+w.d.table(w.staging))
	return nil
}

// Abort rolls back, drops the staging table and releases the lock and the
// connection. It is also the tail of a successful Commit.
func (w *mysqlWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if w.in != nil {
		w.in.close()
	}
	if w.tx != nil {
		errs = append(errs, ignoreDone(w.tx.Rollback()))
	}
	if w.staging != "" {
		_, err := w.conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+w.d.table(w.staging))
		errs = append(errs, err)
	}
	if w.req.SwapTimeout > 0 {
		_, err := w.conn.ExecContext(ctx, "SET SESSION lock_wait_timeout = DEFAULT")
		errs = append(errs, err)
	}
	if w.lock != "" {
		_, err := w.conn.ExecContext(ctx, "DO RELEASE_LOCK(?)", w.lock)
		errs = append(errs, err)
	}
	errs = append(errs, w.conn.Close())
	err := errors.Join(errs...)
	if err != nil && isConnGone(err) {
		return nil // the server dropped the session: lock and transaction are gone
	}
	return err
}

// mysqlMaxRow is the most bytes of values one row may hold: the server's
// max_allowed_packet less room for the statement and the protocol. It is
// asked once per store and kept in cache (a session takes the global value
// when it connects), so an ingest request does not pay a round trip for it.
func mysqlMaxRow(ctx context.Context, q sqlx.QueryerContext, cache *atomic.Int64) (int, error) {
	if n := cache.Load(); n > 0 {
		return int(n), nil
	}
	var packet int
	if err := sqlx.GetContext(ctx, q, &packet, "SELECT @@max_allowed_packet"); err != nil {
		return 0, fmt.Errorf("max_allowed_packet: %w", err)
	}
	n := max(packet-64<<10, 1<<10)
	cache.Store(int64(n))
	return n, nil
}
