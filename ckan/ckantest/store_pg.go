package ckantest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// pgDialect keeps each DataStore table in PostgreSQL as CKAN does: named by
// the resource id, "_id serial primary key", "_full_text tsvector" filled by
// the zfulltext trigger (populate_full_text_trigger), real column types,
// column info as JSON comments. Column types are read from the catalog, so
// tables written directly (COPY) are seen as they are.
type pgDialect struct {
	v210 bool // CKAN 2.10's column comment format
}

// pgSetup creates the trigger function and the comment helper (COMMENT
// takes no parameters; the helper formats the literal with %L).
var pgSetup = []string{
	`CREATE OR REPLACE FUNCTION populate_full_text_trigger() RETURNS trigger AS $body$
BEGIN
    NEW._full_text := (
        SELECT to_tsvector(coalesce(string_agg(value, ' '), ''))
        FROM json_each_text(row_to_json(NEW.*))
        WHERE key NOT LIKE '\_%');
    RETURN NEW;
END;
$body$ LANGUAGE plpgsql`,
	`CREATE OR REPLACE FUNCTION _ckantest_comment(tbl text, col text, info text) RETURNS void AS $body$
BEGIN
    EXECUTE format('COMMENT ON COLUMN %I.%I IS %L', tbl, col, info);
END;
$body$ LANGUAGE plpgsql`,
}

func (pgDialect) setup(ctx context.Context, db *sql.DB) error {
	for _, q := range append(append([]string(nil), pgSetup...), metaSchema...) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("postgres setup: %w", err)
		}
	}
	return nil
}

func (pgDialect) placeholder(n int, t *colType) string {
	if t == nil {
		return fmt.Sprintf("$%d", n)
	}
	return fmt.Sprintf("$%d::%s", n, t.pgDecl())
}

func (pgDialect) bind(t colType, v any) any {
	switch x := v.(type) {
	case json.RawMessage:
		return string(x)
	case []any:
		return pgArrayLiteral(x)
	}
	return v
}

// pgArrayLiteral writes a one-dimensional array literal.
func pgArrayLiteral(items []any) string {
	parts := make([]string, len(items))
	for i, it := range items {
		if it == nil {
			parts[i] = "NULL"
			continue
		}
		s := fullTextOf(it)
		parts[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func (d pgDialect) createTable(ctx context.Context, tx *sql.Tx, id string, cols []column) error {
	defs := []string{`"_id" serial PRIMARY KEY`, `"_full_text" tsvector`}
	for _, c := range cols {
		defs = append(defs, quoteIdent(c.name)+" "+c.typ.pgDecl())
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", quoteIdent(id), strings.Join(defs, ", "))); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(
		"CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()",
		quoteIdent(id))); err != nil {
		return err
	}
	return d.setInfo(ctx, tx, id, cols)
}

func (d pgDialect) addColumns(ctx context.Context, tx *sql.Tx, id string, cols, _ []column) error {
	for _, c := range cols {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", quoteIdent(id), quoteIdent(c.name), c.typ.pgDecl())); err != nil {
			return err
		}
	}
	return d.setInfo(ctx, tx, id, cols)
}

// dropColumns drops columns; the alias views (which select every column)
// are dropped first and made again after, in the same transaction.
func (d pgDialect) dropColumns(ctx context.Context, tx *sql.Tx, id string, names []string, _ []column) error {
	aliases, err := d.aliasesOf(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, a := range aliases {
		if err := d.dropAlias(ctx, tx, a); err != nil {
			return err
		}
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", quoteIdent(id), quoteIdent(n))); err != nil {
			return err
		}
	}
	for _, a := range aliases {
		if err := d.createAlias(ctx, tx, a, id); err != nil {
			return err
		}
	}
	return nil
}

// setInfo writes column info as CKAN does: 2.10 stores the info object as
// the comment; 2.11 stores " " + {"_info": info} (the leading space marks
// the new format, which other plugins may add keys to).
func (d pgDialect) setInfo(ctx context.Context, tx *sql.Tx, id string, cols []column) error {
	for _, c := range cols {
		if c.info == nil {
			continue
		}
		comment, err := d.infoComment(c.info)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "SELECT _ckantest_comment($1, $2, $3)", id, c.name, comment); err != nil {
			return err
		}
	}
	return nil
}

