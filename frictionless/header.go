package frictionless

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// readHeader maps columns to fields: by name when the dialect has a header
// (columns in any order), by position otherwise. Problems are queued as
// *RowError with Row == 0.
func (r *Reader) readHeader() error {
	n := len(r.casters)
	r.colOf = make([]int, n)
	if !r.cfg.header {
		for i := range r.colOf {
			r.colOf[i] = i
		}
		r.width = n
		return nil
	}
	rec, err := r.records.read()
	var pe *csv.ParseError
	switch {
	case err == io.EOF: // empty input: no header, no rows
		for i := range r.colOf {
			r.colOf[i] = -1
		}
		return nil
	case errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote)):
		r.pending = append(r.pending, &RowError{Line: pe.StartLine, Reason: "malformed header: " + pe.Err.Error(),
			Errors: []FieldError{{Reason: "malformed header: " + pe.Err.Error()}}})
		r.mapColumns(nil, pe.StartLine)
		return nil
	case err != nil:
		return fmt.Errorf("frictionless: read CSV header: %w", err)
	}
	line := r.records.recLine
	header := append([]string(nil), rec...)
	r.width = len(header)
	r.mapColumns(header, line)
	return nil
}

// mapColumns fills colOf from header names and queues header problems.
func (r *Reader) mapColumns(header []string, line int) {
	for i := range r.colOf {
		r.colOf[i] = -1
	}
	byName := make(map[string]int, len(r.casters))
	for i, c := range r.casters {
		byName[c.f.Name] = i
	}
	for j, name := range header {
		i, ok := r.fieldFor(byName, name)
		switch {
		case !ok:
			r.headerProblem(line, header, name, "column "+strconv.Itoa(j+1)+" "+strconv.Quote(name)+" is not in the schema")
		case r.colOf[i] >= 0:
			r.headerProblem(line, header, name, "column "+strconv.Itoa(j+1)+" "+strconv.Quote(name)+" repeats column "+strconv.Itoa(r.colOf[i]+1))
		default:
			r.colOf[i] = j
		}
	}
	for i, c := range r.casters {
		if r.colOf[i] < 0 {
			r.pending = append(r.pending, newRowError(line, 0, header, []FieldError{{Field: c.f.Name,
				Reason: "column is missing from the header"}}))
		}
	}
}

// fieldFor finds the field of a header name: exact, then without
// surrounding spaces, then (unless the dialect is case sensitive)
// ignoring case.
func (r *Reader) fieldFor(byName map[string]int, name string) (int, bool) {
	if i, ok := byName[name]; ok {
		return i, true
	}
	name = strings.TrimSpace(name)
	if i, ok := byName[name]; ok {
		return i, true
	}
	if !r.cfg.caseSens {
		for i, c := range r.casters {
			if strings.EqualFold(c.f.Name, name) {
				return i, true
			}
		}
	}
	return 0, false
}

// headerProblem queues a row-level header error about one column.
func (r *Reader) headerProblem(line int, header []string, name, reason string) {
	r.pending = append(r.pending, newRowError(line, 0, header, []FieldError{{Value: name, Reason: reason}}))
}
