package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/input"
)

// SourceOptions tune OpenSources. nil means defaults.
type SourceOptions struct {
	// Schema is a Table Schema file or URL that replaces the source's own
	// (or the inferred) schema. Default: the resource's, else inferred.
	Schema string
	// Resource selects one resource of a data package. Default: all.
	Resource string
	// NoHeader says a CSV file has no header row. Default false.
	NoHeader bool
	// Infer tunes inference for plain CSV files. Its Dialect is set from
	// NoHeader. Default: every row scanned, no forced types.
	Infer *frictionless.InferOptions
	// Input opens a source that is not a descriptor: a path or a file://,
	// http(s)://, s3:// or gs:// URL whose content is CSV, gzipped CSV, a
	// zip holding a CSV or an XLSX workbook (see package input). Its Allow
	// and MaxBytes are the caller's trust rules. Default: input's defaults
	// (every kind of location), fit for the operator's command line only.
	Input *input.Options
}

// Source is one table to read: a resource with its schema and a name.
type Source struct {
	// Name is the table name derived from the resource or file name.
	Name string
	// Resource is the resource, with its schema.
	Resource *frictionless.Resource
	// Size is the size of the local files in bytes, 0 when unknown.
	Size int64

	location string // a path or URL opened with input.Open, without a descriptor
	input    *input.Options
	dialect  *frictionless.Dialect
}

// OpenSources resolves path: a local datapackage.json (every resource, or
// opts.Resource), a local resource descriptor (*.json), or any other path
// or URL that package input opens (CSV, .gz, .zip or XLSX, detected by
// content). Only descriptors are read whole; rows are read by
// [Source.Open], streamed. Without opts.Schema the schema is inferred from
// a first pass over the content (so a remote source is fetched twice).
func OpenSources(ctx context.Context, path string, opts *SourceOptions) ([]Source, error) {
	var o SourceOptions
	if opts != nil {
		o = *opts
	}
	if strings.HasSuffix(strings.ToLower(path), ".json") {
		if isURL(path) {
			return nil, fmt.Errorf("%s: a remote descriptor is not supported; give a local one, or the data file's URL", path)
		}
		return descriptorSources(ctx, path, &o)
	}
	s := Source{Name: TableName(locationName(path)), location: path, input: o.Input, dialect: o.dialect()}
	if !isURL(path) {
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		s.Size = st.Size()
	}
	schema, err := o.schemaFor(ctx, path)
	if err != nil {
		return nil, err
	}
	s.Resource = &frictionless.Resource{Name: s.Name, Schema: schema, Dialect: s.dialect}
	return []Source{s}, nil
}

// isURL reports whether a location is a URL rather than a local path.
func isURL(loc string) bool { return strings.Contains(loc, "://") }

// locationName is the last path segment of a path or URL, without the
// extensions of the formats input reads (so "sales.csv.gz" is "sales").
func locationName(loc string) string {
	if u, err := url.Parse(loc); err == nil && isURL(loc) {
		loc = u.Path
	}
	base := filepath.Base(loc)
	for {
		ext := strings.ToLower(filepath.Ext(base))
		switch ext {
		case ".gz", ".zip", ".csv", ".xlsx", ".tsv", ".txt":
			base = strings.TrimSuffix(base, filepath.Ext(base))
			continue
		}
		return base
	}
}

// descriptorSources reads a package or resource descriptor.
func descriptorSources(ctx context.Context, path string, o *SourceOptions) ([]Source, error) {
	var probe struct {
		Resources json.RawMessage `json:"resources"`
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var resources []frictionless.Resource
	if probe.Resources != nil {
		pkg, err := frictionless.LoadPackage(ctx, path)
		if err != nil {
			return nil, err
		}
		resources = pkg.Resources
	} else {
		res, err := frictionless.LoadResource(ctx, path)
		if err != nil {
			return nil, err
		}
		resources = []frictionless.Resource{*res}
	}
	var out []Source
	for i := range resources {
		res := &resources[i]
		if o.Resource != "" && res.Name != o.Resource {
			continue
		}
		if o.Schema != "" {
			s, err := frictionless.LoadSchema(ctx, o.Schema)
			if err != nil {
				return nil, err
			}
			res.Schema, res.SchemaPath = s, ""
		}
		if o.NoHeader {
			res.Dialect = o.dialect()
		}
		out = append(out, Source{Name: TableName(res.Name), Resource: res, Size: resourceSize(res)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no resource named %q", path, o.Resource)
	}
	return out, nil
}

// resourceSize is the size of a resource's local files (0 when unknown).
func resourceSize(res *frictionless.Resource) int64 {
	if res.Bytes > 0 {
		return res.Bytes
	}
	var n int64
	for _, p := range resourcePaths(res) {
		st, err := os.Stat(filepath.Join(res.BasePath, p))
		if err != nil {
			return 0
		}
		n += st.Size()
	}
	return n
}

// resourcePaths are the data paths of a resource, as written.
func resourcePaths(res *frictionless.Resource) []string {
	if res.Path != "" {
		return []string{res.Path}
	}
	return res.Paths
}

func (o *SourceOptions) dialect() *frictionless.Dialect {
	if !o.NoHeader {
		return nil
	}
	h := false
	return &frictionless.Dialect{Header: &h}
}

// schemaFor returns Schema, or the schema inferred from the location.
func (o *SourceOptions) schemaFor(ctx context.Context, loc string) (*frictionless.Schema, error) {
	if o.Schema != "" {
		return frictionless.LoadSchema(ctx, o.Schema)
	}
	in, err := input.Open(ctx, loc, o.Input)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	return o.InferSchema(in)
}

// InferSchema infers a Table Schema from CSV rows with o.Infer and o.NoHeader.
func (o *SourceOptions) InferSchema(r io.Reader) (*frictionless.Schema, error) {
	var inf frictionless.InferOptions
	if o.Infer != nil {
		inf = *o.Infer
	}
	inf.Dialect = o.dialect()
	s, err := frictionless.Infer(r, &inf)
	if err != nil {
		return nil, fmt.Errorf("infer schema: %w", err)
	}
	return s, nil
}

// Open starts reading a source's rows; Close on the reader releases the
// location.
func (s *Source) Open(ctx context.Context, opts *frictionless.ReadOptions) (*frictionless.Reader, error) {
	if s.location == "" {
		return s.Resource.Open(ctx, opts)
	}
	in, err := input.Open(ctx, s.location, s.input)
	if err != nil {
		return nil, err
	}
	var o frictionless.ReadOptions
	if opts != nil {
		o = *opts
	}
	o.Dialect = s.dialect
	r, err := frictionless.NewReader(in, s.Resource.Schema, &o)
	if err != nil {
		in.Close()
		return nil, err
	}
	return r, nil
}

// TableName derives a table name from a file or resource name: the base
// name without extension, with characters other than letters, digits and
// underscores replaced by underscores, and "t_" before a leading digit.
func TableName(name string) string {
	base := filepath.Base(name)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	b := []rune(base)
	for i, r := range b {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
			b[i] = '_'
		}
	}
	if len(b) == 0 || unicode.IsDigit(b[0]) {
		b = append([]rune{'t', '_'}, b...)
	}
	return string(b)
}
