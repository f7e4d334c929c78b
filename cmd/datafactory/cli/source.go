package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/spf13/cobra"
)

// sourceFlags are the flags of commands that read a tabular source.
type sourceFlags struct {
	schema   string   // --schema: a Table Schema file or URL
	resource string   // --resource: one resource of a data package
	noHeader bool     // --no-header: CSV without a header row
	sample   int      // --sample: rows scanned by inference
	types    []string // --type field=type: forced inferred types
}

func (f *sourceFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.schema, "schema", "", "Table Schema (JSON file or URL); default: the resource's, else inferred")
	fl.StringVar(&f.resource, "resource", "", "the resource of a datapackage.json to use (default: all)")
	fl.BoolVar(&f.noHeader, "no-header", false, "the CSV file has no header row")
	fl.IntVar(&f.sample, "sample", 0, "rows scanned when inferring a schema (0: all)")
	fl.StringArrayVar(&f.types, "type", nil, "force an inferred field's type: field=type (repeatable)")
}

// source is one table to read: a resource with its schema and a name.
type source struct {
	name  string // table name derived from the resource or file
	res   *frictionless.Resource
	file  string // a plain CSV file, read without a descriptor
	size  int64  // bytes, 0 when unknown
	dopts *frictionless.Dialect
}

// openSources resolves SOURCE: a datapackage.json (every resource, or
// --resource), a resource descriptor (*.json) or a CSV file.
func openSources(ctx context.Context, path string, f *sourceFlags) ([]source, error) {
	if strings.HasSuffix(strings.ToLower(path), ".json") {
		return descriptorSources(ctx, path, f)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	s := source{name: tableName(path), file: path, size: st.Size(), dopts: f.dialect()}
	schema, err := f.schemaFor(ctx, path)
	if err != nil {
		return nil, err
	}
	s.res = &frictionless.Resource{Name: s.name, Schema: schema, Dialect: s.dopts}
	return []source{s}, nil
}

// descriptorSources reads a package or resource descriptor.
func descriptorSources(ctx context.Context, path string, f *sourceFlags) ([]source, error) {
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
	var out []source
	for i := range resources {
		res := &resources[i]
		if f.resource != "" && res.Name != f.resource {
			continue
		}
		if f.schema != "" {
			s, err := frictionless.LoadSchema(ctx, f.schema)
			if err != nil {
				return nil, err
			}
			res.Schema, res.SchemaPath = s, ""
		}
		if f.noHeader {
			res.Dialect = f.dialect()
		}
		out = append(out, source{name: tableName(res.Name), res: res, size: resourceSize(res)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no resource named %q", path, f.resource)
	}
	return out, nil
}

// resourceSize is the size of a resource's local files (0 when unknown).
func resourceSize(res *frictionless.Resource) int64 {
	if res.Bytes > 0 {
		return res.Bytes
	}
	paths := res.Paths
	if res.Path != "" {
		paths = []string{res.Path}
	}
	var n int64
	for _, p := range paths {
		st, err := os.Stat(filepath.Join(res.BasePath, p))
		if err != nil {
			return 0
		}
		n += st.Size()
	}
	return n
}

func (f *sourceFlags) dialect() *frictionless.Dialect {
	if !f.noHeader {
		return nil
	}
	h := false
	return &frictionless.Dialect{Header: &h}
}

// schemaFor returns --schema, or the schema inferred from the CSV file.
func (f *sourceFlags) schemaFor(ctx context.Context, path string) (*frictionless.Schema, error) {
	if f.schema != "" {
		return frictionless.LoadSchema(ctx, f.schema)
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return f.infer(file)
}

// infer runs inference with the --sample and --type flags.
func (f *sourceFlags) infer(r io.Reader) (*frictionless.Schema, error) {
	types := map[string]frictionless.FieldType{}
	for _, t := range f.types {
		name, typ, ok := strings.Cut(t, "=")
		if !ok || name == "" || typ == "" {
			return nil, fmt.Errorf("--type %q: want field=type", t)
		}
		types[name] = frictionless.FieldType(typ)
	}
	s, err := frictionless.Infer(r, &frictionless.InferOptions{Dialect: f.dialect(), SampleSize: f.sample, Types: types})
	if err != nil {
		return nil, fmt.Errorf("infer schema: %w", err)
	}
	return s, nil
}

// open starts reading a source's rows.
func (s *source) open(ctx context.Context, opts *frictionless.ReadOptions) (*frictionless.Reader, error) {
	if s.file == "" {
		return s.res.Open(ctx, opts)
	}
	file, err := os.Open(s.file)
	if err != nil {
		return nil, err
	}
	o := *opts
	o.Dialect = s.dopts
	r, err := frictionless.NewReader(file, s.res.Schema, &o)
	if err != nil {
		file.Close()
		return nil, err
	}
	return r, nil
}

// tableName derives a table name from a file or resource name: the base name
// without extension, with characters other than letters, digits and
// underscores replaced by underscores.
func tableName(name string) string {
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
