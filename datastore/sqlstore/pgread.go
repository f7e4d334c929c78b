package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgReadRows is ReadRows on a PostgreSQL connection through pgx's protocol
// layer instead of database/sql: one prepared SELECT whose fixed-size
// columns (integers, floats, booleans, dates, timestamps) come back in
// binary and are decoded here when the field's type is their natural one,
// and every other column as text, decoded as database/sql's would be. It
// skips two layers of per-value conversion and boxing; the values are the
// same.
func pgReadRows(ctx context.Context, conn *sql.Conn, d dialect, table string, schema *frictionless.Schema, fn func(frictionless.Row) error) error {
	query := selectAll(d, table, schema)
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres connection is a %T, not pgx's", dc)
		}
		return pgRead(ctx, sc.Conn().PgConn(), query, schema, fn)
	})
}

// pgRead runs query and calls fn with each decoded row. Receiving and
// decoding run on two goroutines: one copies the raw values of batches of
// rows out of the connection, the caller's decodes them and calls fn.
// When fn fails the query is cancelled rather than drained (the
// connection is then closed).
func pgRead(ctx context.Context, pc *pgconn.PgConn, query string, schema *frictionless.Schema, fn func(frictionless.Row) error) error {
	sd, err := pc.Prepare(ctx, "", query, nil)
	if err != nil {
		return err
	}
	if len(sd.Fields) != len(schema.Fields) {
		return fmt.Errorf("query returns %d columns, the schema has %d fields", len(sd.Fields), len(schema.Fields))
	}
	dec := &pgRowDecoder{fields: schema.Fields, bin: make([]pgDecoder, len(sd.Fields))}
	formats := make([]int16, len(sd.Fields))
	for i := range sd.Fields {
		if dec.bin[i] = pgBinaryDecoder(sd.Fields[i].DataTypeOID, &schema.Fields[i]); dec.bin[i] != nil {
			formats[i] = pgBinary
		}
	}
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const queued = 4
	full, free := make(chan *rawBatch, queued), make(chan *rawBatch, queued+2)
	recvErr := make(chan error, 1)
	go func() { recvErr <- pgReceive(qctx, pc, formats, full, free) }()
	row := make(frictionless.Row, len(sd.Fields))
	for b := range full {
		if err == nil {
			if err = dec.decodeBatch(b, row, fn); err != nil {
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
// full, taking empty batches from free; it closes full when done.
func pgReceive(ctx context.Context, pc *pgconn.PgConn, formats []int16, full chan<- *rawBatch, free <-chan *rawBatch) error {
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
	b := next()
	var err error
	for err == nil && rr.NextRow() {
		for _, v := range rr.Values() {
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

// pgRowDecoder turns the raw values of rows into Go values.
type pgRowDecoder struct {
	fields []frictionless.Field
	bin    []pgDecoder // per column: the binary decoder, or nil for text
}

// decodeBatch calls fn with each row of b. The batch's bytes are converted
// to one string, which the text values of all its rows share: one
// allocation per batch, not one per value (a value kept after the call
// keeps its batch's string alive).
func (d *pgRowDecoder) decodeBatch(b *rawBatch, row frictionless.Row, fn func(frictionless.Row) error) error {
	text := string(b.data)
	off, lens := 0, b.lens
	for range b.rows {
		for i := range row {
			n := int(lens[i])
			var err error
			switch {
			case n < 0:
				row[i] = nil
			case d.bin[i] != nil:
				row[i], err = d.bin[i](b.data[off : off+n])
			default:
				row[i], err = decodeText(&d.fields[i], text[off:off+n])
			}
			if err != nil {
				return fmt.Errorf("column %q: %w", d.fields[i].Name, err)
			}
			off += max(n, 0)
		}
		lens = lens[len(row):]
		if err := fn(row); err != nil {
			return err
		}
	}
	return nil
}

// pgDecoder decodes one non-NULL value.
type pgDecoder func(b []byte) (any, error)

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

func pgInt(b []byte) (any, error) {
	switch len(b) {
	case 2:
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case 4:
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case 8:
		return int64(binary.BigEndian.Uint64(b)), nil
	}
	return nil, errPgLength
}

func pgFloat(b []byte) (any, error) {
	switch len(b) {
	case 4:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case 8:
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	}
	return nil, errPgLength
}

func pgBool(b []byte) (any, error) {
	if len(b) != 1 {
		return nil, errPgLength
	}
	return b[0] != 0, nil
}

// pgEpochUnix is PostgreSQL's time origin, 2000-01-01 UTC, in Unix seconds.
const pgEpochUnix = 946684800

func pgDate(b []byte) (any, error) {
	if len(b) != 4 {
		return nil, errPgLength
	}
	days := int32(binary.BigEndian.Uint32(b))
	if days == math.MaxInt32 || days == math.MinInt32 {
		return nil, errors.New("infinite date")
	}
	return time.Unix(pgEpochUnix+int64(days)*86400, 0).UTC(), nil
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

// pgTimestamptz returns the instant in the local time zone, as pgx does.
func pgTimestamptz(b []byte) (any, error) {
	sec, nsec, err := pgMicros(b)
	if err != nil {
		return nil, err
	}
	return time.Unix(sec, nsec), nil
}

// pgTimestamp returns a timestamp without time zone as UTC, as pgx does.
func pgTimestamp(b []byte) (any, error) {
	sec, nsec, err := pgMicros(b)
	if err != nil {
		return nil, err
	}
	return time.Unix(sec, nsec).UTC(), nil
}
