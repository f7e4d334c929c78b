package ckantest

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// datastoreDelete is datastore_delete: without filters it drops the table
// and clears datastore_active; with filters it deletes the matching rows
// ({} deletes every row and keeps the table).
func (s *Server) datastoreDelete(ctx context.Context, c *call) (any, error) {
	return s.deleteAction(ctx, c, false)
}

// datastoreRecordsDelete is datastore_records_delete: filters are required
// and the table is never dropped.
func (s *Server) datastoreRecordsDelete(ctx context.Context, c *call) (any, error) {
	return s.deleteAction(ctx, c, true)
}

func (s *Server) deleteAction(ctx context.Context, c *call, recordsOnly bool) (any, error) {
	f := newForm(c.data)
	f.rename("id", "resource_id")
	resID := f.str("resource_id", true)
	force := f.boolean("force")
	f.boolean("calculate_record_count")
	filtersRaw, hasFilters := f.get("filters")
	if recordsOnly && (!hasFilters || filtersRaw == nil) {
		f.addErr("filters", "Missing value")
	}
	if err := f.finish(); err != nil {
		return nil, err
	}
	if err := s.checkResourceUpdate(c, resID); err != nil {
		return nil, err
	}
	if err := s.checkReadOnly(resID, force); err != nil {
		return nil, err
	}
	var filters map[string]any
	if filtersRaw != nil {
		m, ok := filtersRaw.(map[string]any)
		if !ok {
			return nil, fieldError("filters", "filters must be either a dict or null.")
		}
		filters = m
	}
	dropped := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cols, ok, err := s.d.columns(ctx, tx, resID)
		if err != nil {
			return err
		}
		if !ok {
			return notFound(fmt.Sprintf(`Resource "%s" was not found.`, resID))
		}
		if filters == nil {
			dropped = true
			return s.dropTableAll(ctx, tx, resID)
		}
		args := &argList{d: s.d}
		where, err := s.filterWhere(args, append([]column{idColumn}, cols...), filters)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s", quoteIdent(resID), where), args.vals...)
		return err
	})
	if err != nil {
		return nil, s.dbError(err)
	}
	if dropped || s.v210() && len(filters) == 0 {
		s.setDatastoreActive(resID, false) // 2.10: any falsy filters too
	}
	out := map[string]any{}
	for k, v := range c.data {
		out[k] = v
	}
	return out, nil
}

// filterWhere renders filters (column → value, or list of values) as an
// AND of = and IN conditions. Unknown columns are
// {"filters": ["invalid value \"col\""]}; values the column cannot hold are
// an "Invalid query".
func (s *Server) filterWhere(args *argList, cols []column, filters map[string]any) (string, error) {
	keys := make([]string, 0, len(filters))
	for k := range filters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	conds := []string{"1 = 1"}
	for _, k := range keys {
		c, ok := findColumn(cols, k)
		if !ok {
			return "", fieldError("filters", fmt.Sprintf(`invalid value "%s"`, k))
		}
		values, isList := filters[k].([]any)
		if !isList || c.typ.array {
			values = []any{filters[k]}
		}
		if len(values) == 0 {
			conds = append(conds, "1 = 0")
			continue
		}
		// CKAN renders a list as "col" IN (…); a chain of ORs would hit
		// SQLite's expression depth limit on long lists.
		plainEqual := s.d.equalExpr(c, "?") == quoteIdent(c.name)+" = ?"
		var ors, in []string
		for _, v := range values {
			cv, err := convertIn(c.typ, v)
			if err != nil {
				return "", invalidQuery(err.Error())
			}
			if cv == nil {
				ors = append(ors, quoteIdent(c.name)+" IS NULL")
				continue
			}
			ph := args.add(s.d.bind(c.typ, cv), &c.typ)
			if plainEqual {
				in = append(in, ph)
			} else {
				ors = append(ors, s.d.equalExpr(c, ph))
			}
		}
		if len(in) > 0 {
			ors = append(ors, quoteIdent(c.name)+" IN ("+strings.Join(in, ", ")+")")
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	return strings.Join(conds, " AND "), nil
}

// invalidQuery is search's SQL-error answer.
func invalidQuery(orig string) error {
	return validationError(map[string]any{
		"query": []string{"Invalid query"},
		"info":  map[string]any{"orig": []string{orig}},
	})
}
