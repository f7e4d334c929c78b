package httpsource

import (
	"context"
	"fmt"
	"io"

	"github.com/datafactory/datafactory/frictionless"
)

// FieldMap takes a record's Source key into the schema field Column.
type FieldMap struct {
	Source string
	Column string
}

// RowOptions configure [Source.Rows]. The zero value (and nil) means
// defaults.
type RowOptions struct {
	// Mapping names the source key of schema fields whose key is not their
	// own name. Default: every field reads the key of its name.
	Mapping []FieldMap
	// CheckUnique checks unique and primary-key fields across the rows in
	// memory. Default false: the database's constraints enforce them (and
	// datastore.Load rejects the rows it refuses).
	CheckUnique bool
}

// Rows is a stream of typed rows read from a [Source]; it has the methods
// datastore.Load wants (Read, Schema, Stats). It fetches a page when it
// needs one. It is not safe for concurrent use.
type Rows struct {
	ctx    context.Context
	cancel context.CancelFunc
	pages  *pager
	cast   *frictionless.RowCaster
	schema *frictionless.Schema
	keys   []string // source key per field
	buf    []map[string]any
	values []any
	stats  frictionless.ReadStats
	err    error
}

// Rows reads the API from its first page as rows of schema. ctx bounds the
// whole read; Close (or the end of the stream) releases it.
func (s *Source) Rows(ctx context.Context, schema *frictionless.Schema, opts *RowOptions) (*Rows, error) {
	if opts == nil {
		opts = &RowOptions{}
	}
	cast, err := frictionless.NewRowCaster(schema, &frictionless.CastOptions{SkipUniqueCheck: !opts.CheckUnique})
	if err != nil {
		return nil, err
	}
	keys, err := sourceKeys(schema, opts.Mapping)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	return &Rows{ctx: ctx, cancel: cancel, pages: s.pager(), cast: cast, schema: schema,
		keys: keys, values: make([]any, len(keys))}, nil
}

// sourceKeys returns the record key of each schema field.
func sourceKeys(schema *frictionless.Schema, mapping []FieldMap) ([]string, error) {
	keys := make([]string, len(schema.Fields))
	for i, f := range schema.Fields {
		keys[i] = f.Name
	}
	seen := map[string]bool{}
	for _, m := range mapping {
		i := schema.FieldIndex(m.Column)
		if i < 0 {
			return nil, fmt.Errorf("%w: mapping column %q is not in the schema", ErrInvalidOptions, m.Column)
		}
		if seen[m.Column] || m.Source == "" {
			return nil, fmt.Errorf("%w: mapping of column %q is repeated or has no source key", ErrInvalidOptions, m.Column)
		}
		seen[m.Column] = true
		keys[i] = m.Source
	}
	return keys, nil
}

// Schema returns the schema rows are cast with.
func (r *Rows) Schema() *frictionless.Schema { return r.schema }

// Stats counts the rows read so far and the bytes of the pages fetched.
func (r *Rows) Stats() frictionless.ReadStats {
	s := r.stats
	s.Bytes = r.pages.read
	return s
}

// Pages returns the number of pages fetched so far.
func (r *Rows) Pages() int { return r.pages.n }

// Read returns the next row: io.EOF after the last page, a
// *frictionless.RowError for a record that fails the schema (the stream goes
// on), and a *PageError when a page cannot be read (the stream stops).
func (r *Rows) Read() (frictionless.Row, error) {
	for len(r.buf) == 0 {
		if r.err != nil {
			return nil, r.err
		}
		page, err := r.pages.next(r.ctx)
		if err != nil {
			r.err = err
			r.cancel()
			continue
		}
		r.buf = page.Records
	}
	rec := r.buf[0]
	r.buf[0] = nil
	r.buf = r.buf[1:]
	for i, k := range r.keys {
		r.values[i] = nullIfEmpty(rec[k])
	}
	r.stats.Rows++
	row, err := r.cast.CastValues(r.values)
	if err != nil {
		r.stats.Invalid++
		return nil, err
	}
	r.stats.Valid++
	return row, nil
}

// Close stops the read; it is safe to call more than once.
func (r *Rows) Close() error {
	r.cancel()
	if r.err == nil {
		r.err = io.EOF
	}
	return nil
}

// nullIfEmpty is data-flow's rule: missing, null, "", "None", [] and {}
// are NULL.
func nullIfEmpty(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" || x == "None" {
			return nil
		}
	case []any:
		if len(x) == 0 {
			return nil
		}
	case map[string]any:
		if len(x) == 0 {
			return nil
		}
	}
	return v
}
