package frictionless

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// ReadOptions configure a [Reader]. The zero value (and nil) means
// defaults.
type ReadOptions struct {
	// Dialect describes the CSV layout; nil → the resource's dialect when
	// opened from a [Resource], else the defaults (comma, header row).
	Dialect *Dialect
	// Encoding names the text encoding (WHATWG names such as "latin1",
	// "windows-1252", "utf-16le"); "" → the resource's, else utf-8. A UTF-8
	// byte order mark is always stripped.
	Encoding string
	// SkipUniqueCheck turns off unique and primary-key checks. Those keep
	// every key in memory (see the package documentation); default false.
	SkipUniqueCheck bool
	// ReuseRow lets Read reuse the returned Row's backing array, saving an
	// allocation per row; the Row is then valid until the next Read.
	// Default false.
	ReuseRow bool
	// HTTPClient fetches URL paths in [Resource.Open]; nil → http.DefaultClient.
	HTTPClient *http.Client
}

// Row holds one row's values in schema field order, whatever the file's
// column order. See the package documentation for each type's Go value; a
// missing value is nil.
type Row []any

// ReadStats counts what a Reader has read so far.
type ReadStats struct {
	Rows    int64 // data rows read (valid + invalid; the header is not a row)
	Valid   int64
	Invalid int64
	Bytes   int64 // bytes consumed from the source (read ahead by a buffer)
}

// Reader streams typed rows from CSV. It is not safe for concurrent use.
type Reader struct {
	schema  *Schema
	check   rowCheck
	casters []*caster
	cfg     csvConfig
	records *recordReader
	count   *countingReader
	closer  io.Closer

	started bool
	pending []*RowError
	colOf   []int // column index of each field; -1 when absent
	width   int   // expected cells per row
	reuse   bool
	row     Row
	record  []string
	rowNum  int
	stats   ReadStats
	err     error
}

// NewReader returns a Reader of CSV text from r, cast and checked against
// s. A schema or dialect error is a *DescriptorError; unsupported dialect
// features also match errors.ErrUnsupported.
func NewReader(r io.Reader, s *Schema, opts *ReadOptions) (*Reader, error) {
	if opts == nil {
		opts = &ReadOptions{}
	}
	if s == nil {
		return nil, descErr("schema", "is missing")
	}
	cfg, err := opts.Dialect.resolve("dialect")
	if err != nil {
		return nil, err
	}
	check, err := newRowCheck(s, opts.SkipUniqueCheck)
	if err != nil {
		return nil, err
	}
	rd := &Reader{schema: s, check: check, casters: check.casters, cfg: cfg, reuse: opts.ReuseRow}
	if c, ok := r.(io.Closer); ok {
		rd.closer = c
	}
	rd.count = &countingReader{r: r}
	src, err := decodeInput(rd.count, opts.Encoding)
	if err != nil {
		return nil, err
	}
	rd.records = newRecordReader(newLineEnds(src, cfg.comma, cfg.trimSpace), cfg)
	return rd, nil
}

// compileSchema validates the schema and compiles its fields. Primary-key
// fields become required.
func compileSchema(s *Schema) ([]*caster, error) {
	casters, err := s.compile("")
	if err != nil {
		return nil, err
	}
	for _, name := range s.PrimaryKey {
		casters[s.FieldIndex(name)].required = true
	}
	return casters, nil
}

// Schema returns the schema rows are cast with.
func (r *Reader) Schema() *Schema { return r.schema }

// Stats returns the counts so far.
func (r *Reader) Stats() ReadStats {
	st := r.stats
	st.Bytes = r.count.n
	return st
}

// Raw returns the raw cells of the row last read, valid or not (for a
// record with malformed quoting, its source lines). The slice is valid
// until the next Read.
func (r *Reader) Raw() []string { return r.record }

// Line returns the source line where the row last read starts (as a
// [RowError]'s Line counts them), or 0 before the first row.
func (r *Reader) Line() int {
	if r.rowNum == 0 {
		return 0
	}
	return r.records.recLine
}

