package cli

import (
	"encoding/json"
	"os"

	"github.com/spf13/cobra"
)

func (m *Main) inferCmd() *cobra.Command {
	var f sourceFlags
	cmd := &cobra.Command{
		Use:   "infer FILE",
		Short: "Print the Table Schema inferred from a CSV file",
		Long: `Infer scans FILE (all rows unless --sample) and prints a Table Schema as JSON.
--type field=type forces a field's type.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer file.Close()
			o, err := f.options()
			if err != nil {
				return err
			}
			s, err := o.InferSchema(file)
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
	return cmd
}
