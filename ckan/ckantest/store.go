package ckantest

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// column is one user column of a DataStore table (never _id or
// _full_text).
type column struct {
	name string
	typ  colType
	info map[string]any
}

// tableMeta is what the server keeps about a table besides its columns.
type tableMeta struct {
	primaryKey []string
	pkIndex    string
	indexes    [][]string
	idxNames   []string
}

// dialect is the SQL database holding the DataStore tables. SQLite keeps
// column types in a metadata table (its own column types are untyped, so
// numeric keeps every digit); PostgreSQL has real typed columns, a tsvector
// _full_text column filled by a trigger, and column info in comments, as
// CKAN's own DataStore does.
type dialect interface {
	// setup creates what the dialect needs once per database.
	setup(ctx context.Context, db *sql.DB) error
	// placeholder returns the n-th (1-based) parameter marker for a value of
	// type t (nil: untyped).
	placeholder(n int, t *colType) string
	// bind turns a canonical value (see convertIn) into a driver argument.
	bind(t colType, v any) any
	createTable(ctx context.Context, tx *sql.Tx, id string, cols []column) error
	addColumns(ctx context.Context, tx *sql.Tx, id string, cols []column, all []column) error
	dropColumns(ctx context.Context, tx *sql.Tx, id string, names []string, keep []column) error
	setInfo(ctx context.Context, tx *sql.Tx, id string, cols []column) error
	// columns lists the user columns in order; ok is false when the table
	// does not exist.
	columns(ctx context.Context, tx *sql.Tx, id string) (cols []column, ok bool, err error)
	dropTable(ctx context.Context, tx *sql.Tx, id string) error
	// selectExpr renders a column for output (decoded by decodeOut).
	selectExpr(c column) string
	// sortExpr renders a column for ORDER BY.
	sortExpr(c column) string
	// equalExpr compares a column with the placeholder ph.
	equalExpr(c column, ph string) string
	// fullText renders a match of _full_text against tq; arg adds a
	// parameter and returns its placeholder.
	fullText(tq textQuery, arg func(any) string) string
	// rank renders the relevance of a row to tq for ORDER BY ("" when the
	// dialect cannot rank).
	rank(tq textQuery, arg func(any) string) string
	// columnText renders a match of one column against tq.
	columnText(c column, tq textQuery, arg func(any) string) string
	// uniqueViolation reports whether err is a unique-constraint failure.
	uniqueViolation(err error) bool
	// errorText is the first line of a database error.
	errorText(err error) string
	// sizes returns the table's data size and index size in bytes and the
	// database size.
	sizes(ctx context.Context, tx *sql.Tx, id string) (size, idx, db int64, err error)
	// aliasesOf lists the aliases of table id, sorted.
	aliasesOf(ctx context.Context, tx *sql.Tx, id string) ([]string, error)
	// aliasTarget is the table an alias names ("" when name is no alias).
	aliasTarget(ctx context.Context, tx *sql.Tx, name string) (string, error)
	// createAlias makes name an alias of table id; a name already taken by
	// a table or alias is the "already exists" ValidationError.
	createAlias(ctx context.Context, tx *sql.Tx, name, id string) error
	// dropAlias removes an alias.
	dropAlias(ctx context.Context, tx *sql.Tx, name string) error
}

// textQuery is a full-text query: q in language lang, parsed with
// plainto_tsquery when plain, else to_tsquery.
type textQuery struct {
	q, lang string
	plain   bool
}

// argList collects query parameters and hands out placeholders.
type argList struct {
	d    dialect
	vals []any
}

// add appends v and returns its placeholder, cast to t when t is non-nil.
func (a *argList) add(v any, t *colType) string {
	a.vals = append(a.vals, v)
	return a.d.placeholder(len(a.vals), t)
}

// plain is add without a type, usable as a func(any) string.
func (a *argList) plain(v any) string { return a.add(v, nil) }

// quoteIdent quotes an identifier for SQL (both dialects use ").
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// indexName derives a stable index name from the table and its columns.
func indexName(id string, cols []string, unique bool) string {
	h := sha1.Sum([]byte(id + "|" + strings.Join(cols, ",")))
	prefix := "idx"
	if unique {
		prefix = "uniq"
	}
	return prefix + "_" + hex.EncodeToString(h[:12])
}

