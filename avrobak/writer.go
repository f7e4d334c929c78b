package avrobak

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/hamba/avro/v2"
)

// Metadata keys this package writes in the container header, next to
// Avro's own "avro.schema" and "avro.codec".
const (
	// MetaTableSchema holds the Table Schema JSON (with primary key).
	MetaTableSchema = "datafactory.tableschema"
	// MetaRows holds the number of rows in the file, in decimal.
	MetaRows = "datafactory.rows"
	// MetaTable holds the name of the table the rows came from.
	MetaTable = "datafactory.table"
	// MetaFormat holds the version of this package's layout ("1").
	MetaFormat = "datafactory.format"
)

// formatVersion is the value of MetaFormat.
const formatVersion = "1"

// UnknownRows tells [NewWriter] that the number of rows is not known in
// advance; the file then records no count.
const UnknownRows = -1

// countLater tells newWriter to record a placeholder row count that
// writeCount replaces once the rows are written.
const countLater = -2

// countPlaceholder is the row count recorded until writeCount: more than
// an int64 holds, so a reader refuses a file whose count was never
// written. The count replaces it zero-padded to the same width.
const countPlaceholder = "9999999999999999999"

// DefaultBlockSize is the uncompressed size at which a block is written.
const DefaultBlockSize = 1 << 20

// WriterOptions configure a [Writer]. The zero value (or nil) means
// defaults.
type WriterOptions struct {
	// Codec compresses the blocks. Default: [DefaultCodec] (deflate).
	Codec Codec
	// CompressionLevel is the deflate level (1 fastest … 9 smallest) or the
	// zstandard level (1 … 22). Default 0: [DefaultDeflateLevel] (1) for
	// deflate, [DefaultZstandardLevel] (1) for zstandard.
	CompressionLevel int
	// BlockSize is the uncompressed size in bytes at which a block is
	// written. Default: [DefaultBlockSize] (1 MiB).
	BlockSize int
	// Table names the table in the metadata and the Avro record. Default
	// "": no table metadata, record named "row".
	Table string
	// Metadata adds header entries. Keys starting with "avro." or
	// "datafactory." are reserved. Default: none.
	Metadata map[string]string
}

// WriteReport describes a finished file.
type WriteReport struct {
	Rows   int64  // rows written
	Bytes  int64  // bytes written to the underlying writer
	Codec  Codec  // block codec
	SHA256 string // hex SHA-256 of the bytes written
}

// Writer streams [frictionless.Row]s to an Avro object container file.
// Memory stays at about one block whatever the number of rows. A Writer
// is not safe for concurrent use.
type Writer struct {
	blk       *blockWriter
	out       *hashWriter
	cols      []column
	declared  int64
	rows      int64
	codec     Codec
	err       error // sticky: the encoder or the underlying writer failed
	closed    bool
	headerLen int64 // bytes of the header
}

// NewWriter writes the header for rows of s to w: the Avro schema derived
// from s, the Table Schema JSON and, unless rows is [UnknownRows], the
// number of rows that will be written, which Close checks. The header is
// written before NewWriter returns.
func NewWriter(w io.Writer, s *frictionless.Schema, rows int64, opts *WriterOptions) (*Writer, error) {
	if rows < 0 && rows != UnknownRows {
		return nil, fmt.Errorf("avrobak: new writer: rows %d: want >= 0 or UnknownRows", rows)
	}
	return newWriter(w, s, rows, opts, nil)
}

// newWriter is NewWriter with an optional sync marker (nil: random), for
// this package's own callers, which may also pass countLater.
func newWriter(w io.Writer, s *frictionless.Schema, rows int64, opts *WriterOptions, sync *[16]byte) (*Writer, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	cols, err := planColumns(s)
	if err != nil {
		return nil, fmt.Errorf("avrobak: new writer: %w", err)
	}
	meta, err := o.header(s, rows)
	if err != nil {
		return nil, fmt.Errorf("avrobak: new writer: %w", err)
	}
	// hamba/avro parses our schema: a check that it is valid Avro.
	if _, err := avro.ParseBytesWithCache(meta[metaSchema], "", &avro.SchemaCache{}); err != nil {
		return nil, fmt.Errorf("avrobak: new writer: %w", err)
	}
	meta[metaCodec] = []byte(o.Codec)
	out := &hashWriter{w: w}
	if rows != countLater { // else writeCount changes the bytes and hashes the file
		out.h = sha256.New()
	}
	blk, err := newBlockWriter(out, meta, o.Codec, o.CompressionLevel, o.BlockSize, sync)
	if err != nil {
		return nil, fmt.Errorf("avrobak: new writer: %w", err)
	}
	return &Writer{blk: blk, out: out, cols: cols, declared: rows, codec: o.Codec, headerLen: out.n}, nil
}

