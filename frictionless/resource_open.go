package frictionless

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Open starts reading the resource's rows: from its path (a file or an
// http(s) URL; several paths are read one after another), or from inline
// data. The schema comes from Schema or is loaded from SchemaPath; the
// dialect and encoding come from opts, else from the resource. Formats
// other than csv and tsv are not supported (errors.ErrUnsupported).
// Closing the Reader closes the source.
func (r *Resource) Open(ctx context.Context, opts *ReadOptions) (*Reader, error) {
	o := ReadOptions{}
	if opts != nil {
		o = *opts
	}
	if err := r.resolveOptions(ctx, &o); err != nil {
		return nil, err
	}
	s, err := r.loadSchema(ctx, &o)
	if err != nil {
		return nil, err
	}
	var src io.ReadCloser
	switch {
	case len(r.Data) > 0:
		data, err := inlineCSV(r.Data, s)
		if err != nil {
			return nil, fmt.Errorf("frictionless: resource %q: %w", r.Name, err)
		}
		src = io.NopCloser(bytes.NewReader(data))
		o.Dialect, o.Encoding = nil, ""
	case r.Path != "" || len(r.Paths) > 0:
		paths := r.Paths
		if r.Path != "" {
			paths = []string{r.Path}
		}
		src = &multipartReader{ctx: ctx, opts: &o, base: r.BasePath, paths: paths}
	default:
		return nil, fmt.Errorf("frictionless: resource %q: %w", r.Name, ErrNoData)
	}
	rd, err := NewReader(src, s, &o)
	if err != nil {
		src.Close()
		return nil, err
	}
	return rd, nil
}

// resolveOptions fills the dialect and encoding from the resource.
func (r *Resource) resolveOptions(ctx context.Context, o *ReadOptions) error {
	switch strings.ToLower(r.Format) {
	case "", "csv":
	case "tsv":
		if o.Dialect == nil && r.Dialect == nil {
			o.Dialect = &Dialect{Delimiter: "\t"}
		}
	default:
		if len(r.Data) == 0 {
			return fmt.Errorf("frictionless: resource %q: format %q: %w", r.Name, r.Format, errors.ErrUnsupported)
		}
	}
	if o.Dialect == nil {
		o.Dialect = r.Dialect
	}
	if o.Dialect == nil && r.DialectPath != "" {
		rc, err := openLocation(ctx, o.HTTPClient, resolve(r.BasePath, r.DialectPath))
		if err != nil {
			return err
		}
		defer rc.Close()
		data, err := io.ReadAll(rc)
		if err != nil {
			return fmt.Errorf("frictionless: read dialect: %w", err)
		}
		if o.Dialect, err = decodeDialect(data, "dialect"); err != nil {
			return err
		}
	}
	if o.Encoding == "" {
		o.Encoding = r.Encoding
	}
	return nil
}

// loadSchema returns the inline schema or loads SchemaPath.
func (r *Resource) loadSchema(ctx context.Context, o *ReadOptions) (*Schema, error) {
	if r.Schema != nil {
		return r.Schema, nil
	}
	if r.SchemaPath == "" {
		return nil, descErr("schema", "resource %q has no schema", r.Name)
	}
	rc, err := openLocation(ctx, o.HTTPClient, resolve(r.BasePath, r.SchemaPath))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return ReadSchema(rc)
}

// multipartReader reads several files or URLs in turn, opening each one
// lazily and adding a line break between parts that lack one. It stops
// when its context is done.
type multipartReader struct {
	ctx   context.Context
	opts  *ReadOptions
	base  string
	paths []string
	cur   io.ReadCloser
	last  byte
	nl    bool // a separating line break is due
}

func (m *multipartReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := m.ctx.Err(); err != nil {
		return 0, err
	}
	for {
		if m.nl {
			m.nl = false
			p[0], m.last = '\n', '\n'
			return 1, nil
		}
		if m.cur == nil {
			if len(m.paths) == 0 {
				return 0, io.EOF
			}
			rc, err := openLocation(m.ctx, m.opts.HTTPClient, resolve(m.base, m.paths[0]))
			if err != nil {
				return 0, err
			}
			m.cur, m.paths = rc, m.paths[1:]
		}
		n, err := m.cur.Read(p)
		if n > 0 {
			m.last = p[n-1]
			return n, nil
		}
		if err == io.EOF {
			m.cur.Close()
			m.cur = nil
			m.nl = m.last != '\n' && m.last != 0 && len(m.paths) > 0
			continue
		}
		return n, err
	}
}

func (m *multipartReader) Close() error {
	if m.cur != nil {
		err := m.cur.Close()
		m.cur = nil
		return err
	}
	return nil
}

// inlineCSV turns inline JSON data (arrays with a header row first, or
// objects keyed by field name) into CSV text with a header.
func inlineCSV(data json.RawMessage, s *Schema) ([]byte, error) {
	rows, ok := decodeJSON(string(data)).([]any)
	if !ok {
		return nil, descErr("data", "must be an array")
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	names := s.FieldNames()
	if len(rows) > 0 {
		if _, isObj := rows[0].(map[string]any); isObj {
			if err := w.Write(names); err != nil {
				return nil, err
			}
		}
	}
	for i, row := range rows {
		var cells []string
		switch x := row.(type) {
		case []any:
			for _, v := range x {
				cells = append(cells, inlineCell(v))
			}
		case map[string]any:
			for _, n := range names {
				cells = append(cells, inlineCell(x[n]))
			}
		default:
			return nil, descErr(indexPath("data", i), "must be an array or an object")
		}
		if err := w.Write(cells); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// inlineCell is the CSV text of a JSON value (null → "").
func inlineCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
