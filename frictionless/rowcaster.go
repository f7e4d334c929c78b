package frictionless

import (
	"slices"
	"strconv"
)

// CastOptions configure a [RowCaster]; nil means defaults.
type CastOptions struct {
	// SkipUniqueCheck turns off unique and primary-key checks (which keep
	// every key in memory); default false.
	SkipUniqueCheck bool
}

// RowCaster casts and validates rows that do not come from CSV text: cells
// split by another parser, or JSON values from an API. It applies the same
// checks as a [Reader] (types, constraints, unique fields and primary key
// across the rows it has seen) and numbers rows from 1; RowError.Line is 0.
// The schema is compiled once, so it is much faster than [Field.Cast] per
// value. It is not safe for concurrent use.
type RowCaster struct {
	s      *Schema
	check  rowCheck
	colOf  []int
	cells  []string
	rowNum int
}

// NewRowCaster compiles s. An invalid schema is a *DescriptorError.
func NewRowCaster(s *Schema, opts *CastOptions) (*RowCaster, error) {
	if s == nil {
		return nil, descErr("schema", "is missing")
	}
	if opts == nil {
		opts = &CastOptions{}
	}
	check, err := newRowCheck(s, opts.SkipUniqueCheck)
	if err != nil {
		return nil, err
	}
	colOf := make([]int, len(s.Fields))
	for i := range colOf {
		colOf[i] = i
	}
	return &RowCaster{s: s, check: check, colOf: colOf, cells: make([]string, len(s.Fields))}, nil
}

// CastStrings casts raw cells given in schema field order; missing values
// are the schema's. A bad row is a *RowError.
func (c *RowCaster) CastStrings(cells []string) (Row, error) {
	c.rowNum++
	if len(cells) != len(c.colOf) {
		return nil, newRowError(0, c.rowNum, cells, []FieldError{{
			Reason: "row has " + strconv.Itoa(len(cells)) + " cells, expected " + strconv.Itoa(len(c.colOf))}})
	}
	row := make(Row, len(c.colOf))
	if errs := c.check.castCells(cells, c.colOf, row, c.rowNum); errs != nil {
		return nil, newRowError(0, c.rowNum, cells, errs)
	}
	return row, nil
}

// CastValues casts JSON-decoded values (string, json.Number, float64,
// bool, nil, map[string]any, []any) or typed Go values given in schema
// field order, as [Field.CastValue] does; nil is a missing value. A bad
// row is a *RowError whose Raw holds the values as text.
func (c *RowCaster) CastValues(values []any) (Row, error) {
	if len(values) != len(c.colOf) {
		c.rowNum++
		raw := make([]string, len(values))
		for i, v := range values {
			raw[i] = inlineCell(v)
		}
		return nil, newRowError(0, c.rowNum, raw, []FieldError{{
			Reason: "row has " + strconv.Itoa(len(values)) + " values, expected " + strconv.Itoa(len(c.colOf))}})
	}
	return c.castAny(values, nil)
}

// CastObject casts a JSON object keyed by field name; absent keys are
// missing values and keys not in the schema are errors. A bad row is a
// *RowError.
func (c *RowCaster) CastObject(obj map[string]any) (Row, error) {
	values := make([]any, len(c.colOf))
	for i := range c.s.Fields {
		values[i] = obj[c.s.Fields[i].Name]
	}
	var unknown []string
	for k := range obj {
		if c.s.FieldIndex(k) < 0 {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	var errs []FieldError
	for _, k := range unknown {
		errs = append(errs, FieldError{Field: k, Value: inlineCell(obj[k]), Reason: "field is not in the schema"})
	}
	return c.castAny(values, errs)
}

// castAny casts values in field order; typed values keep their type
// (after the constraint checks) instead of going through text.
func (c *RowCaster) castAny(values []any, errs []FieldError) (Row, error) {
	c.rowNum++
	row := make(Row, len(values))
	for i, v := range values {
		c.cells[i] = inlineCell(v)
		cst := c.check.casters[i]
		if s, ok := v.(string); v == nil || ok && c.check.isMissing(s) {
			if cst.required {
				errs = append(errs, FieldError{Field: cst.f.Name, Value: c.cells[i], Reason: "value is required"})
			}
			continue
		}
		out, ferr := cst.castValue(v)
		if ferr != nil {
			errs = append(errs, *ferr)
			continue
		}
		row[i] = out
	}
	if errs == nil && c.check.uniq != nil {
		errs = c.check.uniq.check(row, c.cells, c.colOf, c.rowNum)
	}
	if errs != nil {
		return nil, newRowError(0, c.rowNum, c.cells, errs)
	}
	return row, nil
}
