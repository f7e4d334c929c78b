package avrobak

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/hamba/avro/v2"
)

// DefaultMaxBlockSize bounds the size of one block, compressed or not,
// when reading.
const DefaultMaxBlockSize = 256 << 20

// ReaderOptions configure a [Reader]. The zero value (or nil) means
// defaults.
type ReaderOptions struct {
	// MaxBlockSize is the largest block (compressed or uncompressed) the
	// reader accepts, in bytes. Default: [DefaultMaxBlockSize] (256 MiB).
	MaxBlockSize int64
}

// fieldReader decodes one Table Schema field from a record.
type fieldReader func(d *decoder) (any, error)

// Reader streams [frictionless.Row]s out of an Avro object container file:
// one this package wrote (its Table Schema comes from the metadata) or one
// written by another tool (the Table Schema is derived from the Avro
// schema, see the package documentation). Memory stays at about one block.
type Reader struct {
	c        *container
	schema   *frictionless.Schema
	avro     avro.Schema
	fields   []fieldReader
	minSize  int   // minimum encoded size of a record
	recorded int64 // rows recorded in the metadata; -1 when absent
	own      bool
	dec      decoder
	left     int64 // records left in the current block
	rows     int64
	err      error // sticky
}

// NewReader reads and checks the header of an Avro object container file.
// Errors match [ErrCorrupt], [ErrTruncated], [ErrSchemaMismatch] or
// [ErrUnsupported].
func NewReader(r io.Reader, opts *ReaderOptions) (*Reader, error) {
	maxBlock := int64(DefaultMaxBlockSize)
	if opts != nil && opts.MaxBlockSize > 0 {
		maxBlock = opts.MaxBlockSize
	}
	c, err := openContainer(r, maxBlock)
	if err != nil {
		return nil, err
	}
	rd := &Reader{c: c, recorded: -1}
	if err := rd.readSchema(); err != nil {
		c.dec.close()
		return nil, err
	}
	return rd, nil
}

