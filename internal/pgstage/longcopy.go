package pgstage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A replace on one connection (no Streams) whose staging table cannot
// refuse a row the Copier encodes keeps one COPY statement open across its
// Writes, instead of one COPY under a savepoint per Write. PostgreSQL
// spends milliseconds of server CPU on each COPY statement besides its
// rows, and a load's writer waits for the server at the end of each; one
// COPY for the load removes both (measured on 2 cores: see doc.go).
//
// A Write stays atomic for everything that can refuse a row: a repeated
// key (keyset.go), a NULL in a NOT NULL column (checked here, failing with
// PostgreSQL's own error for it), a string PostgreSQL would not store
// (checked by the Copier) and a value the Copier cannot encode fail the
// Write before any of its bytes are sent, and the caller can isolate the
// row as before. The staging table refuses nothing else when it has no
// constraint but NOT NULL, no default, no trigger, and only built-in
// column types without a modifier whose binary input the Copier checks as
// the server does, in a UTF8 database (streamableQuery). What the server
// may still fail (an I/O error, a cancelled statement) ends the COPY and
// the rows of every earlier Write with it: that error is a *StreamError,
// never a row's, and only Abort is left.

// StreamError is the failure of a COPY kept open across Writes: the rows
// of earlier Writes were lost with it, so the replace cannot go on.
type StreamError struct{ Err error }

// Error describes the failure.
func (e *StreamError) Error() string {
	return "pgstage: the replace's COPY failed: " + e.Err.Error()
}

// Unwrap returns the failure.
func (e *StreamError) Unwrap() error { return e.Err }

// streamableOIDs are the column types whose binary input the Copier
// checks as the server does (numeric only without a typmod).
var streamableOIDs = []uint32{oidBool, oidInt8, oidInt2, oidInt4, oidText, oidFloat4, oidFloat8,
	oidVarchar, oidNumeric, oidDate, oidTime, oidTimestamp, oidTimestamptz}

// streamableQuery reports whether the staging table $1 can refuse only
// what a Write checks before it sends (see above).
const streamableQuery = `SELECT current_setting('server_encoding') = 'UTF8'
	AND NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = $1::regclass AND contype <> 'n')
	AND NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = $1::regclass)
	AND NOT EXISTS (SELECT FROM pg_attrdef WHERE adrelid = $1::regclass)
	AND NOT EXISTS (SELECT FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
		WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
		AND (t.typtype <> 'b' OR a.atttypmod <> -1 OR a.atttypid <> ALL ($2::oid[])))`

// longCopy is the COPY kept open: Writes hand it encoded rows, pgx reads
// them (Read) on its own goroutine and sends them.
type longCopy struct {
	chunks chan []byte   // encoded rows, in order; closed at the end
	free   chan []byte   // buffers sent, for reuse
	stop   chan struct{} // closed by abort: Read fails the COPY
	done   chan struct{} // closed when the COPY statement has returned
	err    error         // its error (set before done closes)
	cancel func()        // cancels the COPY's context (abortLong's last resort)
	cur    []byte        // the buffer Read is sending
	off    int
}

// errCopyAborted is what Read returns once the replace aborts (pgx then
// sends CopyFail).
var errCopyAborted = errors.New("pgstage: replace aborted")

// Read implements io.Reader for pgx's CopyFrom.
func (lc *longCopy) Read(p []byte) (int, error) {
	for lc.off == len(lc.cur) {
		if lc.cur != nil {
			select {
			case lc.free <- lc.cur[:0]:
			default:
			}
			lc.cur = nil
		}
		select {
		case b, ok := <-lc.chunks:
			if !ok {
				return 0, io.EOF
			}
			lc.cur, lc.off = b, 0
		case <-lc.stop:
			return 0, errCopyAborted
		}
	}
	n := copy(p, lc.cur[lc.off:])
	lc.off += n
	return n, nil
}

// buffer returns an empty buffer to encode into.
func (lc *longCopy) buffer() []byte {
	select {
	case b := <-lc.free:
		return b
	default:
		return nil
	}
}

// send hands buf to the COPY; it waits while the COPY still sends the
// previous one. A COPY that has ended fails it.
func (lc *longCopy) send(buf []byte) error {
	select {
	case lc.chunks <- buf:
		return nil
	case <-lc.done:
		return lc.failure()
	}
}

