package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// wideExtra is how many columns the 20-column file adds to the five of
// the employees file: integers, texts and datetimes in turn.
const wideExtra = 15

// wideColumn is the name and the (Table Schema, PostgreSQL) types of the
// k-th extra column.
func wideColumn(k int) (name, field, pg string) {
	switch k % 3 {
	case 0:
		return "extra_int_" + strconv.Itoa(k), `"type": "integer"`, "bigint"
	case 1:
		return "extra_text_" + strconv.Itoa(k), `"type": "string"`, "text"
	}
	return "extra_time_" + strconv.Itoa(k), `"type": "datetime", "format": "%Y-%m-%d %H:%M:%S"`, "timestamptz"
}

// wideDDL is the column list of the reference table of the 20-column file.
func wideDDL() string {
	ddl := columnsDDL("bigint", "text", "timestamptz", false)
	for k := range wideExtra {
		name, _, pg := wideColumn(k)
		ddl += ", " + name + " " + pg + " NOT NULL"
	}
	return ddl
}

// wideFields is the Table Schema fields text of the extra columns.
func wideFields() string {
	var b strings.Builder
	for k := range wideExtra {
		name, typ, _ := wideColumn(k)
		fmt.Fprintf(&b, `,
	{"name": %q, %s, "constraints": {"required": true}}`, name, typ)
	}
	return b.String()
}

// writeWideCSV writes n rows of 20 columns after a header.
func writeWideCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	header := strings.Join(columns, ",")
	for k := range wideExtra {
		name, _, _ := wideColumn(k)
		header += "," + name
	}
	fmt.Fprintln(w, header)
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		t := start.Add(time.Duration(i) * time.Minute).Format(time.DateTime)
		fmt.Fprintf(w, "%d,Employee %d,%s,%d,%d", i, i, t, i%12+1, i%40+1)
		for k := range wideExtra {
			switch k % 3 {
			case 0:
				fmt.Fprintf(w, ",%d", i*(k+1))
			case 1:
				fmt.Fprintf(w, ",value %d of %d", k, i)
			default:
				w.WriteString("," + t)
			}
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
