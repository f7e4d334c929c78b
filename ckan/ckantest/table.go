package ckantest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
)

// createOrAlter creates the table or adds the new columns, then applies
// keys, indexes and aliases and inserts the records. It returns the
// "fields" echo (with guessed types).
func (s *Server) createOrAlter(ctx context.Context, tx *sql.Tx, in *createInput) ([]any, error) {
	existing, exists, err := s.d.columns(ctx, tx, in.resID)
	if err != nil {
		return nil, err
	}
	if err := checkFields(in.fields, !exists); err != nil {
		return nil, err
	}
	var first map[string]any
	if len(in.records) > 0 {
		var ok bool
		if first, ok = in.records[0].(map[string]any); !ok {
			return nil, fieldError("records", "The first row is not a json object")
		}
	}
	newCols, echo, err := planColumns(in.fields, existing, first)
	if err != nil {
		return nil, err
	}
	if !exists {
		err = s.d.createTable(ctx, tx, in.resID, newCols)
	} else {
		err = s.alterTable(ctx, tx, in, existing, newCols)
	}
	if err != nil {
		return nil, err
	}
	cols, _, err := s.d.columns(ctx, tx, in.resID)
	if err != nil {
		return nil, err
	}
	if err := s.applyKeys(ctx, tx, in, cols); err != nil {
		return nil, err
	}
	if in.hasAliases {
		if err := s.applyAliases(ctx, tx, in.resID, in.aliases); err != nil {
			return nil, err
		}
	}
	if len(in.records) > 0 {
		meta, err := s.loadMeta(ctx, tx, in.resID)
		if err != nil {
			return nil, err
		}
		if err := s.writeRecords(ctx, tx, in.resID, cols, meta, in.records, "insert"); err != nil {
			return nil, err
		}
	}
	if len(in.fields) == 0 {
		return nil, nil
	}
	return echo, nil
}

// checkFields is check_fields plus the 63-character rule of create_table.
func checkFields(fields []fieldIn, newTable bool) error {
	for _, f := range fields {
		if !validFieldName(f.id) {
			return fieldError("fields", fmt.Sprintf("%q is not a valid field name", f.id))
		}
		if f.hasType {
			if _, ok := parseType(f.typ); !ok {
				return fieldError("fields", fmt.Sprintf("%q is not a valid field type", f.typ))
			}
		}
	}
	if newTable {
		var msgs []string
		for _, f := range fields {
			if len(f.id) > maxColumnName {
				msgs = append(msgs, fmt.Sprintf(`Column heading "%s" exceeds limit of 63 characters.`, f.id))
			}
		}
		if len(msgs) > 0 {
			return validationError(map[string]any{"fields": msgs})
		}
	}
	return nil
}

// planColumns works out the columns to add: supplied fields that do not
// exist yet (types guessed from the first record when missing), then the
// first record's keys that are neither supplied nor existing.
func planColumns(fields []fieldIn, existing []column, first map[string]any) ([]column, []any, error) {
	var add []column
	echo := make([]any, 0, len(fields))
	seen := map[string]bool{}
	for _, f := range fields {
		if !f.hasType {
			v, ok := first[f.id]
			if _, have := findColumn(existing, f.id); !have && (!ok || first == nil) {
				return nil, nil, fieldError("fields", fmt.Sprintf(`"%s" type not guessable`, f.id))
			}
			if ok {
				f.typ = guessType(v)
			} else {
				c, _ := findColumn(existing, f.id)
				f.typ = c.typ.infoName()
			}
		}
		e := map[string]any{"id": f.id, "type": f.typ}
		if f.info != nil {
			e["info"] = f.info
		}
		echo = append(echo, e)
		if seen[f.id] {
			return nil, nil, fieldError("field", "Duplicate column names are not supported")
		}
		seen[f.id] = true
		if _, have := findColumn(existing, f.id); have {
			continue
		}
		t, _ := parseType(f.typ)
		add = append(add, column{name: f.id, typ: t, info: f.info})
	}
	keys := make([]string, 0, len(first))
	for k := range first {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, have := findColumn(existing, k); have || seen[k] || k == "_id" || k == "_full_text" {
			continue
		}
		t, _ := parseType(guessType(first[k]))
		add = append(add, column{name: k, typ: t})
	}
	return add, echo, nil
}

