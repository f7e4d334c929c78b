package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgReadRows is ReadRows on a PostgreSQL connection through pgx's protocol
// layer instead of database/sql: one prepared SELECT whose fixed-size
// columns (integers, floats, booleans, dates, timestamps) come back in
// binary and are decoded here when the field's type is their natural one,
// and every other column as text, decoded as database/sql's would be. It
// skips two layers of per-value conversion and boxing; the values are the
// same. It is pgReadValues into a row.
func pgReadRows(ctx context.Context, conn *sql.Conn, d dialect, table string, schema *frictionless.Schema, fn func(frictionless.Row) error) error {
	return pgReadValues(ctx, conn, d, table, schema, driver.NewRowSink(len(schema.Fields), fn))
}

// pgReadValues reads the table's rows into sink, each value unboxed. A
// panic of sink reaches the caller (see withPgx).
func pgReadValues(ctx context.Context, conn *sql.Conn, d dialect, table string, schema *frictionless.Schema, sink driver.ValueSink) error {
	query := selectAll(d, table, schema)
	return withPgx(conn, func(pc *pgx.Conn) error { return pgRead(ctx, pc.PgConn(), query, schema, sink) })
}

// pgRead runs query and hands each decoded row to sink (see pgStream).
func pgRead(ctx context.Context, pc *pgconn.PgConn, query string, schema *frictionless.Schema, sink driver.ValueSink) error {
	dec, err := pgPrepare(ctx, pc, query, schema)
	if err != nil {
		return err
	}
	return pgStream(ctx, pc, dec, -1, sink)
}

// pgPrepare prepares query as the unnamed statement and returns the
// decoder of its rows into schema's fields.
func pgPrepare(ctx context.Context, pc *pgconn.PgConn, query string, schema *frictionless.Schema) (*pgRowDecoder, error) {
	sd, err := pc.Prepare(ctx, "", query, nil)
	if err != nil {
		return nil, err
	}
	if len(sd.Fields) != len(schema.Fields) {
		return nil, fmt.Errorf("query returns %d columns, the schema has %d fields", len(sd.Fields), len(schema.Fields))
	}
	return newPgRowDecoder(sd.Fields, schema.Fields), nil
}

// pgStream runs the prepared statement and hands each row, decoded by dec,
// to sink; key is pgReceive's. Receiving and decoding run on two
// goroutines: one copies the raw values of batches of rows out of the
// connection, the caller's decodes them into sink. When sink fails the
// query is cancelled rather than drained (the connection is then closed).
func pgStream(ctx context.Context, pc *pgconn.PgConn, dec *pgRowDecoder, key int, sink driver.ValueSink) error {
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const queued = 4
	full, free := make(chan *rawBatch, queued), make(chan *rawBatch, queued+2)
	recvErr := make(chan error, 1)
	go func() { recvErr <- pgReceive(qctx, pc, dec.formats, key, full, free) }()
	finished := false
	defer func() {
		if !finished { // sink panicked: the receiver ends before the connection is let go
			cancel()
			for range full {
			}
			<-recvErr
		}
	}()
	var err error
	for b := range full {
		if err == nil {
			if err = dec.decodeBatch(b, sink); err != nil {
				cancel()
			}
		}
		b.data, b.lens, b.rows = b.data[:0], b.lens[:0], 0
		select {
		case free <- b:
		default:
		}
	}
	rerr := <-recvErr
	finished = true
	if err != nil {
		return err
	}
	return rerr
}

// rawBatchRows is the number of rows the receiver copies into one batch.
const rawBatchRows = 256

// rawBatch holds the raw values of up to rawBatchRows rows, copied out of
// the connection's buffer: data holds them back to back and lens their
// lengths (-1: NULL), row by row.
type rawBatch struct {
	data []byte
	lens []int32
	rows int
}

