package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jmoiron/sqlx"
)

var _ driver.StoredOrderReader = pgSnapshot{}

// ReadValuesAsStored reads the table by a sequential scan, through a
// cursor FETCHed pgFetchRows rows at a time, and checks that the key rises
// from row to row. A scan that finds a key out of order stops at the end
// of its FETCH and closes the cursor: no query is cancelled, so the
// snapshot's transaction goes on and ReadValues can read by the index.
// It turns synchronized scans off for the rest of the snapshot, so the
// scan starts at the table's first page rather than where another scan
// of it is.
//
// It reads only a table whose primary key is one column of a type whose
// binary form is a signed integer in the order of its values (smallint,
// integer, bigint, date, timestamp, timestamptz) read into a field of its
// natural type, and only when the statistics show no update of the table
// and, when the key's statistics are gathered, a correlation of its values
// with their place of at least pgStoredCorrelation.
func (s pgSnapshot) ReadValuesAsStored(ctx context.Context, table string, schema *frictionless.Schema, sink driver.ValueSink) error {
	if len(schema.PrimaryKey) != 1 {
		return fmt.Errorf("read as stored: %w: the primary key is not one column", errors.ErrUnsupported)
	}
	key := schema.FieldIndex(schema.PrimaryKey[0])
	likely, err := pgLikelyInKeyOrder(ctx, s.tx, s.d, table, schema.PrimaryKey[0])
	if err != nil {
		return err
	}
	if !likely {
		return fmt.Errorf("read as stored: %w: the table's statistics show updates or rows out of key order", errors.ErrUnsupported)
	}
	return withPgx(s.conn.Conn, func(pc *pgx.Conn) error {
		return pgReadStored(ctx, pc.PgConn(), s.d, table, schema, key, sink)
	})
}

// pgStoredCorrelation is the least correlation between the key's values
// and their place in the table, by the statistics, at which a read as
// stored is tried.
const pgStoredCorrelation = 0.99

// pgLikelyInKeyOrder tells from the statistics whether the table's rows
// are likely stored in key order: no row was ever updated (an update
// stores the row's new version elsewhere), and the key's values correlate
// with their place when ANALYZE has measured it. It is a guess: the read
// checks the order itself. The query cannot fail on a table that exists,
// which would abort the snapshot's transaction.
func pgLikelyInKeyOrder(ctx context.Context, q sqlx.QueryerContext, d dialect, table, key string) (bool, error) {
	var likely bool
	err := q.QueryRowxContext(ctx, `SELECT coalesce((SELECT n_tup_upd = 0 FROM pg_stat_all_tables t WHERE t.relid = c.oid), true)
		AND coalesce((SELECT s.correlation >= $3 FROM pg_stats s
			WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = $2 AND NOT s.inherited), true)
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
		d.table(table), key, pgStoredCorrelation).Scan(&likely)
	return likely, err
}

// pgStoredCursor is the cursor of a read as stored.
const pgStoredCursor = "datafactory_stored"

// pgReadStored declares the cursor, streams its rows into sink with the
// key at column key checked, and closes it, unless the connection broke.
func pgReadStored(ctx context.Context, pc *pgconn.PgConn, d dialect, table string, schema *frictionless.Schema, key int, sink driver.ValueSink) error {
	query := selectColumns(d, table, schema)
	dec, err := pgPrepare(ctx, pc, query, schema)
	if err != nil {
		return err
	}
	if !orderedBinary(dec, key) {
		return fmt.Errorf("read as stored: %w: the key column's type", errors.ErrUnsupported)
	}
	cursor := d.quote(pgStoredCursor)
	setup := "SET LOCAL synchronize_seqscans = off; DECLARE " + cursor + " NO SCROLL CURSOR FOR " + query
	if _, err := pc.Exec(ctx, setup).ReadAll(); err != nil {
		return err
	}
	err = pgStream(ctx, pc, dec, pgSource{cursor: cursor, key: key}, sink)
	if err == nil || errors.Is(err, driver.ErrNotInKeyOrder) {
		if _, cerr := pc.Exec(ctx, "CLOSE "+cursor).ReadAll(); cerr != nil {
			return cerr
		}
	}
	return err
}

// orderedBinary reports whether column col is read in binary and its
// binary form is a big-endian signed integer that orders as the values
// do.
func orderedBinary(dec *pgRowDecoder, col int) bool {
	if dec.formats[col] != pgBinary {
		return false
	}
	switch dec.oids[col] {
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.DateOID, pgtype.TimestampOID, pgtype.TimestamptzOID:
		return true
	}
	return false
}