// alterTable adds new columns, updates column info and, with
// delete_fields, drops the columns not supplied.
func (s *Server) alterTable(ctx context.Context, tx *sql.Tx, in *createInput, existing, add []column) error {
	all := append(append([]column(nil), existing...), add...)
	if len(add) > 0 {
		if err := s.d.addColumns(ctx, tx, in.resID, add, all); err != nil {
			return err
		}
	}
	var infos []column
	supplied := map[string]bool{}
	for _, f := range in.fields {
		supplied[f.id] = true
		if c, ok := findColumn(existing, f.id); ok && f.info != nil {
			c.info = f.info
			infos = append(infos, c)
		}
	}
	if len(infos) > 0 {
		if err := s.d.setInfo(ctx, tx, in.resID, infos); err != nil {
			return err
		}
	}
	if !in.deleteFields || len(in.fields) == 0 {
		return nil
	}
	var drop []string
	var keep []column
	for _, c := range all {
		if supplied[c.name] {
			keep = append(keep, c)
		} else {
			drop = append(drop, c.name)
		}
	}
	if len(drop) == 0 {
		return nil
	}
	return s.d.dropColumns(ctx, tx, in.resID, drop, keep)
}

// applyKeys replaces the unique key and the indexes when they were passed.
func (s *Server) applyKeys(ctx context.Context, tx *sql.Tx, in *createInput, cols []column) error {
	if !in.hasPK && !in.hasIndexes {
		return nil
	}
	meta, err := s.loadMeta(ctx, tx, in.resID)
	if err != nil {
		return err
	}
	check := func(names []string) error {
		for _, n := range names {
			if _, ok := findColumn(cols, n); !ok && n != "_id" {
				return fieldError("index", fmt.Sprintf(`The field "%s" is not a valid column name.`, n))
			}
		}
		return nil
	}
	if in.hasPK {
		if err := check(in.primaryKey); err != nil {
			return err
		}
		if meta.pkIndex != "" {
			if err := s.dropIndex(ctx, tx, meta.pkIndex); err != nil {
				return err
			}
		}
		meta.primaryKey, meta.pkIndex = in.primaryKey, ""
		if len(in.primaryKey) > 0 {
			if meta.pkIndex, err = s.createIndex(ctx, tx, in.resID, in.primaryKey, true); err != nil {
				return err
			}
		}
	}
	if in.hasIndexes {
		for _, name := range meta.idxNames {
			if err := s.dropIndex(ctx, tx, name); err != nil {
				return err
			}
		}
		meta.indexes, meta.idxNames = nil, nil
		for _, idx := range in.indexes {
			if err := check(idx); err != nil {
				return err
			}
			name, err := s.createIndex(ctx, tx, in.resID, idx, false)
			if err != nil {
				return err
			}
			meta.indexes, meta.idxNames = append(meta.indexes, idx), append(meta.idxNames, name)
		}
	}
	return s.saveMeta(ctx, tx, in.resID, meta)
}

// applyAliases replaces the table's aliases, as create_alias does: the
// previous ones are dropped, then each new one is created (a name taken by
// any table or alias of the site is refused).
func (s *Server) applyAliases(ctx context.Context, tx *sql.Tx, resID string, aliases []string) error {
	previous, err := s.d.aliasesOf(ctx, tx, resID)
	if err != nil {
		return err
	}
	for _, a := range previous {
		if err := s.d.dropAlias(ctx, tx, a); err != nil {
			return err
		}
	}
	for _, a := range aliases {
		if !validAliasName(a) {
			return fieldError("alias", fmt.Sprintf(`"%s" is not a valid alias name`, a))
		}
		if err := s.d.createAlias(ctx, tx, a, resID); err != nil {
			return err
		}
	}
	return nil
}

// aliasTaken is the ValidationError for an alias name already in use.
func aliasTaken(name string) error {
	return fieldError("alias", fmt.Sprintf(`"%s" already exists`, name))
}

// dbError maps a failed write to CKAN's answers: unique violations are a
// "constraints" ValidationError; API errors pass; anything else is 500.
func (s *Server) dbError(err error) error {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if s.d.uniqueViolation(err) {
		return validationError(map[string]any{
			"constraints": []string{"Cannot insert records or create index because of uniqueness constraint"},
			"info":        map[string]any{"orig": s.d.errorText(err), "pgcode": "23505"},
		})
	}
	return err
}
