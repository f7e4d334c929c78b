package pgstage

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// PostgreSQL type oids with a fast binary encoder.
const (
	oidBool        = 16
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidFloat4      = 700
	oidFloat8      = 701
	oidVarchar     = 1043
	oidDate        = 1082
	oidTime        = 1083
	oidTimestamp   = 1114
	oidTimestamptz = 1184
)

// pgEpoch is PostgreSQL's binary time origin.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// copyHeader starts a binary COPY stream: signature, flags, extension size.
var copyHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// copyTrailer ends a binary COPY stream: a field count of -1.
var copyTrailer = []byte{0xff, 0xff}

// encoder appends one non-NULL value in binary COPY format (length
// included).
type encoder func(buf []byte, v any) ([]byte, error)

// Copier encodes batches for COPY … FROM STDIN (FORMAT binary) by the
// target columns' actual types: a fast path for the common types, pgx's
// type map for the others (numeric, jsonb, …). A Copier is bound to the
// table and connection it was made for and is used by one goroutine.
type Copier struct {
	sql string
	enc []encoder
	tmp []byte
	// checkText makes the text encoders refuse what PostgreSQL refuses in
	// a UTF8 database (a NUL byte, invalid UTF-8) before it is sent (a
	// COPY kept open: longcopy.go).
	checkText bool
}

// NewCopier looks up the column types of table (a pgx identifier, the
// fields naming its columns in row order) and prepares encoders for them.
func NewCopier(ctx context.Context, pc *pgx.Conn, table pgx.Identifier, fields []frictionless.Field) (*Copier, error) {
	cols := make([]string, len(fields))
	for i := range fields {
		cols[i] = pgx.Identifier{fields[i].Name}.Sanitize()
	}
	list := ""
	for i, c := range cols {
		if i > 0 {
			list += ", "
		}
		list += c
	}
	rows, err := pc.Query(ctx, "SELECT "+list+" FROM "+table.Sanitize()+" WHERE false")
	if err != nil {
		return nil, err
	}
	descs := rows.FieldDescriptions()
	oids := make([]uint32, len(descs))
	for i, d := range descs {
		oids[i] = d.DataTypeOID
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	m := pc.TypeMap()
	bc := &Copier{sql: "COPY " + table.Sanitize() + " (" + list + ") FROM STDIN (FORMAT binary)", enc: make([]encoder, len(fields))}
	for i, oid := range oids {
		bc.enc[i] = pgEncoder(m, oid, &fields[i])
		if oid == oidText || oid == oidVarchar {
			bc.enc[i] = bc.textEncoder(m, oid, &fields[i])
		}
	}
	return bc, nil
}

// copyChunk is how many rows are encoded before they are handed to the
// connection: the server works on one chunk while the next is encoded.
const copyChunk = 1000

// Copy sends rows with one COPY statement, encoding on a second goroutine
// while the connection streams what is already encoded. Rows hold the Go
// types of frictionless rows (a Decimal is sent as numeric, or as float8
// into a double precision column).
func (bc *Copier) Copy(ctx context.Context, pc *pgx.Conn, rows []frictionless.Row) error {
	pr, pw := io.Pipe()
	encErr := make(chan error, 1)
	go func() {
		err := bc.encode(pw, rows)
		pw.CloseWithError(err) // nil: EOF for the reader
		encErr <- err
	}()
	_, err := pc.PgConn().CopyFrom(ctx, pr, bc.sql)
	pr.CloseWithError(io.ErrClosedPipe) // unblock the encoder if COPY stopped early
	if eerr := <-encErr; eerr != nil && eerr != io.ErrClosedPipe {
		return eerr
	}
	return err
}

// encode writes the binary COPY stream of rows to w in chunks.
func (bc *Copier) encode(w io.Writer, rows []frictionless.Row) error {
	buf := append(bc.tmp[:0], copyHeader...)
	for i, row := range rows {
		var err error
		if buf, err = bc.appendRow(buf, row); err != nil {
			return err
		}
		if (i+1)%copyChunk == 0 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, copyTrailer...)
	bc.tmp = buf
	_, err := w.Write(buf)
	return err
}

// appendRow appends one row in binary COPY format: its field count, then
// each value.
func (bc *Copier) appendRow(buf []byte, row frictionless.Row) ([]byte, error) {
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(bc.enc)))
	for j, v := range row {
		if v == nil {
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32) // -1: NULL
			continue
		}
		var err error
		if buf, err = bc.enc[j](buf, v); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// pgEncoder picks the encoder for a column type.
