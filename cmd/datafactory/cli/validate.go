package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline/tasks"
	"github.com/spf13/cobra"
)

// validationReport is the result of validate, also its JSON form.
type validationReport struct {
	Valid  bool          `json:"valid"`
	Tables []tableReport `json:"tables"`
}

type tableReport struct {
	Name        string     `json:"name"`
	Valid       bool       `json:"valid"`
	Rows        int64      `json:"rows"`
	ValidRows   int64      `json:"valid_rows"`
	InvalidRows int64      `json:"invalid_rows"`
	Errors      []rowIssue `json:"errors"`
	Truncated   bool       `json:"truncated,omitempty"`
}

// rowIssue is one row error.
type rowIssue struct {
	Row    int    `json:"row"`
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

func (m *Main) validateCmd() *cobra.Command {
	var (
		f         sourceFlags
		format    string
		maxErrors int
	)
	cmd := &cobra.Command{
		Use:   "validate SOURCE",
		Short: "Check a CSV (.gz, .zip, XLSX) source, resource.json or datapackage.json against its Table Schema",
		Long: `Validate reads every row of SOURCE (a path or a file://, http(s)://, s3://
or gs:// URL; CSV, gzipped or zipped CSV or XLSX, detected by content) and reports the rows that fail its Table
Schema (type, constraints, unique and primary keys), then a summary. Exit code
1 when any row (or the header) is invalid.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			sources, err := f.openSources(cmd, args[0])
			if err != nil {
				return err
			}
			rep, err := validate(cmd.Context(), sources, maxErrors)
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(m.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				printValidation(m.Stdout, rep)
			}
			if !rep.Valid {
				return refused(errors.New("validation failed"))
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().IntVar(&maxErrors, "max-errors", 1000, "row errors listed per table (all are counted)")
	return cmd
}

// validate reads every source fully.
func validate(ctx context.Context, sources []tasks.Source, maxErrors int) (*validationReport, error) {
	rep := &validationReport{Valid: true, Tables: []tableReport{}}
	for i := range sources {
		tr, err := validateSource(ctx, &sources[i], maxErrors)
		if err != nil {
			return nil, err
		}
		rep.Valid = rep.Valid && tr.Valid
		rep.Tables = append(rep.Tables, *tr)
	}
	return rep, nil
}

func validateSource(ctx context.Context, s *tasks.Source, maxErrors int) (*tableReport, error) {
	r, err := s.Open(ctx, &frictionless.ReadOptions{})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	tr := &tableReport{Name: s.Name, Errors: []rowIssue{}}
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		var re *frictionless.RowError
		if !errors.As(err, &re) {
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.Name, err)
			}
			continue
		}
		if len(tr.Errors) >= maxErrors {
			tr.Truncated = true
			if re.Row == 0 {
				tr.InvalidRows++ // a header problem still makes it invalid
			}
			continue
		}
		for _, fe := range re.Errors {
			tr.Errors = append(tr.Errors, rowIssue{Row: re.Row, Line: re.Line, Field: fe.Field, Value: fe.Value, Reason: fe.Reason})
		}
		if len(re.Errors) == 0 {
			tr.Errors = append(tr.Errors, rowIssue{Row: re.Row, Line: re.Line, Field: re.Field, Value: re.Value, Reason: re.Reason})
		}
	}
	st := r.Stats()
	tr.Rows, tr.ValidRows, tr.InvalidRows = st.Rows, st.Valid, st.Invalid
	tr.Valid = len(tr.Errors) == 0 && tr.InvalidRows == 0
	return tr, nil
}

func printValidation(w io.Writer, rep *validationReport) {
	for _, t := range rep.Tables {
		for _, e := range t.Errors {
			if e.Row == 0 {
				fmt.Fprintf(w, "%s: header: field %q: %s\n", t.Name, e.Field, e.Reason)
				continue
			}
			fmt.Fprintf(w, "%s: row %d (line %d): field %q: %s\n", t.Name, e.Row, e.Line, e.Field, e.Reason)
		}
		if t.Truncated {
			fmt.Fprintf(w, "%s: … more errors not listed\n", t.Name)
		}
		verdict := "valid"
		if !t.Valid {
			verdict = "INVALID"
		}
		fmt.Fprintf(w, "%s: %s: %d rows, %d valid, %d invalid\n", t.Name, verdict, t.Rows, t.ValidRows, t.InvalidRows)
	}
}