// pgReceive runs the prepared statement and sends its rows in batches on
// full, taking empty batches from free; it closes full when done. key, when
// not -1, is a column of binary integers (see orderedBinary) that must rise
// from row to row: at the first row whose key does not rise it stops
// sending and returns driver.ErrNotInKeyOrder, after draining the rest of
// the result without cancelling the query, so the connection and its
// transaction stay usable.
func pgReceive(ctx context.Context, pc *pgconn.PgConn, formats []int16, key int, full chan<- *rawBatch, free <-chan *rawBatch) error {
	defer close(full)
	next := func() *rawBatch {
		select {
		case b := <-free:
			return b
		default:
			return &rawBatch{}
		}
	}
	send := func(b *rawBatch) error {
		select {
		case full <- b:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	rr := pc.ExecPrepared(ctx, "", nil, nil, formats)
	var order keyOrder
	b := next()
	var err error
	for err == nil && rr.NextRow() {
		vals := rr.Values()
		if key >= 0 && !order.rises(vals[key]) {
			err = driver.ErrNotInKeyOrder
			break
		}
		for _, v := range vals {
			if v == nil {
				b.lens = append(b.lens, -1)
				continue
			}
			b.lens = append(b.lens, int32(len(v)))
			b.data = append(b.data, v...)
		}
		if b.rows++; b.rows == rawBatchRows {
			err = send(b)
			b = next()
		}
	}
	if err == nil && b.rows > 0 {
		err = send(b)
	}
	_, cerr := rr.Close()
	if err != nil {
		return err
	}
	return cerr
}

// keyOrder follows the keys of the rows read, to tell whether each rises.
type keyOrder struct {
	last int64
	seen bool
}

// rises reports whether v, a binary big-endian signed integer of 2, 4 or
// 8 bytes, is greater than the key before it; a NULL or a value of
// another length never is.
func (k *keyOrder) rises(v []byte) bool {
	var n int64
	switch len(v) {
	case 2:
		n = int64(int16(binary.BigEndian.Uint16(v)))
	case 4:
		n = int64(int32(binary.BigEndian.Uint32(v)))
	case 8:
		n = int64(binary.BigEndian.Uint64(v))
	default:
		return false
	}
	if k.seen && n <= k.last {
		return false
	}
	k.last, k.seen = n, true
	return true
}

// pgRowDecoder turns the raw values of rows into Go values.
type pgRowDecoder struct {
	fields  []frictionless.Field
	bin     []pgDecoder // per column: the binary decoder, or nil for text
	str     []bool      // per text column: the field's value is the text itself
	formats []int16     // per column: the result format asked of the server
	oids    []uint32    // per column: its type
	parsed  bool        // some text column's value is parsed from its text
}

func newPgRowDecoder(cols []pgconn.FieldDescription, fields []frictionless.Field) *pgRowDecoder {
	d := &pgRowDecoder{fields: fields, bin: make([]pgDecoder, len(cols)), str: make([]bool, len(cols)),
		formats: make([]int16, len(cols)), oids: make([]uint32, len(cols))}
	for i := range cols {
		d.oids[i] = cols[i].DataTypeOID
		if d.bin[i] = pgBinaryDecoder(cols[i].DataTypeOID, &fields[i]); d.bin[i] != nil {
			d.formats[i] = pgBinary
		}
		d.str[i] = textIsValue(&fields[i])
		d.parsed = d.parsed || d.bin[i] == nil && !d.str[i]
	}
	return d
}

// decodeBatch hands each row of b to sink. The batch's bytes are converted
// to one string, which the text values of all its rows share: one
// allocation per batch, not one per value (a value kept after the call
// keeps its batch's string alive). A [driver.BytesSink] gets its text
// values as bytes instead, and the string is made only when a column's
// value is parsed from text.
func (d *pgRowDecoder) decodeBatch(b *rawBatch, sink driver.ValueSink) error {
	bs, _ := sink.(driver.BytesSink)
	var text string
	if bs == nil || d.parsed {
		text = string(b.data)
	}
	off, lens, width := 0, b.lens, len(d.fields)
	for range b.rows {
		for i := range width {
			n := int(lens[i])
			var err error
			switch {
			case n < 0:
				sink.Null(i)
			case d.bin[i] != nil:
				err = d.bin[i](b.data[off:off+n], i, sink)
			case d.str[i] && bs != nil:
				bs.TextBytes(i, b.data[off:off+n])
			case d.str[i]:
				sink.Text(i, text[off:off+n])
			default:
				var v any
				if v, err = decodeText(&d.fields[i], text[off:off+n]); err == nil {
					sink.Value(i, v)
				}
			}
			if err != nil {
				return fmt.Errorf("column %q: %w", d.fields[i].Name, err)
			}
			off += max(n, 0)
		}
		lens = lens[width:]
		if err := sink.EndRow(); err != nil {
			return err
		}
	}
	return nil
}

// pgDecoder decodes one non-NULL binary value of column col into sink.
type pgDecoder func(b []byte, col int, sink driver.ValueSink) error

// pgBinary is the binary result format of the extended protocol (text is 0).
const pgBinary = 1

// pgBinaryDecoder returns the binary decoder of a column of type oid read
// into field f, or nil when the column is read as text.
func pgBinaryDecoder(oid uint32, f *frictionless.Field) pgDecoder {
	integer := f.Type == frictionless.TypeInteger || f.Type == frictionless.TypeYear
	switch {
	case integer && (oid == pgtype.Int2OID || oid == pgtype.Int4OID || oid == pgtype.Int8OID):
		return pgInt
	case f.Type == frictionless.TypeNumber && f.Precision == 0 && (oid == pgtype.Float4OID || oid == pgtype.Float8OID):
		return pgFloat
	case f.Type == frictionless.TypeBoolean && oid == pgtype.BoolOID:
		return pgBool
	case f.Type == frictionless.TypeDate && oid == pgtype.DateOID:
		return pgDate
	case f.Type == frictionless.TypeDateTime && oid == pgtype.TimestamptzOID:
		return pgTimestamptz
	case f.Type == frictionless.TypeDateTime && oid == pgtype.TimestampOID:
		return pgTimestamp
	}
	return nil
}

var errPgLength = errors.New("binary value has the wrong length")

func pgInt(b []byte, col int, sink driver.ValueSink) error {
	switch len(b) {
	case 2:
		sink.Int(col, int64(int16(binary.BigEndian.Uint16(b))))
	case 4:
		sink.Int(col, int64(int32(binary.BigEndian.Uint32(b))))
	case 8:
		sink.Int(col, int64(binary.BigEndian.Uint64(b)))
	default:
		return errPgLength
	}
	return nil
}

func pgFloat(b []byte, col int, sink driver.ValueSink) error {
	switch len(b) {
	case 4:
		sink.Float(col, float64(math.Float32frombits(binary.BigEndian.Uint32(b))))
	case 8:
		sink.Float(col, math.Float64frombits(binary.BigEndian.Uint64(b)))
	default:
		return errPgLength
	}
	return nil
}

func pgBool(b []byte, col int, sink driver.ValueSink) error {
	if len(b) != 1 {
		return errPgLength
	}
	sink.Bool(col, b[0] != 0)
	return nil
}

// pgEpochUnix is PostgreSQL's time origin, 2000-01-01 UTC, in Unix seconds.
const pgEpochUnix = 946684800

func pgDate(b []byte, col int, sink driver.ValueSink) error {
	if len(b) != 4 {
		return errPgLength
	}
	days := int32(binary.BigEndian.Uint32(b))
	if days == math.MaxInt32 || days == math.MinInt32 {
		return errors.New("infinite date")
	}
	sink.Time(col, time.Unix(pgEpochUnix+int64(days)*86400, 0).UTC())
	return nil
}

// pgMicros decodes a timestamp's microseconds since 2000-01-01.
func pgMicros(b []byte) (sec, nsec int64, err error) {
	if len(b) != 8 {
		return 0, 0, errPgLength
	}
	us := int64(binary.BigEndian.Uint64(b))
	if us == math.MaxInt64 || us == math.MinInt64 {
		return 0, 0, errors.New("infinite timestamp")
	}
	// time.Unix normalises a negative nsec (times before 2000).
	return pgEpochUnix + us/1e6, us % 1e6 * 1000, nil
}

// pgTimestamptz gives the instant in the local time zone, as pgx does.
func pgTimestamptz(b []byte, col int, sink driver.ValueSink) error {
	sec, nsec, err := pgMicros(b)
	if err != nil {
		return err
	}
	sink.Time(col, time.Unix(sec, nsec))
	return nil
}

// pgTimestamp gives a timestamp without time zone as UTC, as pgx does.
func pgTimestamp(b []byte, col int, sink driver.ValueSink) error {
	sec, nsec, err := pgMicros(b)
	if err != nil {
		return err
	}
	sink.Time(col, time.Unix(sec, nsec).UTC())
	return nil
}
