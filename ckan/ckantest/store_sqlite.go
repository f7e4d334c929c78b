package ckantest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteDialect stores untyped columns and keeps the PostgreSQL types in
// _ckantest_fields. _full_text is lower-cased text kept by a trigger.
type sqliteDialect struct{}

func (sqliteDialect) setup(ctx context.Context, db *sql.DB) error {
	stmts := append([]string{`CREATE TABLE IF NOT EXISTS _ckantest_fields (
		resource_id TEXT NOT NULL,
		pos INTEGER NOT NULL,
		name TEXT NOT NULL,
		type TEXT NOT NULL,
		info TEXT,
		PRIMARY KEY (resource_id, name))`, sqliteAliasSchema}, metaSchema...)
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite setup: %w", err)
		}
	}
	return nil
}

func (sqliteDialect) placeholder(int, *colType) string { return "?" }

func (sqliteDialect) bind(t colType, v any) any {
	switch x := v.(type) {
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case json.RawMessage:
		return string(x)
	case []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return v
}

func (d sqliteDialect) createTable(ctx context.Context, tx *sql.Tx, id string, cols []column) error {
	defs := []string{`"_id" INTEGER PRIMARY KEY AUTOINCREMENT`, `"_full_text" TEXT`}
	for _, c := range cols {
		defs = append(defs, quoteIdent(c.name))
	}
	q := fmt.Sprintf("CREATE TABLE %s (%s)", quoteIdent(id), strings.Join(defs, ", "))
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return err
	}
	if err := d.writeFields(ctx, tx, id, cols, 0); err != nil {
		return err
	}
	return d.fullTextTrigger(ctx, tx, id, cols)
}

func (d sqliteDialect) writeFields(ctx context.Context, tx *sql.Tx, id string, cols []column, start int) error {
	for i, c := range cols {
		info, err := infoText(c.info)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO _ckantest_fields (resource_id, pos, name, type, info) VALUES (?, ?, ?, ?, ?)",
			id, start+i, c.name, c.typ.stored(), info); err != nil {
			return err
		}
	}
	return nil
}

func infoText(info map[string]any) (any, error) {
	if info == nil {
		return nil, nil
	}
	b, err := json.Marshal(info)
	return string(b), err
}

// fullTextTrigger (re)creates the triggers that fill _full_text from every
// user column, as CKAN's zfulltext trigger does.
func (sqliteDialect) fullTextTrigger(ctx context.Context, tx *sql.Tx, id string, cols []column) error {
	parts := []string{"' '"}
	for _, c := range cols {
		parts = append(parts, fmt.Sprintf("coalesce(lower(CAST(NEW.%s AS TEXT)), '')", quoteIdent(c.name)), "' '")
	}
	expr := strings.Join(parts, " || ")
	for _, ev := range []string{"insert", "update"} {
		name := quoteIdent(id + "_zfulltext_" + ev)
		if _, err := tx.ExecContext(ctx, "DROP TRIGGER IF EXISTS "+name); err != nil {
			return err
		}
		on := "AFTER INSERT ON " + quoteIdent(id)
		if ev == "update" {
			on = "AFTER UPDATE ON " + quoteIdent(id)
			if len(cols) > 0 {
				names := make([]string, len(cols))
				for i, c := range cols {
					names[i] = quoteIdent(c.name)
				}
				on = "AFTER UPDATE OF " + strings.Join(names, ", ") + " ON " + quoteIdent(id)
			}
		}
		q := fmt.Sprintf("CREATE TRIGGER %s %s BEGIN UPDATE %s SET _full_text = %s WHERE _id = NEW._id; END",
			name, on, quoteIdent(id), expr)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func (d sqliteDialect) addColumns(ctx context.Context, tx *sql.Tx, id string, cols, all []column) error {
	existing, _, err := d.columns(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, c := range cols {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s", quoteIdent(id), quoteIdent(c.name))); err != nil {
			return err
		}
	}
	if err := d.writeFields(ctx, tx, id, cols, len(existing)); err != nil {
		return err
	}
	return d.fullTextTrigger(ctx, tx, id, all)
}

func (d sqliteDialect) dropColumns(ctx context.Context, tx *sql.Tx, id string, names []string, keep []column) error {
	// Triggers name the columns: drop them first.
	if err := d.fullTextTrigger(ctx, tx, id, nil); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", quoteIdent(id), quoteIdent(n))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM _ckantest_fields WHERE resource_id = ? AND name = ?", id, n); err != nil {
			return err
		}
	}
	return d.fullTextTrigger(ctx, tx, id, keep)
}

