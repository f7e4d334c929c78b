package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/jackc/pgx/v5"
	"github.com/jmoiron/sqlx"
)

// pgWriter runs a session in one transaction on one connection and writes
// with COPY (binary). Append copies into the target; upsert stages the rows
// of a plain table and merges or swaps them in at commit (pgupsert.go), and
// for other tables copies each batch into a temporary table and merges it
// with INSERT … ON CONFLICT DO UPDATE; replace is a pgstage.Replace (the
// staging table is created inside the transaction, so a failure, a
// cancelled context or a killed process leaves nothing behind; concurrent
// replaces of a table serialise on its replace lock; the swap is a rename
// (recreating the dependent views when only plain views depend on it), or
// delete + insert-from-staging when other objects depend on the target).
type pgWriter struct {
	d      pgDialect
	req    *driver.WriteRequest
	conn   *sqlx.Conn
	tmp    string
	copyTo pgx.Identifier
	cols   []string
	merge  string
	bc     *pgstage.Copier
	stage  *pgstage.Replace // a replace (nil otherwise)
	up     *pgStaged        // a staged upsert (nil otherwise)
	extra  []*sqlx.Conn     // a parallel replace's extra COPY connections
	done   bool
}

func (d pgDialect) openWriter(ctx context.Context, s *sqlDriver, req *driver.WriteRequest) (driver.Writer, error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	w := &pgWriter{d: d, req: req, conn: conn, cols: fieldNames(req.Columns)}
	if err := w.setup(ctx, s); err != nil {
		return nil, errors.Join(err, w.Abort())
	}
	return w, nil
}

// setup begins the transaction and creates the staging or temporary table.
func (w *pgWriter) setup(ctx context.Context, s *sqlDriver) error {
	if w.req.Mode == driver.Replace {
		o := w.replaceOptions(ctx)
		o.Streams = w.openStreams(ctx, s, &o)
		stage, err := pgstage.Begin(ctx, w.session(), o)
		w.stage = stage
		return err
	}
	if _, err := w.conn.ExecContext(ctx, "BEGIN"); err != nil {
		return err
	}
	w.copyTo = pgx.Identifier{w.d.schema, w.req.Table}
	switch w.req.Mode {
	case driver.Upsert:
		staged, err := w.stageable(ctx)
		if err != nil {
			return err
		}
		if staged {
			return w.setupStaged(ctx)
		}
		w.tmp = "_dfup_" + stagingName(w.req.Table)[7:]
		cols := quoteList(w.d, w.cols)
		stmt := "CREATE TEMPORARY TABLE " + w.d.quote(w.tmp) + " ON COMMIT DROP AS SELECT " + cols + " FROM " + w.d.table(w.req.Table) + " WITH NO DATA"
		if _, err := w.conn.ExecContext(ctx, stmt); err != nil {
			return err
		}
		w.copyTo = pgx.Identifier{w.tmp}
		w.merge = w.mergeStatement(cols)
	}
	return nil
}

// mergeStatement is the INSERT … ON CONFLICT DO UPDATE that merges the
// temporary table into the target. Its plan does not depend on statistics
// (a scan of the temporary table feeding the insert). DELETE … USING +
// INSERT … SELECT, measured too, was two to three times slower: the planner
// may hash-join the whole target for every batch.
func (w *pgWriter) mergeStatement(cols string) string {
	return "INSERT INTO " + w.d.table(w.req.Table) + " (" + cols + ") SELECT " + cols + " FROM " + w.d.quote(w.tmp) + pgConflict(w.d, w.req)
}

// pgConflict is the ON CONFLICT clause of the merge.
func pgConflict(d dialect, req *driver.WriteRequest) string {
	var sets []string
	for _, f := range req.Columns {
		if !contains(req.Key, f.Name) {
			sets = append(sets, d.quote(f.Name)+" = EXCLUDED."+d.quote(f.Name))
		}
	}
	if len(sets) == 0 {
		return " ON CONFLICT (" + quoteList(d, req.Key) + ") DO NOTHING"
	}
	return " ON CONFLICT (" + quoteList(d, req.Key) + ") DO UPDATE SET " + strings.Join(sets, ", ")
}

