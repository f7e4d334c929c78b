package ckanload

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/datafactory/datafactory/frictionless"
)

// Layouts of dates and times in the JSON lines.
const (
	wireDate = "2006-01-02"
	wireTime = "15:04:05.999999999Z07:00"
)

// jsonlWriter writes rows as JSON lines: one object per row, keys in field
// order, values as CKAN takes them (integers and floats as JSON numbers,
// decimals as exact strings, times as ISO 8601 text, objects and arrays
// as JSON), so the load task can send them or cast them back exactly.
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
		v, err := wireValue(&j.schema.Fields[i], row[i])
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

// wireValue converts a typed row value to its JSON-lines value.
func wireValue(f *frictionless.Field, v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, int64, int, json.Number, map[string]any, []any:
		return v, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		}
		return x, nil
	case frictionless.Decimal:
		return x.String(), nil
	case time.Time:
		switch f.Type {
		case frictionless.TypeDate, frictionless.TypeYearMonth:
			return x.Format(wireDate), nil
		case frictionless.TypeTime:
			return x.Format(wireTime), nil
		}
		return x.Format(time.RFC3339Nano), nil
	}
	return nil, fmt.Errorf("field %q: cannot write %T", f.Name, v)
}

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
		v, err := typedValue(f, obj[f.Name])
		if err != nil {
			return nil, fmt.Errorf("JSON lines: line %d: field %q: %w", j.line, f.Name, err)
		}
		row[i] = v
	}
	return row, nil
}

// typedValue converts a JSON-lines value back to the row value of the
// field's type (see the frictionless package for the Go types).
func typedValue(f *frictionless.Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	s, isStr := v.(string)
	if n, ok := v.(json.Number); ok {
		s, isStr = n.String(), true
	}
	switch f.Type {
	case frictionless.TypeInteger, frictionless.TypeYear:
		return strconv.ParseInt(s, 10, 64)
	case frictionless.TypeNumber:
		if f.Precision > 0 {
			return frictionless.ParseDecimal(s)
		}
		return strconv.ParseFloat(s, 64)
	case frictionless.TypeBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, fmt.Errorf("want a boolean, got %T", v)
	case frictionless.TypeDate, frictionless.TypeYearMonth:
		return time.Parse(wireDate, s)
	case frictionless.TypeTime:
		t, err := time.Parse(wireTime, s)
		if err != nil {
			return nil, err
		}
		return time.Date(0, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location()), nil
	case frictionless.TypeDateTime:
		return time.Parse(time.RFC3339Nano, s)
	case frictionless.TypeObject, frictionless.TypeArray, frictionless.TypeGeoJSON:
		return v, nil
	}
	if !isStr {
		return nil, fmt.Errorf("want a string, got %T", v)
	}
	return s, nil
}