// metaSchema is shared by both dialects: per-table keys and indexes.
var metaSchema = []string{
	`CREATE TABLE IF NOT EXISTS _ckantest_tables (
		resource_id TEXT PRIMARY KEY,
		meta TEXT NOT NULL)`,
}

// storedMeta is tableMeta as JSON in _ckantest_tables.
type storedMeta struct {
	PrimaryKey []string   `json:"primary_key"`
	PKIndex    string     `json:"pk_index"`
	Indexes    [][]string `json:"indexes"`
	IdxNames   []string   `json:"index_names"`
}

func (s *Server) loadMeta(ctx context.Context, tx *sql.Tx, id string) (tableMeta, error) {
	var raw string
	err := tx.QueryRowContext(ctx, "SELECT meta FROM _ckantest_tables WHERE resource_id = "+s.d.placeholder(1, nil), id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return tableMeta{}, nil
	}
	if err != nil {
		return tableMeta{}, err
	}
	var m storedMeta
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return tableMeta{}, err
	}
	return tableMeta{primaryKey: m.PrimaryKey, pkIndex: m.PKIndex, indexes: m.Indexes, idxNames: m.IdxNames}, nil
}

func (s *Server) saveMeta(ctx context.Context, tx *sql.Tx, id string, m tableMeta) error {
	b, err := json.Marshal(storedMeta{PrimaryKey: m.primaryKey, PKIndex: m.pkIndex, Indexes: m.indexes, IdxNames: m.idxNames})
	if err != nil {
		return err
	}
	p1, p2 := s.d.placeholder(1, nil), s.d.placeholder(2, nil)
	if _, err := tx.ExecContext(ctx, "DELETE FROM _ckantest_tables WHERE resource_id = "+p1, id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO _ckantest_tables (resource_id, meta) VALUES ("+p1+", "+p2+")", id, string(b))
	return err
}

// aliasesOf lists a table's aliases.
func (s *Server) aliasesOf(ctx context.Context, tx *sql.Tx, id string) ([]string, error) {
	return s.d.aliasesOf(ctx, tx, id)
}

// resolveAlias returns the table behind an id or alias, or "" if none.
func (s *Server) resolveAlias(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	if _, ok, err := s.d.columns(ctx, tx, id); err != nil || ok {
		if ok {
			return id, nil
		}
		return "", err
	}
	return s.d.aliasTarget(ctx, tx, id)
}

// dropTableAll drops a table with its metadata and aliases.
func (s *Server) dropTableAll(ctx context.Context, tx *sql.Tx, id string) error {
	aliases, err := s.d.aliasesOf(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, a := range aliases {
		if err := s.d.dropAlias(ctx, tx, a); err != nil {
			return err
		}
	}
	if err := s.d.dropTable(ctx, tx, id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM _ckantest_tables WHERE resource_id = "+s.d.placeholder(1, nil), id)
	return err
}

// createIndex builds a (unique) index over cols.
func (s *Server) createIndex(ctx context.Context, tx *sql.Tx, id string, cols []string, unique bool) (string, error) {
	name := indexName(id, cols, unique)
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	kind := "INDEX"
	if unique {
		kind = "UNIQUE INDEX"
	}
	q := fmt.Sprintf("CREATE %s %s ON %s (%s)", kind, quoteIdent(name), quoteIdent(id), strings.Join(quoted, ", "))
	_, err := tx.ExecContext(ctx, q)
	return name, err
}

func (s *Server) dropIndex(ctx context.Context, tx *sql.Tx, name string) error {
	_, err := tx.ExecContext(ctx, "DROP INDEX IF EXISTS "+quoteIdent(name))
	return err
}

// countRows counts a table's rows.
func (s *Server) countRows(ctx context.Context, tx *sql.Tx, id string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(id)).Scan(&n)
	return n, err
}

// findColumn returns the column named name.
func findColumn(cols []column, name string) (column, bool) {
	for _, c := range cols {
		if c.name == name {
			return c, true
		}
	}
	return column{}, false
}

// idColumn is the serial _id column as search reports it.
var idColumn = column{name: "_id", typ: colType{base: "int4"}}
