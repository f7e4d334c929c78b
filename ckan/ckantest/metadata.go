package ckantest

import (
	"context"
	"fmt"
	"sort"
)

// tableMetadata is the reserved name that lists DataStore tables.
const tableMetadata = "_table_metadata"

// metadataColumns are _table_metadata's columns.
var metadataColumns = []column{
	idColumn,
	{name: "name", typ: colType{base: "text"}},
	{name: "oid", typ: colType{base: "int4"}},
	{name: "alias_of", typ: colType{base: "text"}},
}

// searchTableMetadata answers datastore_search on _table_metadata: one row
// per table (alias_of null) and per alias, with no auth check, as CKAN's
// whitelist does. Filters compare as text; q and sort are not supported.
func (s *Server) searchTableMetadata(ctx context.Context, c *call, in *searchInput) (map[string]any, error) {
	tables, err := s.Tables(ctx)
	if err != nil {
		return nil, err
	}
	var rows [][]any
	for i, t := range tables {
		oid := int64(16384 + i)
		rows = append(rows, []any{nil, t.ResourceID, oid, nil})
		for _, a := range t.Aliases {
			rows = append(rows, []any{nil, a, oid, t.ResourceID})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i][1].(string) < rows[j][1].(string) })
	for i := range rows {
		rows[i][0] = int64(i + 1)
	}
	rows, err = filterMetadata(rows, in.filters)
	if err != nil {
		return nil, err
	}
	total := len(rows)
	rows = rows[min(in.offset, len(rows)):]
	rows = rows[:min(in.limit, len(rows))]
	selected, err := selectedColumns(metadataColumns, in.fields)
	if err != nil {
		return nil, err
	}
	picked := make([][]any, len(rows))
	for i, r := range rows {
		for _, col := range selected {
			for j, mc := range metadataColumns {
				if mc.name == col.name {
					picked[i] = append(picked[i], r[j])
				}
			}
		}
	}
	out := in.echo
	out["resource_id"] = tableMetadata
	out["fields"] = resultFields(selected)
	out["records"] = renderRecords(in.format, selected, picked)
	out["_links"] = searchLinks(c, in.limit, in.offset)
	if in.includeTotal {
		out["total"], out["total_was_estimated"] = total, false
	}
	return out, nil
}

// filterMetadata keeps the rows whose columns equal the filter values.
func filterMetadata(rows [][]any, filters map[string]any) ([][]any, error) {
	for k, want := range filters {
		idx := -1
		for j, c := range metadataColumns {
			if c.name == k {
				idx = j
			}
		}
		if idx < 0 {
			return nil, fieldError("filters", fmt.Sprintf(`invalid value "%s"`, k))
		}
		values, isList := want.([]any)
		if !isList {
			values = []any{want}
		}
		var kept [][]any
		for _, r := range rows {
			for _, v := range values {
				if r[idx] != nil && textOf(r[idx]) == textOf(v) || r[idx] == nil && v == nil {
					kept = append(kept, r)
					break
				}
			}
		}
		rows = kept
	}
	return rows, nil
}