// failure is the error of a COPY that ended before its time.
func (lc *longCopy) failure() error {
	err := lc.err
	if err == nil {
		err = errors.New("the COPY ended early")
	}
	return &StreamError{Err: err}
}

// startLong decides, at the first Write, whether the replace keeps one
// COPY open, and starts it when so.
func (r *Replace) startLong(ctx context.Context) error {
	r.longChecked = true
	if r.parallel || len(r.streams) > 0 {
		return nil
	}
	var ok bool
	err := r.sess(func(c *pgx.Conn) error {
		if err := r.ensureCopier(ctx, c); err != nil {
			return err
		}
		return c.QueryRow(ctx, streamableQuery, r.staging.Sanitize(), streamableOIDs).Scan(&ok)
	})
	if err != nil || !ok {
		return err
	}
	r.notNull = r.notNullFields()
	cctx, cancel := context.WithCancel(ctx)
	lc := &longCopy{chunks: make(chan []byte), free: make(chan []byte, 1), stop: make(chan struct{}), done: make(chan struct{}), cancel: cancel}
	r.long = lc
	r.copier.checkText = true
	go func() {
		lc.err = r.sess(func(c *pgx.Conn) error {
			_, err := c.PgConn().CopyFrom(cctx, lc, r.copier.sql)
			return err
		})
		close(lc.done)
		cancel()
	}()
	return lc.send(append([]byte(nil), copyHeader...))
}

// Streaming reports whether the replace keeps one COPY open across its
// Writes (decided at the first Write).
func (r *Replace) Streaming() bool { return r.long != nil }

// notNullFields returns the indexes, in the rows, of the NOT NULL columns.
func (r *Replace) notNullFields() []int {
	var idx []int
	for i := range r.o.Fields {
		for _, c := range r.o.Columns {
			if c.Name == r.o.Fields[i].Name && c.NotNull {
				idx = append(idx, i)
			}
		}
	}
	return idx
}

// writeLong encodes rows and hands them to the open COPY. It reports
// false, having done nothing, when the rows need the table's primary key
// (keyset.go): the COPY is then ended and the Write goes the usual way.
func (r *Replace) writeLong(rows []frictionless.Row) (bool, error) {
	if r.keys != nil {
		held, err := r.noteKeys(rows)
		if err != nil {
			return true, err
		}
		if !held {
			return false, r.endLong()
		}
	}
	buf, err := r.encodeLong(rows)
	if err != nil {
		if r.keys != nil {
			r.keys.remove(rows)
		}
		return true, err
	}
	return true, r.long.send(buf)
}

// encodeLong checks the NOT NULL columns and encodes rows, sending
// nothing.
func (r *Replace) encodeLong(rows []frictionless.Row) ([]byte, error) {
	buf := r.long.buffer()
	for _, row := range rows {
		for _, j := range r.notNull {
			if row[j] == nil {
				return nil, r.notNullError(r.o.Fields[j].Name)
			}
		}
		var err error
		if buf, err = r.copier.appendRow(buf, row); err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// notNullError is the error PostgreSQL raises for a NULL in column col.
func (r *Replace) notNullError(col string) error {
	return &pgconn.PgError{
		Severity:   "ERROR",
		Code:       "23502",
		Message:    fmt.Sprintf("null value in column %q of relation %q violates not-null constraint", col, r.o.Staging),
		SchemaName: r.schema,
		TableName:  r.o.Staging,
		ColumnName: col,
	}
}

// endLong ends the open COPY (none: nothing to do) and returns its error
// as a *StreamError.
func (r *Replace) endLong() error {
	lc := r.long
	if lc == nil {
		return nil
	}
	r.long = nil
	r.copier.checkText = false
	if err := lc.send(copyTrailer); err != nil {
		return err
	}
	close(lc.chunks)
	<-lc.done
	if lc.err != nil {
		return lc.failure()
	}
	return nil
}

// abortWait is how long abortLong waits for the COPY to end on its own.
var abortWait = cleanupTimeout

// abortLong fails the open COPY, if any, and waits for it to end: pgx
// sends CopyFail when it next reads. A COPY still running after
// abortWait (pgx blocked on a server that does not read) has its
// context cancelled, which interrupts the connection.
func (r *Replace) abortLong() {
	lc := r.long
	if lc == nil {
		return
	}
	r.long = nil
	close(lc.stop)
	select {
	case <-lc.done:
	case <-time.After(abortWait):
		lc.cancel()
		<-lc.done
	}
}
