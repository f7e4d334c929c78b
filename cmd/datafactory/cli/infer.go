package cli

import (
	"encoding/json"

	"github.com/datafactory/datafactory/input"
	"github.com/spf13/cobra"
)

func (m *Main) inferCmd() *cobra.Command {
	var f sourceFlags
	cmd := &cobra.Command{
		Use:   "infer FILE|URL",
		Short: "Print the Table Schema inferred from a CSV, .gz, .zip or XLSX source",
		Long: `Infer scans FILE or URL (a path, file://, http(s)://, s3:// or gs://; CSV,
gzipped CSV, a zipped CSV or an XLSX sheet, detected by content; all rows
unless --sample) and prints a Table Schema as JSON. --type field=type forces
a field's type.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := f.options()
			if err != nil {
				return err
			}
			in, err := input.Open(cmd.Context(), args[0], o.Input)
			if err != nil {
				return err
			}
			defer in.Close()
			s, err := o.InferSchema(in)
			if err != nil {
				return err
			}
			out, err := json.MarshalIndent(s, "", "  ")
			if err != nil {
				return err
			}
			_, err = m.Stdout.Write(append(out, '\n'))
			return err
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.noHeader, "no-header", false, "the CSV file has no header row (fields are named field1, field2, …)")
	fl.IntVar(&f.sample, "sample", 0, "rows scanned (0: all)")
	fl.StringArrayVar(&f.types, "type", nil, "force a field's type: field=type (repeatable)")
	f.registerInput(cmd)
	return cmd
}