func (r *Reader) readSchema() error {
	meta := r.c.meta
	s, err := avro.ParseBytesWithCache(meta[metaSchema], "", &avro.SchemaCache{})
	if err != nil {
		return &FormatError{Reason: "avro.schema", Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	r.avro = s
	if v, ok := meta[MetaRows]; ok {
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil || n < 0 {
			return &FormatError{Reason: fmt.Sprintf("%s %q is not a row count", MetaRows, v), Err: ErrCorrupt}
		}
		r.recorded = n
	}
	if ts, ok := meta[MetaTableSchema]; ok {
		return r.ownSchema(ts)
	}
	r.schema, r.fields, r.minSize, err = foreignPlan(s)
	return err
}

// ownSchema reads the Table Schema a Writer stored and checks that it
// yields exactly the file's Avro schema.
func (r *Reader) ownSchema(text []byte) error {
	var ts frictionless.Schema
	if err := json.Unmarshal(text, &ts); err != nil {
		return &FormatError{Reason: MetaTableSchema, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	cols, err := planColumns(&ts)
	if err != nil {
		return fmt.Errorf("avrobak: %s: %w", MetaTableSchema, err)
	}
	adoptDoubleNumbers(cols, r.avro)
	want, err := schemaJSON(string(r.c.meta[MetaTable]), cols)
	if err != nil {
		return fmt.Errorf("avrobak: %s: %w", MetaTableSchema, err)
	}
	ws, err := avro.ParseBytesWithCache(want, "", &avro.SchemaCache{})
	if err != nil {
		return fmt.Errorf("avrobak: %s: %w", MetaTableSchema, err)
	}
	if ws.String() != r.avro.String() {
		return fmt.Errorf("%w: the file's Table Schema does not match its Avro schema", ErrSchemaMismatch)
	}
	r.own, r.schema = true, &ts
	r.fields = make([]fieldReader, len(cols))
	for i := range cols {
		r.fields[i] = cols[i].readCell
		r.minSize++ // every column takes at least one byte
	}
	return nil
}

// Schema returns the Table Schema of the rows.
func (r *Reader) Schema() *frictionless.Schema { return r.schema }

// AvroSchema returns the file's Avro schema.
func (r *Reader) AvroSchema() avro.Schema { return r.avro }

// Codec returns the file's block codec.
func (r *Reader) Codec() Codec { return r.c.codec }

// Metadata returns the header metadata (do not modify it).
func (r *Reader) Metadata() map[string][]byte { return r.c.meta }

// Table returns the table name recorded in the file, or "".
func (r *Reader) Table() string { return string(r.c.meta[MetaTable]) }

// HasTableSchema reports whether the file carries a Table Schema (it was
// written by this package) rather than one derived from its Avro schema.
func (r *Reader) HasTableSchema() bool { return r.own }

// RecordedRows returns the row count recorded in the file's metadata and
// whether there is one.
func (r *Reader) RecordedRows() (int64, bool) { return r.recorded, r.recorded >= 0 }

// Rows returns the number of rows read so far.
func (r *Reader) Rows() int64 { return r.rows }

// Bytes returns the number of bytes consumed from the input so far.
func (r *Reader) Bytes() int64 { return r.c.off }

// Read returns the next row, or io.EOF after the last one. At the end of
// the file it checks the recorded row count (a [*CountError] when it
// differs). Every other error is sticky and describes where the file is
// damaged ([*FormatError]).
func (r *Reader) Read() (frictionless.Row, error) {
	if r.err != nil {
		return nil, r.err
	}
	row, err := r.read()
	if err != nil {
		r.err = err
	}
	return row, err
}

func (r *Reader) read() (frictionless.Row, error) {
	for r.left == 0 {
		if err := r.nextBlock(); err != nil {
			return nil, err
		}
	}
	row := make(frictionless.Row, len(r.fields))
	for i, f := range r.fields {
		v, err := f(&r.dec)
		if err != nil {
			return nil, r.badRecord(i, err)
		}
		row[i] = v
	}
	r.left--
	r.rows++
	if r.left == 0 && r.dec.remaining() != 0 {
		return nil, r.c.fail(ErrCorrupt, "%d bytes left over after the block's last row", r.dec.remaining())
	}
	if r.recorded >= 0 && r.rows > r.recorded {
		return nil, &CountError{Recorded: r.recorded, Actual: r.rows}
	}
	return row, nil
}

func (r *Reader) badRecord(field int, err error) error {
	reason := fmt.Sprintf("row %d, field %q: %v", r.rows+1, r.schema.Fields[field].Name, err)
	return &FormatError{Offset: r.c.start, Block: r.c.block, Reason: reason, Err: ErrCorrupt}
}

// nextBlock loads the next block; at the end of the file it returns io.EOF
// or the count mismatch.
func (r *Reader) nextBlock() error {
	count, data, err := r.c.next()
	if errors.Is(err, io.EOF) {
		if r.recorded >= 0 && r.rows != r.recorded {
			return &CountError{Recorded: r.recorded, Actual: r.rows}
		}
		return io.EOF
	}
	if err != nil {
		return err
	}
	limit := int64(1 << 16) // records that may be empty: bound the loop
	if r.minSize > 0 {
		limit = int64(len(data) / r.minSize)
	}
	if count > limit || count == 0 && len(data) > 0 {
		return r.c.fail(ErrCorrupt, "block claims %d rows in %d bytes", count, len(data))
	}
	r.dec = decoder{b: data}
	r.left = count
	return nil
}

// Close releases the decompressor. It does not close the underlying
// reader.
func (r *Reader) Close() error {
	if errors.Is(r.err, ErrClosed) {
		return ErrClosed
	}
	r.c.dec.close()
	r.err = ErrClosed
	return nil
}
