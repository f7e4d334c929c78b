package ckantest

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// serveDump is GET /datastore/dump/<id>?format=csv|tsv|json&bom&offset&
// limit&filters&q&fields&sort: the table as a file, with a header row
// (csv, tsv) or as {"fields", "records"} (json), paged rows_max rows at a
// time, sorted by _id unless sort is given.
func (s *Server) serveDump(w http.ResponseWriter, r *http.Request) {
	data := valuesMap(r.URL.Query())
	format := textOf(data["format"])
	if format == "" {
		format = "csv"
	}
	_, bom := data["bom"]
	delete(data, "format")
	delete(data, "bom")
	limit := -1
	if l, ok := data["limit"]; ok {
		n, err := strconv.Atoi(textOf(l))
		if err != nil || n < 0 {
			http.Error(w, "Bad request - limit must be a natural number", http.StatusBadRequest)
			return
		}
		limit = n
		delete(data, "limit")
	}
	data["resource_id"] = r.PathValue("id")
	c := &call{name: "datastore_search", user: s.authUser(r), data: data, r: r}
	if format != "csv" && format != "tsv" && format != "json" {
		http.Error(w, "format: must be one of csv, tsv, json", http.StatusBadRequest)
		return
	}
	out := &dumpWriter{w: w, format: format, bom: bom}
	err := s.dumpPages(r.Context(), c, limit, out)
	if err == nil {
		err = out.finish()
	}
	if err != nil && !out.started {
		var ae *apiError
		if errors.As(err, &ae) {
			http.Error(w, textOf(ae.body["message"]), ae.status)
			return
		}
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	}
}

// dumpPages runs the search page by page and hands each page to out.
func (s *Server) dumpPages(ctx context.Context, c *call, limit int, out *dumpWriter) error {
	offset := 0
	if o, ok := c.data["offset"]; ok {
		n, err := strconv.Atoi(textOf(o))
		if err != nil || n < 0 {
			return fieldError("offset", "Must be a natural number")
		}
		offset = n
	}
	for limit != 0 {
		page := s.opts.RowsMax
		if limit > 0 {
			page = min(page, limit)
		}
		c.data["offset"], c.data["limit"] = strconv.Itoa(offset), strconv.Itoa(page)
		c.data["records_format"], c.data["include_total"] = "lists", "false"
		in, err := s.parseSearch(c)
		if err != nil {
			return err
		}
		var res map[string]any
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			real, err := s.resolveAlias(ctx, tx, in.resID)
			if err != nil {
				return err
			}
			if real == "" {
				return notFound("Resource \"" + in.resID + "\" was not found.")
			}
			if err := s.checkResourceShow(c, real); err != nil {
				return err
			}
			in.resID = real
			res, err = s.runSearch(ctx, tx, c, in)
			return err
		})
		if err != nil {
			return err
		}
		rows, _ := res["records"].([][]any)
		if err := out.page(res["fields"].([]any), rows); err != nil {
			return err
		}
		if len(rows) < page {
			return nil
		}
		offset += len(rows)
		if limit > 0 {
			limit -= len(rows)
		}
	}
	return nil
}

// dumpWriter renders dump pages.
type dumpWriter struct {
	w       http.ResponseWriter
	format  string
	bom     bool
	started bool
	buf     *bufio.Writer
	csv     *csv.Writer
	rows    int
}

func (d *dumpWriter) start(fields []any) error {
	d.started = true
	d.buf = bufio.NewWriter(d.w)
	switch d.format {
	case "json":
		d.w.Header().Set("Content-Type", "application/json; charset=utf-8")
		b, err := json.Marshal(fields)
		if err != nil {
			return err
		}
		_, err = d.buf.WriteString(`{"fields": ` + string(b) + `, "records": [`)
		return err
	default:
		d.w.Header().Set("Content-Type", "text/"+map[string]string{"csv": "csv", "tsv": "tab-separated-values"}[d.format]+"; charset=utf-8")
		if d.bom {
			if _, err := d.buf.WriteString("\uFEFF"); err != nil {
				return err
			}
		}
		d.csv = csv.NewWriter(d.buf)
		if d.format == "tsv" {
			d.csv.Comma = '\t'
		}
		header := make([]string, len(fields))
		for i, f := range fields {
			header[i] = textOf(f.(map[string]any)["id"])
		}
		return d.csv.Write(header)
	}
}

func (d *dumpWriter) page(fields []any, rows [][]any) error {
	if !d.started {
		if err := d.start(fields); err != nil {
			return err
		}
	}
	for _, row := range rows {
		if d.format == "json" {
			b, err := json.Marshal(row)
			if err != nil {
				return err
			}
			if d.rows > 0 {
				_ = d.buf.WriteByte(',')
			}
			if _, err := d.buf.Write(b); err != nil {
				return err
			}
		} else {
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = csvText(v)
			}
			if err := d.csv.Write(rec); err != nil {
				return err
			}
		}
		d.rows++
	}
	return nil
}

func (d *dumpWriter) finish() error {
	if d.format == "json" {
		if _, err := d.buf.WriteString("]}\n"); err != nil {
			return err
		}
	} else {
		d.csv.Flush()
		if err := d.csv.Error(); err != nil {
			return err
		}
	}
	return d.buf.Flush()
}