func (sqliteDialect) setInfo(ctx context.Context, tx *sql.Tx, id string, cols []column) error {
	for _, c := range cols {
		info, err := infoText(c.info)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE _ckantest_fields SET info = ? WHERE resource_id = ? AND name = ?", info, id, c.name); err != nil {
			return err
		}
	}
	return nil
}

func (sqliteDialect) columns(ctx context.Context, tx *sql.Tx, id string) ([]column, bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", id).Scan(&n); err != nil {
		return nil, false, err
	}
	if n == 0 || strings.HasPrefix(id, "_ckantest_") || strings.HasPrefix(id, "sqlite_") {
		return nil, false, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT name, type, info FROM _ckantest_fields WHERE resource_id = ? ORDER BY pos", id)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	cols := []column{}
	for rows.Next() {
		var name, typ string
		var info sql.NullString
		if err := rows.Scan(&name, &typ, &info); err != nil {
			return nil, false, err
		}
		t, _ := parseType(typ)
		c := column{name: name, typ: t}
		if info.Valid {
			if err := json.Unmarshal([]byte(info.String), &c.info); err != nil {
				return nil, false, err
			}
		}
		cols = append(cols, c)
	}
	return cols, true, rows.Err()
}

func (sqliteDialect) dropTable(ctx context.Context, tx *sql.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+quoteIdent(id)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM _ckantest_fields WHERE resource_id = ?", id)
	return err
}

func (sqliteDialect) selectExpr(c column) string { return quoteIdent(c.name) }

func (sqliteDialect) sortExpr(c column) string {
	if c.typ.isNumber() {
		return "CAST(" + quoteIdent(c.name) + " AS REAL)"
	}
	return quoteIdent(c.name)
}

func (sqliteDialect) equalExpr(c column, ph string) string {
	if c.typ.base == "numeric" && !c.typ.array {
		return fmt.Sprintf("CAST(%s AS REAL) = CAST(%s AS REAL)", quoteIdent(c.name), ph)
	}
	return quoteIdent(c.name) + " = " + ph
}

// fullText matches every word of q at the start of a word of _full_text
// (SQLite has no tsvector; this approximates plainto_tsquery without
// stemming).
func (sqliteDialect) fullText(tq textQuery, arg func(any) string) string {
	return wordsMatch("_full_text", tq.q, arg)
}

func (sqliteDialect) rank(textQuery, func(any) string) string { return "" }

func (sqliteDialect) columnText(c column, tq textQuery, arg func(any) string) string {
	return wordsMatch("(' ' || lower(CAST("+quoteIdent(c.name)+" AS TEXT)) || ' ')", tq.q, arg)
}

// wordsMatch ANDs one LIKE per word of q over expr.
func wordsMatch(expr, q string, arg func(any) string) string {
	words := queryWords(q)
	if len(words) == 0 {
		return "1 = 1"
	}
	conds := make([]string, len(words))
	for i, w := range words {
		conds[i] = fmt.Sprintf("%s LIKE %s ESCAPE '\\'", expr, arg("% "+likeEscape(w)+"%"))
	}
	return "(" + strings.Join(conds, " AND ") + ")"
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// queryWords splits a full-text query into lower-case words.
func queryWords(q string) []string {
	return strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func (sqliteDialect) uniqueViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

func (sqliteDialect) errorText(err error) string {
	return strings.SplitN(err.Error(), "\n", 2)[0]
}

func (sqliteDialect) sizes(ctx context.Context, tx *sql.Tx, id string) (int64, int64, int64, error) {
	var pages, pageSize int64
	if err := tx.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return 0, 0, 0, err
	}
	if err := tx.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return 0, 0, 0, err
	}
	var size int64
	err := tx.QueryRowContext(ctx, "SELECT coalesce(sum(length(CAST(_full_text AS BLOB))), 0) FROM "+quoteIdent(id)).Scan(&size)
	return size, 0, pages * pageSize, err
}
