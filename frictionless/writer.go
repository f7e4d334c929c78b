package frictionless

import (
	"encoding/csv"
	"fmt"
	"io"
)

// WriteOptions configure a [Writer]; nil means defaults.
type WriteOptions struct {
	// Dialect sets the delimiter, line terminator and whether WriteHeader
	// writes a header; nil → comma, CRLF, header.
	Dialect *Dialect
}

// Writer turns typed rows back into CSV text (for round trips and reject
// files). Values are written in their canonical text (see
// [Field.FormatValue]); nil is written as the schema's first missing
// value. It is not safe for concurrent use.
type Writer struct {
	s     *Schema
	cfg   csvConfig
	csv   *csv.Writer
	out   io.Writer
	cells []string
	null  string
	err   error
}

// NewWriter returns a Writer of rows of s to w. An invalid dialect is
// reported by the first Write, WriteRaw or WriteHeader.
func NewWriter(w io.Writer, s *Schema, opts *WriteOptions) *Writer {
	if opts == nil {
		opts = &WriteOptions{}
	}
	cfg, err := opts.Dialect.resolve("dialect")
	cw := csv.NewWriter(w)
	cw.Comma = cfg.comma
	cw.UseCRLF = cfg.terminator == "\r\n"
	null := ""
	if mv := s.missingValues(); len(mv) > 0 {
		null = mv[0]
	}
	return &Writer{s: s, cfg: cfg, csv: cw, err: err, null: null, out: w, cells: make([]string, len(s.Fields))}
}

// WriteHeader writes the field names, unless the dialect says the file
// has no header.
func (w *Writer) WriteHeader() error {
	if w.err != nil {
		return w.err
	}
	if !w.cfg.header {
		return nil
	}
	return w.WriteRaw(w.s.FieldNames())
}

// Write writes one row; it must have one value per schema field.
func (w *Writer) Write(row Row) error {
	if w.err != nil {
		return w.err
	}
	if len(row) != len(w.s.Fields) {
		return fmt.Errorf("frictionless: write row: %d values for %d fields", len(row), len(w.s.Fields))
	}
	for i, v := range row {
		if v == nil {
			w.cells[i] = w.null
			continue
		}
		txt, err := w.s.Fields[i].FormatValue(v)
		if err != nil {
			return fmt.Errorf("frictionless: write field %q: %w", w.s.Fields[i].Name, err)
		}
		w.cells[i] = txt
	}
	return w.WriteRaw(w.cells)
}

// WriteRaw writes cells as they are (e.g. the raw cells of a rejected
// row).
func (w *Writer) WriteRaw(cells []string) error {
	if w.err != nil {
		return w.err
	}
	if len(cells) == 1 && cells[0] == "" {
		// encoding/csv would write an empty line, which readers skip.
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return fmt.Errorf("frictionless: write CSV: %w", err)
		}
		if _, err := io.WriteString(w.out, `""`+w.cfg.terminator); err != nil {
			return fmt.Errorf("frictionless: write CSV: %w", err)
		}
		return nil
	}
	if err := w.csv.Write(cells); err != nil {
		return fmt.Errorf("frictionless: write CSV: %w", err)
	}
	return nil
}

// Flush writes buffered data to the underlying writer and returns any
// write error.
func (w *Writer) Flush() error {
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return fmt.Errorf("frictionless: write CSV: %w", err)
	}
	return nil
}