func pgEncoder(m *pgtype.Map, oid uint32, f *frictionless.Field) encoder {
	switch oid {
	case oidInt8:
		return func(buf []byte, v any) ([]byte, error) {
			n, ok := v.(int64)
			if !ok {
				return genericEncode(m, oid, f, buf, v)
			}
			buf = binary.BigEndian.AppendUint32(buf, 8)
			return binary.BigEndian.AppendUint64(buf, uint64(n)), nil
		}
	case oidFloat8:
		return func(buf []byte, v any) ([]byte, error) {
			x, ok := v.(float64)
			if d, isDec := v.(frictionless.Decimal); isDec {
				x, ok = d.Float64(), true // a float column: the target says float
			}
			if !ok {
				return genericEncode(m, oid, f, buf, v)
			}
			buf = binary.BigEndian.AppendUint32(buf, 8)
			return binary.BigEndian.AppendUint64(buf, math.Float64bits(x)), nil
		}
	case oidNumeric:
		return func(buf []byte, v any) ([]byte, error) {
			d, ok := v.(frictionless.Decimal)
			if !ok {
				return genericEncode(m, oid, f, buf, v)
			}
			return appendNumeric(buf, f.Name, d)
		}
	case oidBool:
		return func(buf []byte, v any) ([]byte, error) {
			b, ok := v.(bool)
			if !ok {
				return genericEncode(m, oid, f, buf, v)
			}
			buf = binary.BigEndian.AppendUint32(buf, 1)
			if b {
				return append(buf, 1), nil
			}
			return append(buf, 0), nil
		}
	case oidTimestamptz:
		return func(buf []byte, v any) ([]byte, error) {
			t, ok := v.(time.Time)
			if !ok {
				return genericEncode(m, oid, f, buf, v)
			}
			us := t.Unix()*1e6 + int64(t.Nanosecond()/1e3) - pgEpoch.Unix()*1e6
			buf = binary.BigEndian.AppendUint32(buf, 8)
			return binary.BigEndian.AppendUint64(buf, uint64(us)), nil
		}
	case oidTime:
		return func(buf []byte, v any) ([]byte, error) {
			x, err := encodePgTime(v)
			if err != nil {
				return nil, err
			}
			return genericEncode(m, oid, f, buf, x)
		}
	}
	return func(buf []byte, v any) ([]byte, error) {
		return genericEncode(m, oid, f, buf, v)
	}
}

// textEncoder is the encoder of a text or varchar column.
func (bc *Copier) textEncoder(m *pgtype.Map, oid uint32, f *frictionless.Field) encoder {
	return func(buf []byte, v any) ([]byte, error) {
		s, ok := v.(string)
		if !ok {
			return genericEncode(m, oid, f, buf, v)
		}
		if bc.checkText {
			if err := checkText(f.Name, s); err != nil {
				return buf, err
			}
		}
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(s)))
		return append(buf, s...), nil
	}
}

// checkText refuses a string PostgreSQL does not store in a UTF8 database.
func checkText(field, s string) error {
	reason := ""
	switch {
	case strings.IndexByte(s, 0) >= 0:
		reason = "PostgreSQL text cannot hold a NUL byte"
	case !utf8.ValidString(s):
		reason = "invalid UTF-8"
	default:
		return nil
	}
	return &driver.ValueError{Field: field, Value: s, Reason: reason}
}

// genericEncode encodes with pgx's type map (length prefix added here).
func genericEncode(m *pgtype.Map, oid uint32, f *frictionless.Field, buf []byte, v any) ([]byte, error) {
	if d, ok := v.(frictionless.Decimal); ok {
		var err error
		if v, err = encodeNumeric(d); err != nil {
			return nil, err
		}
	}
	at := len(buf)
	buf = append(buf, 0, 0, 0, 0)
	out, err := m.Encode(oid, pgx.BinaryFormatCode, v, buf)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", f.Name, err)
	}
	if out == nil { // NULL
		return binary.BigEndian.AppendUint32(buf[:at], math.MaxUint32), nil
	}
	binary.BigEndian.PutUint32(out[at:], uint32(len(out)-at-4))
	return out, nil
}

// encodeNumeric converts a Decimal to pgtype.Numeric, for columns of
// other types (numeric columns take [appendNumeric]).
func encodeNumeric(v any) (any, error) {
	d, ok := v.(frictionless.Decimal)
	if !ok {
		return v, nil
	}
	if !d.IsFinite() {
		return d.Float64(), nil
	}
	var n pgtype.Numeric
	if err := n.Scan(d.String()); err != nil {
		return nil, err
	}
	return n, nil
}

// encodePgTime converts a time of day to pgtype.Time (UTC).
func encodePgTime(v any) (any, error) {
	t, ok := v.(time.Time)
	if !ok {
		return v, nil
	}
	t = t.UTC()
	us := int64(t.Hour())*3600e6 + int64(t.Minute())*60e6 + int64(t.Second())*1e6 + int64(t.Nanosecond()/1000)
	return pgtype.Time{Microseconds: us, Valid: true}, nil
}
