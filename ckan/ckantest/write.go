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

// insertRecords validates every record, then inserts them in order. A
// database error names, as CKAN's insert_data does, the request's last
// record in records_row (its loop variable after the loop), not the
// failing one.
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
	rows := make([][]any, len(records))
	for num, r := range records {
		rec := r.(map[string]any)
		vals := make([]any, len(cols))
		for i, c := range cols {
			v, err := s.convertCell(c.typ, rec[c.name])
			if err != nil {
				return s.recordError(err.Error(), len(records)-1)
			}
			vals[i] = s.d.bind(c.typ, v)
		}
		rows[num] = vals
	}
	return s.insertRows(ctx, tx, id, cols, rows)
}

// maxInsertParams keeps a multi-row INSERT under SQLite's parameter limit.
const maxInsertParams = 30000

// insertRows inserts converted rows with multi-row INSERTs (as CKAN's
// executemany batches them). When a batch fails, it is rolled back to a
// savepoint and replayed row by row to name the failing record.
func (s *Server) insertRows(ctx context.Context, tx *sql.Tx, id string, cols []column, rows [][]any) error {
	if len(cols) == 0 {
		for range rows {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s DEFAULT VALUES", quoteIdent(id))); err != nil {
				return err
			}
		}
		return nil
	}
	per := max(1, min(500, maxInsertParams/len(cols)))
	for start := 0; start < len(rows); start += per {
		batch := rows[start:min(start+per, len(rows))]
		q, args := s.insertSQL(id, cols, batch)
		if _, err := tx.ExecContext(ctx, "SAVEPOINT ckt_batch"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT ckt_batch"); rerr != nil {
				return rerr
			}
			return s.findBadRow(ctx, tx, id, cols, batch, len(rows)-1, err)
		}
		if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT ckt_batch"); err != nil {
			return err
		}
	}
	return nil
}

// insertSQL renders one multi-row INSERT.
func (s *Server) insertSQL(id string, cols []column, rows [][]any) (string, []any) {
	args := &argList{d: s.d, vals: make([]any, 0, len(rows)*len(cols))}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quoteIdent(c.name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", quoteIdent(id), strings.Join(names, ", "))
	for r, row := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(args.add(row[i], &cols[i].typ))
		}
		b.WriteByte(')')
	}
	return b.String(), args.vals
}

// findBadRow replays a failed batch row by row and returns the error of
// the first row the database refuses, with records_row last (see
// insertRecords).
func (s *Server) findBadRow(ctx context.Context, tx *sql.Tx, id string, cols []column, batch [][]any, last int, batchErr error) error {
	for _, row := range batch {
		q, args := s.insertSQL(id, cols, [][]any{row})
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			if s.d.uniqueViolation(err) {
				return err
			}
			return s.recordError(s.d.errorText(err), last)
		}
	}
	return batchErr
}

// recordError is {"records": [msg], "records_row": n} ("_records_row" on
// 2.10).
func (s *Server) recordError(msg string, num int) error {
	key := "records_row"
	if s.v210() {
		key = "_records_row"
	}
	return validationError(map[string]any{"records": []string{msg}, key: num})
}

// convertCell is convertIn for written values: 2.10 does not turn "" into
// NULL for non-text columns, so PostgreSQL refuses it.
func (s *Server) convertCell(t colType, v any) (any, error) {
	if str, ok := v.(string); ok && str == "" && s.v210() && !t.isText() {
		return nil, invalidInput(t.base, v)
	}
	return convertIn(t, v)
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
		v, err := s.convertCell(used[i].typ, rec[used[i].name])
		if err != nil {
			return 0, s.recordError(err.Error(), num)
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
			return 0, s.recordError(s.d.errorText(err), num)
		}
		return n, nil
	}
	q = fmt.Sprintf("UPDATE %s SET %s WHERE %s", quoteIdent(id), strings.Join(sets, ", "), where)
	res, err := tx.ExecContext(ctx, q, args.vals...)
	if err != nil {
		if s.d.uniqueViolation(err) {
			return 0, err
		}
		return 0, s.recordError(s.d.errorText(err), num)
	}
	return res.RowsAffected()
}

// keyWhere renders the key match.
func (s *Server) keyWhere(args *argList, keyCols []column, rec map[string]any, num int) (string, error) {
	conds := make([]string, len(keyCols))
	for i := range keyCols {
		v, err := s.convertCell(keyCols[i].typ, rec[keyCols[i].name])
		if err != nil {
			return "", s.recordError(err.Error(), num)
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
		v, err := s.convertCell(used[i].typ, rec[used[i].name])
		if err != nil {
			return s.recordError(err.Error(), num)
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
		return s.recordError(s.d.errorText(err), num)
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