func (o *WriterOptions) withDefaults() (WriterOptions, error) {
	var c WriterOptions
	if o != nil {
		c = *o
	}
	if c.Codec == "" {
		c.Codec = DefaultCodec
	}
	if c.BlockSize == 0 {
		c.BlockSize = DefaultBlockSize
	}
	if c.BlockSize < 0 {
		return c, fmt.Errorf("avrobak: WriterOptions.BlockSize %d is negative", c.BlockSize)
	}
	for k := range c.Metadata {
		if strings.HasPrefix(k, "avro.") || strings.HasPrefix(k, "datafactory.") {
			return c, fmt.Errorf("avrobak: WriterOptions.Metadata: key %q is reserved", k)
		}
	}
	return c, nil
}

// header builds the metadata map, including the Avro schema JSON.
func (o *WriterOptions) header(s *frictionless.Schema, rows int64) (map[string][]byte, error) {
	meta := make(map[string][]byte, len(o.Metadata)+6)
	for k, v := range o.Metadata {
		meta[k] = []byte(v)
	}
	ts, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("table schema: %w", err)
	}
	avroJSON, err := AvroSchema(s, o.Table)
	if err != nil {
		return nil, err
	}
	meta[metaSchema] = avroJSON
	meta[MetaTableSchema] = ts
	meta[MetaFormat] = []byte(formatVersion)
	if o.Table != "" {
		meta[MetaTable] = []byte(o.Table)
	}
	switch {
	case rows >= 0:
		meta[MetaRows] = []byte(strconv.FormatInt(rows, 10))
	case rows == countLater:
		meta[MetaRows] = []byte(countPlaceholder)
	}
	return meta, nil
}

// Write encodes one row (values in schema field order). A *ValueError
// means the row was not written and the Writer can go on; any other error
// is sticky.
func (w *Writer) Write(row frictionless.Row) error {
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	if len(row) != len(w.cols) {
		return &ValueError{Row: w.rows + 1, Err: fmt.Errorf("row has %d values, schema has %d fields", len(row), len(w.cols))}
	}
	blk := w.blk
	b := blk.buf
	for i := range w.cols {
		var err error
		if b, err = w.cols[i].appendCell(b, row[i]); err != nil {
			return &ValueError{Row: w.rows + 1, Field: w.cols[i].field, Err: err}
		}
	}
	blk.buf = b
	return w.endRow()
}

// endRow counts the row just appended to the block and writes the block
// once it is full.
func (w *Writer) endRow() error {
	w.blk.count++
	w.rows++
	if !w.blk.full() {
		return nil
	}
	if err := w.blk.flush(); err != nil {
		w.err = fmt.Errorf("avrobak: write: %w", err)
		return w.err
	}
	return nil
}

// Close writes the last block and checks the row count against the one
// given to NewWriter. It does not close the underlying writer. On error
// the output is not a complete backup and must be discarded.
func (w *Writer) Close() error {
	if w.closed {
		return ErrClosed
	}
	w.closed = true
	if err := w.blk.close(); err != nil && w.err == nil {
		w.err = fmt.Errorf("avrobak: close: %w", err)
	}
	if w.err != nil {
		return w.err
	}
	if w.declared >= 0 && w.rows != w.declared {
		return &CountError{Recorded: w.declared, Actual: w.rows}
	}
	return nil
}

// Report returns the rows and bytes written so far and the SHA-256 of
// those bytes ("" from a writer whose count is written later, which
// writeCount hashes); after Close it describes the whole file.
func (w *Writer) Report() WriteReport {
	if err := w.blk.wait(); err != nil && w.err == nil { // the block in flight counts as written
		w.err = fmt.Errorf("avrobak: write: %w", err)
	}
	rep := WriteReport{Rows: w.rows, Bytes: w.out.n, Codec: w.codec}
	if w.out.h != nil {
		rep.SHA256 = hex.EncodeToString(w.out.h.Sum(nil))
	}
	return rep
}

// hashWriter counts and, when h is set, hashes what reaches the
// underlying writer.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (h *hashWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	if h.h != nil {
		h.h.Write(p[:n])
	}
	h.n += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return n, err
}
