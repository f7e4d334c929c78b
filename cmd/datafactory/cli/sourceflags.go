package cli

import (
	"fmt"
	"strings"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/input"
	"github.com/datafactory/datafactory/pipeline/tasks"
	"github.com/spf13/cobra"
)

// sourceFlags are the flags of commands that read a tabular source.
type sourceFlags struct {
	schema   string   // --schema: a Table Schema file or URL
	resource string   // --resource: one resource of a data package
	noHeader bool     // --no-header: CSV without a header row
	sample   int      // --sample: rows scanned by inference
	types    []string // --type field=type: forced inferred types
	sheet    string   // --sheet: the XLSX sheet
	member   string   // --member: the zip member
	maxBytes int64    // --max-bytes: bound on the bytes read
}

func (f *sourceFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.schema, "schema", "", "Table Schema (JSON file or URL); default: the resource's, else inferred")
	fl.StringVar(&f.resource, "resource", "", "the resource of a datapackage.json to use (default: all)")
	fl.BoolVar(&f.noHeader, "no-header", false, "the CSV file has no header row")
	fl.IntVar(&f.sample, "sample", 0, "rows scanned when inferring a schema (0: all)")
	fl.StringArrayVar(&f.types, "type", nil, "force an inferred field's type: field=type (repeatable)")
	f.registerInput(cmd)
}

// registerInput adds the flags of package input's options.
func (f *sourceFlags) registerInput(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.sheet, "sheet", "", "the XLSX sheet to read (default: the first)")
	fl.StringVar(&f.member, "member", "", "the CSV member of a zip archive (default: the only one)")
	fl.Int64Var(&f.maxBytes, "max-bytes", 0, "stop reading a source beyond this many bytes, compressed or not (default 16 GiB; negative: no limit)")
}

// options turns the flags into tasks.SourceOptions. The command line is
// the operator's: its paths and URLs (file://, http(s)://, s3://, gs://)
// are used as given, every kind of location allowed.
func (f *sourceFlags) options() (*tasks.SourceOptions, error) {
	types := map[string]frictionless.FieldType{}
	for _, t := range f.types {
		name, typ, ok := strings.Cut(t, "=")
		if !ok || name == "" || typ == "" {
			return nil, fmt.Errorf("--type %q: want field=type", t)
		}
		types[name] = frictionless.FieldType(typ)
	}
	return &tasks.SourceOptions{Schema: f.schema, Resource: f.resource, NoHeader: f.noHeader,
		Infer: &frictionless.InferOptions{SampleSize: f.sample, Types: types},
		Input: &input.Options{Sheet: f.sheet, Member: f.member, MaxBytes: f.maxBytes}}, nil
}

// openSources opens the sources of a command-line path or URL.
func (f *sourceFlags) openSources(cmd *cobra.Command, path string) ([]tasks.Source, error) {
	o, err := f.options()
	if err != nil {
		return nil, err
	}
	return tasks.OpenSources(cmd.Context(), path, o)
}