// infoComment is the comment that stores info in the version's format.
func (d pgDialect) infoComment(info map[string]any) (string, error) {
	if d.v210 {
		b, err := json.Marshal(info)
		return string(b), err
	}
	b, err := json.Marshal(map[string]any{"_info": info})
	return " " + string(b), err
}

// commentInfo reads info from a comment as the version does: 2.10 takes the
// whole JSON object; 2.11 takes its "_info" key (description::json ->
// '_info'), so a comment in 2.10's format has no info on 2.11.
func (d pgDialect) commentInfo(comment string) map[string]any {
	var obj map[string]any
	if json.Unmarshal([]byte(comment), &obj) != nil {
		return nil // CKAN ignores comments that are not JSON
	}
	if d.v210 {
		return obj
	}
	info, _ := obj["_info"].(map[string]any)
	return info
}

func (d pgDialect) columns(ctx context.Context, tx *sql.Tx, id string) ([]column, bool, error) {
	if strings.HasPrefix(id, "_ckantest_") || strings.HasPrefix(id, "pg_") {
		return nil, false, nil
	}
	var exists bool
	err := tx.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass(quote_ident($1)) AND relkind IN ('r', 'p'))`, id).Scan(&exists)
	if err != nil || !exists {
		return nil, false, err
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT a.attname, t.typname, col_description(a.attrelid, a.attnum)
		FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
		WHERE a.attrelid = to_regclass(quote_ident($1)) AND a.attnum > 0 AND NOT a.attisdropped
		  AND a.attname NOT IN ('_id', '_full_text')
		ORDER BY a.attnum`, id)
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
		t, ok := parseType(typ)
		if !ok {
			t = colType{base: "text"} // an unsupported type is shown as its text
		}
		c := column{name: name, typ: t}
		if info.Valid && info.String != "" {
			c.info = d.commentInfo(info.String)
		}
		cols = append(cols, c)
	}
	return cols, true, rows.Err()
}

func (pgDialect) dropTable(ctx context.Context, tx *sql.Tx, id string) error {
	_, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+quoteIdent(id)+" CASCADE")
	return err
}

const pgTimestampOut = `'YYYY-MM-DD"T"HH24:MI:SS'`

func (pgDialect) selectExpr(c column) string {
	q := quoteIdent(c.name)
	switch {
	case c.typ.array || c.typ.isJSON():
		return "to_json(" + q + ")::text"
	case c.typ.base == "timestamp":
		return "to_char(" + q + ", " + pgTimestampOut + ")"
	case c.typ.base == "timestamptz":
		return "to_char(" + q + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
	}
	return q + "::text"
}

func (pgDialect) sortExpr(c column) string { return quoteIdent(c.name) }

func (pgDialect) equalExpr(c column, ph string) string {
	if c.typ.base == "nested" && !c.typ.array {
		return quoteIdent(c.name) + "::text = " + ph + "::text"
	}
	return quoteIdent(c.name) + " = " + ph
}

func (pgDialect) fullText(tq textQuery, arg func(any) string) string {
	return fmt.Sprintf("_full_text @@ %s(%s::regconfig, %s)", tsFunc(tq), arg(tq.lang), arg(tq.q))
}

func (pgDialect) columnText(c column, tq textQuery, arg func(any) string) string {
	l := arg(tq.lang)
	return fmt.Sprintf("to_tsvector(%s::regconfig, %s::text) @@ %s(%s::regconfig, %s)", l, quoteIdent(c.name), tsFunc(tq), l, arg(tq.q))
}

func (pgDialect) rank(tq textQuery, arg func(any) string) string {
	return fmt.Sprintf("ts_rank(_full_text, %s(%s::regconfig, %s)) DESC", tsFunc(tq), arg(tq.lang), arg(tq.q))
}

// tsFunc is plainto_tsquery, or to_tsquery for plain=false.
func tsFunc(tq textQuery) string {
	if tq.plain {
		return "plainto_tsquery"
	}
	return "to_tsquery"
}

func (pgDialect) uniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func (pgDialect) errorText(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return strings.SplitN(err.Error(), "\n", 2)[0]
}

func (pgDialect) sizes(ctx context.Context, tx *sql.Tx, id string) (int64, int64, int64, error) {
	var size, idx, db int64
	err := tx.QueryRowContext(ctx, `SELECT pg_relation_size(to_regclass(quote_ident($1))),
		pg_indexes_size(to_regclass(quote_ident($1))), pg_database_size(current_database())`, id).Scan(&size, &idx, &db)
	return size, idx, db, err
}
