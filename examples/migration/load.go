package main

import (
	"context"
	"fmt"
	"io"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
)

// table is one of the three tables with its data dictionary.
type table struct {
	name   string
	file   string
	schema *frictionless.Schema
}

// tables are the data dictionary: every field required, as the project's
// API demands.
func tables() []table {
	req := frictionless.Constraints{Required: true}
	return []table{
		{"departments", "departments.csv", &frictionless.Schema{Fields: []frictionless.Field{
			{Name: "department_id", Type: frictionless.TypeInteger, Constraints: req},
			{Name: "department_name", Type: frictionless.TypeString, Constraints: req},
		}, PrimaryKey: []string{"department_id"}}},
		{"jobs", "jobs.csv", &frictionless.Schema{Fields: []frictionless.Field{
			{Name: "job_id", Type: frictionless.TypeInteger, Constraints: req},
			{Name: "job_name", Type: frictionless.TypeString, Constraints: req},
		}, PrimaryKey: []string{"job_id"}}},
		{"employees", "employees.csv", &frictionless.Schema{Fields: []frictionless.Field{
			{Name: "employee_id", Type: frictionless.TypeInteger, Constraints: req},
			{Name: "employee_name", Type: frictionless.TypeString, Constraints: req},
			{Name: "hiring_date", Type: frictionless.TypeDateTime, Constraints: req},
			{Name: "department_id", Type: frictionless.TypeInteger, Constraints: req},
			{Name: "job_id", Type: frictionless.TypeInteger, Constraints: req},
		}, PrimaryKey: []string{"employee_id"}}},
	}
}

// loadHistory loads the three historical files (no header row); rejected
// rows go to <table>__rejects.
func loadHistory(ctx context.Context, s *datastore.Store, out io.Writer) error {
	fmt.Fprintln(out, "1. historical load")
	noHeader := false
	for _, t := range tables() {
		f, err := data.Open("testdata/" + t.file)
		if err != nil {
			return err
		}
		r, err := frictionless.NewReader(f, t.schema, &frictionless.ReadOptions{
			Dialect: &frictionless.Dialect{Header: &noHeader}})
		if err != nil {
			f.Close()
			return err
		}
		rep, err := datastore.Load(ctx, s, t.name, r, &datastore.LoadOptions{
			Mode: datastore.ModeReplace, Rejects: datastore.NewTableRejects(s, t.name)})
		r.Close()
		if err != nil {
			return fmt.Errorf("load %s: %w", t.name, err)
		}
		fmt.Fprintf(out, "   %-12s %5d rows read, %5d written, %3d rejected (kept in %s)\n",
			t.name, rep.Read, rep.Written, rep.Rejected, datastore.RejectsTableName(t.name))
	}
	return nil
}
