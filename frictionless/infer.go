package frictionless

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// InferOptions configure [Infer]; nil means defaults.
type InferOptions struct {
	// Dialect describes the CSV layout; nil → comma, header row. Without
	// a header, fields are named field1, field2, …
	Dialect *Dialect
	// Encoding names the text encoding; "" → utf-8.
	Encoding string
	// SampleSize limits how many data rows are scanned; 0 → all of them.
	SampleSize int
	// Types forces the type of the named fields; they are not inferred.
	Types map[string]FieldType
	// MissingValues are skipped when inferring; nil → [""]. They are
	// copied to the schema when set.
	MissingValues []string
}

// candidate types, in the order of preference when several fit.
const (
	candInteger = 1 << iota
	candNumber
	candBoolean
	candDate
	candDateTime
	candTime
	candAll = candInteger | candNumber | candBoolean | candDate | candDateTime | candTime
)

var candTypes = []FieldType{TypeInteger, TypeNumber, TypeBoolean, TypeDate, TypeDateTime, TypeTime}

// Infer reads CSV text and returns a Table Schema for it. Every scanned
// value must fit a type for the type to be chosen: a type is never
// narrowed against the data (a column of "007" is a string, an integer
// column with "3.5" in its last row is a number). Booleans are inferred
// from true/false words only (0/1 columns are integers).
func Infer(r io.Reader, opts *InferOptions) (*Schema, error) {
	if opts == nil {
		opts = &InferOptions{}
	}
	cfg, err := opts.Dialect.resolve("dialect")
	if err != nil {
		return nil, err
	}
	for name, t := range opts.Types {
		if !t.Valid() {
			return nil, descErr("types."+name, "unknown type %q", string(t))
		}
	}
	src, err := decodeInput(r, opts.Encoding)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(newLineEnds(src, cfg.comma, cfg.trimSpace))
	cr.Comma, cr.Comment, cr.TrimLeadingSpace = cfg.comma, cfg.comment, cfg.trimSpace
	cr.FieldsPerRecord, cr.ReuseRecord, cr.LazyQuotes = -1, true, true
	st := &inferState{missing: (&Schema{MissingValues: opts.MissingValues}).missingValues()}
	st.clock.kind = TypeTime
	if cfg.header {
		rec, err := cr.Read()
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("frictionless: infer: read header: %w", err)
		}
		st.names = append(st.names, rec...)
		// with a header, the header says how many fields there are: a
		// longer row is the reader's reject, not a new field
		st.width = len(st.names)
	}
	for rows := 0; opts.SampleSize <= 0 || rows < opts.SampleSize; rows++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("frictionless: infer: %w", err)
		}
		st.observe(rec)
	}
	schema := st.schema(opts)
	if len(schema.Fields) == 0 {
		return nil, ErrNoFields
	}
	return schema, nil
}

// inferState tracks the candidate types of each column.
type inferState struct {
	names   []string
	width   int // fields of the header; 0 without one
	cands   []int
	seen    []bool
	missing []string
	clock   caster
}

func (st *inferState) observe(rec []string) {
	if st.width > 0 && len(rec) > st.width {
		rec = rec[:st.width]
	}
	for len(st.cands) < len(rec) {
		st.cands = append(st.cands, candAll)
		st.seen = append(st.seen, false)
	}
	for j, v := range rec {
		if st.cands[j] == 0 || st.isMissing(v) {
			continue
		}
		st.seen[j] = true
		st.cands[j] &= st.fits(v, st.cands[j])
	}
}

func (st *inferState) isMissing(v string) bool {
	for _, m := range st.missing {
		if v == m {
			return true
		}
	}
	return false
}

// fits returns the subset of cands that v fits.
func (st *inferState) fits(v string, cands int) int {
	out := 0
	if cands&(candInteger|candNumber) != 0 && canonicalNumber(v) {
		if cands&candNumber != 0 {
			out |= candNumber
		}
		if cands&candInteger != 0 && isIntegerText(v) {
			out |= candInteger
		}
	}
	if cands&candBoolean != 0 {
		switch v {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			out |= candBoolean
		}
	}
	if cands&candDate != 0 && len(v) == 10 {
		if _, _, _, ok := parseISODate(v); ok {
			out |= candDate
		}
	}
	if cands&candDateTime != 0 {
		if _, ok := st.clock.parseDateTime(v); ok {
			out |= candDateTime
		}
	}
	if cands&candTime != 0 {
		if _, ok := st.clock.parseClock(v, 0, 1, 1); ok {
			out |= candTime
		}
	}
	return out
}

// canonicalNumber accepts numbers without leading zeros ("0.5", "-12",
// "1e6"), so that codes such as "007" stay strings.
func canonicalNumber(s string) bool {
	if !plainNumber(s) || s[0] == '+' {
		return false
	}
	digits := s
	if digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" || digits[0] == '.' {
		return false
	}
	if len(digits) > 1 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9' {
		return false
	}
	last := s[len(s)-1]
	return last != '.'
}

// isIntegerText reports whether a canonical number is an int64.
func isIntegerText(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func (st *inferState) schema(opts *InferOptions) *Schema {
	n := max(len(st.names), len(st.cands))
	s := &Schema{Fields: make([]Field, n), MissingValues: opts.MissingValues}
	used := make(map[string]bool, n)
	for j := range n {
		name := "field" + strconv.Itoa(j+1)
		if j < len(st.names) && st.names[j] != "" {
			name = st.names[j]
		}
		if used[name] {
			name += "_" + strconv.Itoa(j+1)
		}
		used[name] = true
		typ := TypeString
		if j < len(st.cands) && st.seen[j] {
			for k, t := range candTypes {
				if st.cands[j]&(1<<k) != 0 {
					typ = t
					break
				}
			}
		}
		if forced, ok := opts.Types[name]; ok {
			typ = forced
		}
		s.Fields[j] = Field{Name: name, Type: typ}
	}
	return s
}
