package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// columns of the generated file: the employees table of data-architecture.
var columns = []string{"employee_id", "employee_name", "hiring_date", "department_id", "job_id"}

// columnsDDL is the column list of a reference table with the given
// integer, text and timestamp types; the first column is the primary key
// when keyed.
func columnsDDL(integer, text, timestamp string, keyed bool) string {
	types := []string{integer, text, timestamp, integer, integer}
	ddl := ""
	for i, c := range columns {
		if i > 0 {
			ddl += ", "
		}
		ddl += c + " " + types[i] + " NOT NULL"
		if i == 0 && keyed {
			ddl += " PRIMARY KEY"
		}
	}
	return ddl
}

// writeInputs writes the CSV file and the two Table Schemas.
func writeInputs(cfg *config) error {
	cfg.csv = filepath.Join(cfg.dir, "employees.csv")
	cfg.schema = filepath.Join(cfg.dir, "schema.json")
	cfg.keyedSchema = filepath.Join(cfg.dir, "keyed.json")
	const fields = `"fields": [{"name": "employee_id", "type": "integer", "constraints": {"required": true}},
	{"name": "employee_name", "type": "string", "constraints": {"required": true}},
	{"name": "hiring_date", "type": "datetime", "format": "%Y-%m-%d %H:%M:%S", "constraints": {"required": true}},
	{"name": "department_id", "type": "integer", "constraints": {"required": true}},
	{"name": "job_id", "type": "integer", "constraints": {"required": true}}]`
	if err := os.WriteFile(cfg.schema, []byte("{"+fields+"}\n"), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(cfg.keyedSchema, []byte("{"+fields+`, "primaryKey": ["employee_id"]}`+"\n"), 0o600); err != nil {
		return err
	}
	return writeCSV(cfg.csv, cfg.rows)
}

// writeCSV writes n employee rows after a header.
func writeCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "employee_id,employee_name,hiring_date,department_id,job_id")
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "%d,Employee %d,%s,%d,%d\n", i, i, start.Add(time.Duration(i)*time.Minute).Format(time.DateTime), i%12+1, i%40+1)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
