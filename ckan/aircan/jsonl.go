package aircan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
)

// jsonlWriter writes rows as JSON lines: one object per row, keys in field
// order, values as CKAN takes them (ckanstore.JSONValue: integers and
// floats as JSON numbers, decimals as exact strings, times as ISO 8601
// text, objects and arrays as JSON), so the load task can send them or
// cast them back (ckanstore.RowValue).
type jsonlWriter struct {
	w      *bufio.Writer
	schema *frictionless.Schema
	keys   [][]byte // `"name":` per field
	buf    bytes.Buffer
}

func newJSONLWriter(w io.Writer, schema *frictionless.Schema) *jsonlWriter {
	j := &jsonlWriter{w: bufio.NewWriterSize(w, 1<<16), schema: schema}
	for i := range schema.Fields {
		k, _ := json.Marshal(schema.Fields[i].Name) // a string always marshals
		j.keys = append(j.keys, append(k, ':'))
	}
	return j
}

// Write writes one row.
func (j *jsonlWriter) Write(row frictionless.Row) error {
	j.buf.Reset()
	j.buf.WriteByte('{')
	for i := range j.schema.Fields {
		if i > 0 {
			j.buf.WriteByte(',')
		}
		j.buf.Write(j.keys[i])
		v, err := ckanstore.JSONValue(&j.schema.Fields[i], row[i])
		if err != nil {
			return err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("field %q: %w", j.schema.Fields[i].Name, err)
		}
		j.buf.Write(b)
	}
	j.buf.WriteString("}\n")
	_, err := j.w.Write(j.buf.Bytes())
	return err
}

// Flush writes buffered lines.
func (j *jsonlWriter) Flush() error { return j.w.Flush() }

// jsonlReader reads JSON lines written by jsonlWriter back into typed rows
// of the schema: a datastore.RowReader. The lines were validated when
// written, so a line that does not decode is an error, not a reject.
type jsonlReader struct {
	dec    *json.Decoder
	schema *frictionless.Schema
	line   int
}

func newJSONLReader(r io.Reader, schema *frictionless.Schema) *jsonlReader {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	dec.UseNumber()
	return &jsonlReader{dec: dec, schema: schema}
}

// Schema returns the rows' schema.
func (j *jsonlReader) Schema() *frictionless.Schema { return j.schema }

// Read returns the next row, or io.EOF.
func (j *jsonlReader) Read() (frictionless.Row, error) {
	var obj map[string]any
	if err := j.dec.Decode(&obj); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("JSON lines: line %d: %w", j.line+1, err)
	}
	j.line++
	row := make(frictionless.Row, len(j.schema.Fields))
	for i := range j.schema.Fields {
		f := &j.schema.Fields[i]
		v, err := ckanstore.RowValue(f, obj[f.Name])
		if err != nil {
			return nil, fmt.Errorf("JSON lines: line %d: field %q: %w", j.line, f.Name, err)
		}
		row[i] = v
	}
	return row, nil
}
