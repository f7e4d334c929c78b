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

// ReadValuesAsStored reads the table by a sequential scan and checks that
// the key rises from row to row. At a key out of order it stops handing
// rows to sink and drains the rest of the result rather than cancelling
// the query, which would abort the snapshot's transaction: ReadValues can
// then read by the index in the same snapshot.
//
// It reads only a table whose primary key is one column of a type whose
// binary form is a signed integer in the order of its values (smallint,
// integer, bigint, date, timestamp, timestamptz) read into a field of its
// natural type, and only when the statistics show no update of the table
// and, when the key's statistics are gathered, a correlation of its values
// with their place of at least pgStoredCorrelation.
func (s pgSnapshot) ReadValuesAsStored(ctx context.Context, table string, schema *frictionless.Schema, sink driver.ValueSink) error {
	key := -1
	if len(schema.PrimaryKey) == 1 {
		key = schema.FieldIndex(schema.PrimaryKey[0])
	}
	if key < 0 {
		return fmt.Errorf("read as stored: %w: the primary key is not one column of the schema", errors.ErrUnsupported)
	}
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

// pgStoredSettings are set for the scan of a read as stored, each to
// its value here, and set back after it: the scan is not split among
// parallel workers, whose rows interleave, and starts at the table's
// first page rather than where another scan of the table is.
var pgStoredSettings = [][2]string{{"max_parallel_workers_per_gather", "0"}, {"synchronize_seqscans", "off"}}

// pgReadStored runs the plain SELECT of the table's columns, a sequential
// scan, and streams its rows into sink with the key at column key
// checked. The settings change only for the scan (SET LOCAL, then back to
// what they were).
func pgReadStored(ctx context.Context, pc *pgconn.PgConn, d dialect, table string, schema *frictionless.Schema, key int, sink driver.ValueSink) error {
	was, err := pgSetLocal(ctx, pc, pgStoredSettings)
	if err != nil {
		return err
	}
	err = pgScanChecked(ctx, pc, d, table, schema, key, sink)
	if err == nil || errors.Is(err, driver.ErrNotInKeyOrder) || errors.Is(err, errors.ErrUnsupported) {
		if _, serr := pgSetLocal(ctx, pc, was); serr != nil {
			return serr
		}
	}
	return err
}

// pgScanChecked prepares the scan (after pgSetLocal, whose statements
// replace the unnamed one) and streams it into sink with the key checked.
func pgScanChecked(ctx context.Context, pc *pgconn.PgConn, d dialect, table string, schema *frictionless.Schema, key int, sink driver.ValueSink) error {
	dec, err := pgPrepare(ctx, pc, selectColumns(d, table, schema), schema)
	if err != nil {
		return err
	}
	if !orderedBinary(dec, key) {
		return fmt.Errorf("read as stored: %w: the key column's type", errors.ErrUnsupported)
	}
	return pgStream(ctx, pc, dec, key, sink)
}

// pgSetLocal sets each setting to its value for the rest of the
// transaction and returns the values they had.
func pgSetLocal(ctx context.Context, pc *pgconn.PgConn, settings [][2]string) ([][2]string, error) {
	was := make([][2]string, len(settings))
	for i, kv := range settings {
		res := pc.ExecParams(ctx, "SELECT current_setting($1), set_config($1, $2, true)",
			[][]byte{[]byte(kv[0]), []byte(kv[1])}, nil, nil, nil).Read()
		if res.Err != nil {
			return nil, res.Err
		}
		was[i] = [2]string{kv[0], string(res.Rows[0][0])}
	}
	return was, nil
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