// pgCoalesceRows is how many rows the loader may join into one Write when
// batches are waiting (driver.Coalescer). Each Write is a COPY statement,
// and PostgreSQL 15 spends about twice the server CPU on 1M rows sent as
// 100 COPYs of 10,000 as on one COPY (psql, binary, measured: 1.0–1.4 s
// against 0.58–0.74 s), so joined batches reach the server in fewer,
// longer COPYs; measured on a 1M-row load into a new table, one stream:
// 1.24–1.31 s instead of 1.39–1.56 s.
const pgCoalesceRows = 50_000

// CoalesceRows implements driver.Coalescer. A replace that keeps one COPY
// open for the load (pgstage) pays no cost per Write, so it joins nothing
// (joined batches would only hold more rows, and their encoding, at once).
func (w *pgWriter) CoalesceRows() int {
	if w.stage != nil && w.stage.Streaming() {
		return 0
	}
	return pgCoalesceRows
}

// Write copies rows under a savepoint (and merges them for upsert).
func (w *pgWriter) Write(ctx context.Context, rows []frictionless.Row) error {
	if w.stage != nil {
		return w.stage.Write(ctx, rows)
	}
	if _, err := w.conn.ExecContext(ctx, "SAVEPOINT df_write"); err != nil {
		return err
	}
	err := w.writeRows(ctx, rows)
	if err != nil {
		if ctx.Err() != nil {
			return err // the connection is being torn down; Abort cleans up
		}
		if _, rerr := w.conn.ExecContext(ctx, "ROLLBACK TO SAVEPOINT df_write"); rerr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rerr))
		}
		return err
	}
	_, err = w.conn.ExecContext(ctx, "RELEASE SAVEPOINT df_write")
	return err
}

// writeRows copies rows (and merges them, for an upsert merged batch by
// batch).
func (w *pgWriter) writeRows(ctx context.Context, rows []frictionless.Row) error {
	if w.up != nil {
		return w.writeStaged(ctx, rows)
	}
	err := w.copyRows(ctx, rows)
	if err != nil || w.tmp == "" {
		return err
	}
	if _, err := w.conn.ExecContext(ctx, w.merge); err != nil {
		return err
	}
	_, err = w.conn.ExecContext(ctx, "TRUNCATE "+w.d.quote(w.tmp))
	return err
}

// copyRows writes rows with one binary COPY on the session's connection.
func (w *pgWriter) copyRows(ctx context.Context, rows []frictionless.Row) error {
	return w.session()(func(pc *pgx.Conn) error {
		if w.bc == nil {
			bc, err := pgstage.NewCopier(ctx, pc, w.copyTo, w.req.Columns)
			if err != nil {
				return err
			}
			w.bc = bc
		}
		return w.bc.Copy(ctx, pc, rows)
	})
}

// Commit swaps the staging table in (replace) and commits.
func (w *pgWriter) Commit(ctx context.Context) error {
	if w.stage != nil {
		if err := w.stage.Commit(ctx); err != nil {
			return err
		}
		w.done = true
		return errors.Join(w.closeStreams(), w.conn.Close())
	}
	if w.up != nil {
		if err := w.commitStaged(ctx); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	w.done = true
	return w.conn.Close()
}

// Abort rolls back; the staging and temporary tables vanish with the
// transaction. A broken connection is discarded by the pool (the server
// rolls back when it goes).
func (w *pgWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	if w.stage != nil {
		// pgstage rolls back and drops a staging table made outside the
		// transaction (parallel streams).
		serr := w.stage.Abort()
		cerr := errors.Join(w.closeStreams(), w.conn.Close())
		if serr != nil && !isConnGone(serr) {
			return errors.Join(serr, cerr)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, rerr := w.conn.ExecContext(ctx, "ROLLBACK")
	cerr := errors.Join(w.closeStreams(), w.conn.Close())
	if rerr != nil && !isConnGone(rerr) {
		return errors.Join(rerr, cerr)
	}
	return nil
}

// isConnGone reports errors of a connection that is already closed.
func isConnGone(err error) bool {
	s := err.Error()
	return strings.Contains(s, "conn closed") || strings.Contains(s, "bad connection") || strings.Contains(s, "connection is already closed")
}
