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

// fields is the Table Schema fields text of the employees file.
const fields = `"fields": [{"name": "employee_id", "type": "integer", "constraints": {"required": true}},
	{"name": "employee_name", "type": "string", "constraints": {"required": true}},
	{"name": "hiring_date", "type": "datetime", "format": "%Y-%m-%d %H:%M:%S", "constraints": {"required": true}},
	{"name": "department_id", "type": "integer", "constraints": {"required": true}},
	{"name": "job_id", "type": "integer", "constraints": {"required": true}}`

// writeInputs writes the files and Table Schemas: the employees file, its
// two halves, its 20-column variant and, for pgloader, a copy with 1% of
// invalid rows.
func writeInputs(cfg *config, pgloader bool) error {
	at := func(name string) string { return filepath.Join(cfg.dir, name) }
	cfg.csv, cfg.schema, cfg.keyedSchema = at("employees.csv"), at("schema.json"), at("keyed.json")
	cfg.wideCSV, cfg.wideSchema = at("wide.csv"), at("wide.json")
	cfg.halves = [2]string{at("half1.csv"), at("half2.csv")}
	schemas := map[string]string{
		cfg.schema:      "{" + fields + "]}\n",
		cfg.keyedSchema: "{" + fields + `], "primaryKey": ["employee_id"]}` + "\n",
		cfg.wideSchema:  "{" + fields + wideFields() + "]}\n",
	}
	for path, text := range schemas {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			return err
		}
	}
	half := cfg.rows / 2
	files := []struct {
		path          string
		from, to, bad int
	}{{cfg.csv, 1, cfg.rows, 0}, {cfg.halves[0], 1, half, 0}, {cfg.halves[1], half + 1, cfg.rows, 0}}
	if pgloader {
		cfg.invalidCSV = at("invalid.csv")
		files = append(files, struct {
			path          string
			from, to, bad int
		}{cfg.invalidCSV, 1, cfg.rows, 100})
	}
	for _, f := range files {
		if err := writeCSV(f.path, f.from, f.to, f.bad); err != nil {
			return err
		}
	}
	return writeWideCSV(cfg.wideCSV, cfg.rows)
}

// writeCSV writes the employee rows from…to after a header; with bad > 0
// every bad-th row has a department_id that is not an integer.
func writeCSV(path string, from, to, bad int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "employee_id,employee_name,hiring_date,department_id,job_id")
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := from; i <= to; i++ {
		dept := fmt.Sprint(i%12 + 1)
		if bad > 0 && i%bad == 0 {
			dept = "dept-" + dept
		}
		fmt.Fprintf(w, "%d,Employee %d,%s,%s,%d\n", i, i, start.Add(time.Duration(i)*time.Minute).Format(time.DateTime), dept, i%40+1)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