// Close closes the source when it is an io.Closer. Read then returns
// ErrClosed.
func (r *Reader) Close() error {
	if r.err == ErrClosed {
		return nil
	}
	r.err = ErrClosed
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// Read returns the next valid row, with values in schema field order. At
// the end it returns io.EOF. A bad row gives a nil Row and a *RowError,
// and the stream goes on; header problems come first as *RowError with
// Row == 0 (not counted as rows). Any other error is fatal and returned
// again by every later call.
func (r *Reader) Read() (Row, error) {
	row := r.row
	if !r.reuse || row == nil {
		row = make(Row, len(r.casters))
		if r.reuse {
			r.row = row
		}
	}
	return r.ReadInto(row)
}

// ReadInto is Read casting into dst, for callers that keep rows in memory
// they reuse (a batch's rows in one backing array, say): when dst has the
// schema's length the returned Row is dst, else a new Row. A bad row
// leaves dst partly written.
func (r *Reader) ReadInto(dst Row) (Row, error) {
	rec, err := r.ReadRecord()
	if err != nil {
		return nil, err
	}
	row := dst
	if len(row) != len(r.casters) {
		row = make(Row, len(r.casters))
	}
	row, rowErr := r.castRecord(rec, row)
	if rowErr != nil {
		r.stats.Invalid++
		return nil, rowErr
	}
	r.stats.Valid++
	return row, nil
}

// next reads the next record (CRLFs inside its quoted cells kept) and
// counts it as a row; the header and its problems come first.
func (r *Reader) next() ([]string, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.started {
		r.started = true
		if err := r.readHeader(); err != nil {
			r.err = err
			return nil, err
		}
	}
	if len(r.pending) > 0 {
		e := r.pending[0]
		r.pending = r.pending[1:]
		return nil, e
	}
	rec, err := r.records.read()
	if err != nil {
		return nil, r.readFailed(err)
	}
	r.record = rec
	r.rowNum++
	r.stats.Rows++
	return rec, nil
}

// readFailed turns a read error into a row error (malformed quoting, with
// the record's source lines as its raw text) or a fatal, sticky error.
func (r *Reader) readFailed(err error) error {
	if err == io.EOF {
		r.err = io.EOF
		return io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote)) {
		r.rowNum++
		r.stats.Rows++
		r.stats.Invalid++
		r.record = r.records.rawLines()
		return &RowError{Line: pe.StartLine, Row: r.rowNum, Raw: append([]string(nil), r.record...),
			Reason: fmt.Sprintf("malformed CSV at line %d, column %d: %v", pe.Line, pe.Column, pe.Err),
			Errors: []FieldError{{Reason: "malformed CSV: " + pe.Err.Error()}}}
	}
	r.err = fmt.Errorf("frictionless: read CSV: %w", err)
	return r.err
}

// castRecord checks the cell count and UTF-8, then casts each field into
// row.
func (r *Reader) castRecord(record Record, row Row) (Row, *RowError) {
	rec, line, rowNum := record.Cells, record.Line, record.Row
	if len(rec) != r.width {
		return nil, newRowError(line, rowNum, rec, []FieldError{{
			Reason: "row has " + strconv.Itoa(len(rec)) + " cells, expected " + strconv.Itoa(r.width)}})
	}
	for j, cell := range rec {
		if record.ascii {
			break // checked while the record was split
		}
		if reason := cellProblem(cell, j); reason != "" {
			return nil, newRowError(line, rowNum, rec, []FieldError{{Field: r.fieldOfColumn(j), Value: cell, Reason: reason}})
		}
	}
	errs := r.check.castCells(rec, r.colOf, row, rowNum)
	if errs != nil {
		return nil, newRowError(line, rowNum, rec, errs)
	}
	return row, nil
}

// fieldOfColumn names the schema field read from column j ("" for a
// column the schema does not name).
func (r *Reader) fieldOfColumn(j int) string {
	for i, c := range r.colOf {
		if c == j {
			return r.schema.Fields[i].Name
		}
	}
	return ""
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// newBuffered returns a bufio.Reader over r with the UTF-8 BOM skipped.
func newBuffered(r io.Reader) *bufio.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		_, _ = br.Discard(3)
	}
	return br
}
