package ckantest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// writeRecords runs upsert_data: insert, update or upsert of records into
// the table, with CKAN's key rules and messages.
func (s *Server) writeRecords(ctx context.Context, tx *sql.Tx, id string, cols []column, meta tableMeta, records []any, method string) error {
	if method == "insert" {
		return s.insertRecords(ctx, tx, id, cols, records)
	}
	for num, r := range records {
		rec, ok := r.(map[string]any)
		if !ok {
			return fieldError("records", fmt.Sprintf(`row "%d" is not a json object`, num))
		}
		if err := s.upsertRecord(ctx, tx, id, cols, meta.primaryKey, rec, num, method); err != nil {
			return err
		}
	}
	return nil
}

// insertRecords validates every record, then inserts them in order.
func (s *Server) insertRecords(ctx context.Context, tx *sql.Tx, id string, cols []column, records []any) error {
	for num, r := range records {
		rec, ok := r.(map[string]any)
		if !ok {
			return fieldError("records", fmt.Sprintf(`row "%d" is not a json object`, num))
		}
		var extra []string
		for k := range rec {
			if _, ok := findColumn(cols, k); !ok {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			return fieldError("records", fmt.Sprintf(`row "%d" has extra keys "%s"`, num+1, strings.Join(extra, ", ")))
		}
	}
	args := &argList{d: s.d}
	names := make([]string, len(cols))
	phs := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quoteIdent(c.name)
		phs[i] = args.add(nil, &cols[i].typ)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quoteIdent(id), strings.Join(names, ", "), strings.Join(phs, ", "))
	if len(cols) == 0 {
		q = fmt.Sprintf("INSERT INTO %s DEFAULT VALUES", quoteIdent(id))
	}
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer stmt.Close()
	vals := make([]any, len(cols))
	for num, r := range records {
		rec := r.(map[string]any)
		for i, c := range cols {
			v, err := convertIn(c.typ, rec[c.name])
			if err != nil {
				return recordError(err.Error(), num)
			}
			vals[i] = s.d.bind(c.typ, v)
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			if s.d.uniqueViolation(err) {
				return err
			}
			return recordError(s.d.errorText(err), num)
		}
	}
	return nil
}

// recordError is {"records": [msg], "records_row": n}.
func recordError(msg string, num int) error {
	return validationError(map[string]any{"records": []string{msg}, "records_row": num})
}

// upsertRecord updates (and for upsert, inserts when missing) one record
// identified by the unique key or by _id.
func (s *Server) upsertRecord(ctx context.Context, tx *sql.Tx, id string, cols []column, keys []string, rec map[string]any, num int, method string) error {
	_, hasID := rec["_id"]
	if !hasID {
		if len(keys) == 0 {
			return fieldError("table", "unique key must be passed for update/upsert")
		}
		var missing []string
		for _, k := range keys {
			if _, ok := rec[k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return fieldError("key", fmt.Sprintf(`fields "%s" are missing but needed as key`, strings.Join(missing, ", ")))
		}
	}
	var unknown []string
	for k := range rec {
		if _, ok := findColumn(cols, k); !ok && k != "_id" {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fieldError("fields", fmt.Sprintf(`fields "%s" do not exist`, strings.Join(unknown, ", ")))
	}
	keyCols := make([]column, 0, len(keys))
	if hasID {
		keyCols = append(keyCols, idColumn)
	} else {
		for _, k := range keys {
			c, _ := findColumn(cols, k)
			keyCols = append(keyCols, c)
		}
	}
	used := make([]column, 0, len(rec))
	for _, c := range cols {
		if _, ok := rec[c.name]; ok {
			used = append(used, c)
		}
	}
	n, err := s.updateRow(ctx, tx, id, used, keyCols, rec, num)
	if err != nil {
		return err
	}
	if method == "update" {
		if n != 1 {
			return fieldError("key", fmt.Sprintf(`key "%s" not found`, pyDict(keyCols, rec)))
		}
		return nil
	}
	if n > 0 {
		return nil
	}
	return s.insertUsed(ctx, tx, id, used, rec, num)
}

// updateRow runs UPDATE … SET used WHERE key and returns the rows changed.
func (s *Server) updateRow(ctx context.Context, tx *sql.Tx, id string, used, keyCols []column, rec map[string]any, num int) (int64, error) {
	args := &argList{d: s.d}
	sets := make([]string, 0, len(used))
	for i := range used {
		v, err := convertIn(used[i].typ, rec[used[i].name])
		if err != nil {
			return 0, recordError(err.Error(), num)
		}
		sets = append(sets, quoteIdent(used[i].name)+" = "+args.add(s.d.bind(used[i].typ, v), &used[i].typ))
	}
	where, err := s.keyWhere(args, keyCols, rec, num)
	if err != nil {
		return 0, err
	}
	var q string
	if len(sets) == 0 {
		q = fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", quoteIdent(id), where)
		var n int64
		if err := tx.QueryRowContext(ctx, q, args.vals...).Scan(&n); err != nil {
			return 0, recordError(s.d.errorText(err), num)
		}
		return n, nil
	}
	q = fmt.Sprintf("UPDATE %s SET %s WHERE %s", quoteIdent(id), strings.Join(sets, ", "), where)
	res, err := tx.ExecContext(ctx, q, args.vals...)
	if err != nil {
		if s.d.uniqueViolation(err) {
			return 0, err
		}
		return 0, recordError(s.d.errorText(err), num)
	}
	return res.RowsAffected()
}

// keyWhere renders the key match.
func (s *Server) keyWhere(args *argList, keyCols []column, rec map[string]any, num int) (string, error) {
	conds := make([]string, len(keyCols))
	for i := range keyCols {
		v, err := convertIn(keyCols[i].typ, rec[keyCols[i].name])
		if err != nil {
			return "", recordError(err.Error(), num)
		}
		conds[i] = s.d.equalExpr(keyCols[i], args.add(s.d.bind(keyCols[i].typ, v), &keyCols[i].typ))
	}
	return strings.Join(conds, " AND "), nil
}

// insertUsed inserts the record's given columns (the upsert's second half).
func (s *Server) insertUsed(ctx context.Context, tx *sql.Tx, id string, used []column, rec map[string]any, num int) error {
	args := &argList{d: s.d}
	names := make([]string, len(used))
	phs := make([]string, len(used))
	for i := range used {
		v, err := convertIn(used[i].typ, rec[used[i].name])
		if err != nil {
			return recordError(err.Error(), num)
		}
		names[i] = quoteIdent(used[i].name)
		phs[i] = args.add(s.d.bind(used[i].typ, v), &used[i].typ)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quoteIdent(id), strings.Join(names, ", "), strings.Join(phs, ", "))
	if len(used) == 0 {
		q = fmt.Sprintf("INSERT INTO %s DEFAULT VALUES", quoteIdent(id))
	}
	if _, err := tx.ExecContext(ctx, q, args.vals...); err != nil {
		if s.d.uniqueViolation(err) {
			return err
		}
		return recordError(s.d.errorText(err), num)
	}
	return nil
}

// pyDict renders the key values as Python's dict repr, as CKAN's message
// does.
func pyDict(keyCols []column, rec map[string]any) string {
	parts := make([]string, len(keyCols))
	for i, c := range keyCols {
		parts[i] = fmt.Sprintf("'%s': %s", c.name, pyRepr(rec[c.name]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case json.Number:
		return x.String()
	case string:
		return "'" + strings.ReplaceAll(x, "'", `\'`) + "'"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
