package datastore

import (
	"fmt"
	"slices"

	"github.com/datafactory/datafactory/frictionless"
)

// DriftPolicy says what a load does when the target table exists and its
// columns differ from the schema. No policy ever changes the type of an
// existing column: a type difference is always an error.
type DriftPolicy int

// Drift policies.
const (
	// DriftFail (the default) refuses any difference in columns or types.
	DriftFail DriftPolicy = iota
	// DriftEvolve adds the schema's new fields to the table as nullable
	// columns; table columns the schema lacks are left NULL.
	DriftEvolve
	// DriftIgnoreExtra writes only the schema fields the table has; the
	// others are dropped from every row.
	DriftIgnoreExtra
)

// String returns "fail", "evolve" or "ignore-extra".
func (p DriftPolicy) String() string {
	switch p {
	case DriftFail:
		return "fail"
	case DriftEvolve:
		return "evolve"
	case DriftIgnoreExtra:
		return "ignore-extra"
	}
	return fmt.Sprintf("DriftPolicy(%d)", int(p))
}

// plan is how a load maps the source schema onto the table.
type plan struct {
	exists  bool
	table   *frictionless.Schema // the table's definition after the load
	columns []frictionless.Field // the fields written, in row order
	project []int                // source row index per column; nil: identity
	add     []frictionless.Field // columns DriftEvolve adds
	key     []string             // primary key of the table
}

// fieldType returns the field's type with "" read as string.
func fieldType(f *frictionless.Field) frictionless.FieldType {
	if f.Type == "" {
		return frictionless.TypeString
	}
	return f.Type
}

// sameType reports whether two fields store the same kind of value.
func sameType(a, b *frictionless.Field) bool {
	if fieldType(a) != fieldType(b) {
		return false
	}
	if fieldType(a) == frictionless.TypeNumber {
		return (a.Precision > 0) == (b.Precision > 0)
	}
	return true
}

// newPlan compares the source schema with the target's (nil when the target
// does not exist) under policy.
func newPlan(table string, src, target *frictionless.Schema, policy DriftPolicy) (*plan, error) {
	if target == nil {
		return &plan{table: src, columns: src.Fields, key: src.PrimaryKey}, nil
	}
	drift := &DriftError{Table: table}
	var missing []frictionless.Field
	var project []int
	for i := range src.Fields {
		f := &src.Fields[i]
		j := target.FieldIndex(f.Name)
		if j < 0 {
			drift.Missing = append(drift.Missing, f.Name)
			missing = append(missing, *f)
			continue
		}
		project = append(project, i)
		if !sameType(f, &target.Fields[j]) {
			drift.Changed = append(drift.Changed, fmt.Sprintf("%s: table %s, schema %s", f.Name, fieldType(&target.Fields[j]), fieldType(f)))
		}
	}
	if len(src.PrimaryKey) > 0 && len(target.PrimaryKey) > 0 && !slices.Equal(src.PrimaryKey, target.PrimaryKey) {
		drift.Changed = append(drift.Changed, fmt.Sprintf("primary key: table %q, schema %q", target.PrimaryKey, src.PrimaryKey))
	}
	var extra []string
	for i := range target.Fields {
		t := &target.Fields[i]
		if src.FieldIndex(t.Name) >= 0 {
			continue
		}
		extra = append(extra, t.Name)
		if t.Constraints.Required || slices.Contains(target.PrimaryKey, t.Name) {
			drift.Extra = append(drift.Extra, t.Name)
		}
	}
	p := &plan{exists: true, table: target, key: target.PrimaryKey}
	switch {
	case len(drift.Changed) > 0 || len(drift.Extra) > 0:
		return nil, drift
	case policy == DriftFail && (len(drift.Missing) > 0 || len(extra) > 0):
		for _, e := range extra {
			if !slices.Contains(drift.Extra, e) {
				drift.Extra = append(drift.Extra, e)
			}
		}
		return nil, drift
	case policy == DriftEvolve:
		p.add = nullable(missing)
		p.columns = src.Fields
		evolved := *target
		evolved.Fields = append(slices.Clip(target.Fields), p.add...)
		p.table = &evolved
	default: // DriftIgnoreExtra, or nothing differs
		p.columns = make([]frictionless.Field, len(project))
		for k, i := range project {
			p.columns[k] = src.Fields[i]
		}
		if len(project) != len(src.Fields) {
			p.project = project
		} else if len(extra) == 0 {
			// Same columns: the schema's definition (constraints included)
			// serves for a staging table.
			same := *src
			same.PrimaryKey = target.PrimaryKey
			p.table = &same
		}
	}
	if len(p.key) == 0 {
		p.key = src.PrimaryKey
	}
	return p, nil
}

// nullable returns copies of fields without the required constraint.
func nullable(fields []frictionless.Field) []frictionless.Field {
	out := make([]frictionless.Field, len(fields))
	for i, f := range fields {
		f.Constraints.Required = false
		f.Constraints.Unique = false
		out[i] = f
	}
	return out
}
