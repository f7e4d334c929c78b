// Package sqlstore is the SQL backend of package datastore: SQLite (the
// embedded default, via modernc.org/sqlite, no cgo), PostgreSQL (via pgx)
// and MySQL/MariaDB (via go-sql-driver/mysql), over sqlx.
//
// # URLs
//
// [Open] takes a URL and returns a *datastore.Store:
//
//	sqlite:///abs/path/file.db, sqlite:relative/file.db, sqlite::memory:
//	postgres://user:pass@host:5432/db?sslmode=disable
//	mysql://user:pass@host:3306/db
//
// Errors never contain the URL's password.
//
// # Backends
//
// Each dialect has its own type mapping for every Table Schema type, its
// identifier quoting and its placeholders; a column comment (PostgreSQL,
// MySQL) or the declared type name (SQLite) records types the SQL type alone
// does not say (year, yearmonth, duration, array, geojson, geopoint, any),
// so DescribeTable reads a table back as the schema it was made from.
// Datetimes keep microseconds and their instant (PostgreSQL timestamptz;
// MySQL DATETIME(6) and SQLite text, both in UTC). Numbers are exact (see
// Numbers below).
//
//   - PostgreSQL loads with binary COPY (CopyFrom). Tables live in the
//     connection's current schema. Upserts: see below. A replace, and a
//     load that creates its table, of a table with no primary key or unique
//     constraint COPYs each batch over Options.CopyStreams connections at
//     once (default runtime.NumCPU() from 4 processors, one stream below;
//     see Parallel COPY below). On one stream, a replace whose staging
//     table can refuse nothing the writer does not check first (no
//     constraint but NOT NULL, no default, built-in types without a
//     modifier, a UTF8 database: the tables a Table Schema makes, unless a
//     field is unique or an object, array or geojson) keeps one COPY open
//     for the whole load instead of one per batch: a batch with a repeated
//     key, a NULL in a NOT NULL column, a NUL byte or invalid UTF-8 still
//     fails alone, before any of it is sent, and is isolated and rejected
//     as before; anything else the server fails (an I/O error, a cancelled
//     statement) fails the load, with the target unchanged. A new 1M-row
//     table took 0.57 s instead of 0.74 s here (psql \copy 0.78 s), a keyed
//     replace 0.95 s instead of 1.05 s, the 20-column file 2.30 s instead
//     of 2.69 s. Otherwise, when the writer falls behind the reader, the
//     loader joins waiting batches into one Write of up to about 50,000
//     rows (driver.Coalescer), because PostgreSQL spends several
//     milliseconds of CPU per COPY statement besides its rows. On one
//     stream, a staging table whose key is one integer column gets its
//     primary key once its rows are in (a sorted index build instead of
//     an insert into the index per row: a keyed replace of 1M rows 2.2–2.7
//     s instead of 3.0–3.2 s here); the keys written are kept in a bitmap
//     meanwhile, so a repeated key still fails its batch with PostgreSQL's
//     unique-violation error and is isolated and rejected as before.
//   - SQLite writes prepared multi-row INSERTs in one transaction (WAL mode
//     for files; one connection for :memory:), run on the driver's own
//     statements (sql.Conn.Raw: database/sql's checks of every argument
//     are not needed for the values it sends); the next statement's values
//     are encoded on a second goroutine while one runs. The writer's
//     connection keeps its sub-journal in memory for the session
//     (temp_store MEMORY, set back at the end; a URL that sets temp_store
//     keeps its own): under a savepoint, every page the cache spills goes
//     there first. SQLite has one writer at a time: readers are never
//     blocked, a second load waits up to Options.BusyTimeout for the
//     first.
//   - MySQL writes in one transaction in strict SQL mode: appends and
//     replaces send batches of 256 rows or more with LOAD DATA LOCAL INFILE
//     streamed from the validated rows (go-sql-driver's reader handler; a
//     batch LOAD DATA does not store whole, with an error, a warning or
//     another row count, is rolled back and sent again as INSERTs, which
//     refuse the bad rows one by one, so rejects stay exact). The server
//     is the slower side of such a load, so batches wait for it: the
//     loader joins them into LOAD DATA writes of up to 50,000 rows
//     (driver.Coalescer; a 1M-row load 6 % faster here). Smaller
//     batches go as prepared multi-row INSERTs; upserts as INSERT … ON
//     DUPLICATE KEY UPDATE. The server must allow local_infile (MariaDB's
//     default; MySQL 8's is off: then every batch falls back to INSERTs).
//
// # Parallel COPY
//
// With more than one stream the staging table is created, committed,
// outside the load's transaction (other connections cannot see an
// uncommitted table); each stream writes in a transaction of its own,
// each batch cut into runs, one per stream, under a savepoint
// on each, and a run that fails rolls every run of the batch back (the
// batch is then split and retried as on one stream, so rejects and their
// row numbers are exact and read = written + rejected). Commit commits the
// streams and then swaps in one short transaction as before; a failure
// anywhere drops the staging table and leaves the target as it was; a
// killed load leaves its staging table until the next replace of the
// table drops it. A key written by one stream and repeated in another's
// would make the second wait for the first's transaction, which ends only
// at the commit: a table with one unique key (its primary key, or one
// unique constraint) of integer, text, boolean, date or timestamptz
// columns has its rows dealt to the streams by a hash of the key instead
// of in runs, so a key always goes to the same stream; other keyed tables
// stay on one stream. Validation runs on half the processors from 4 on
// (package datastore's loader, for a CSV source without unique checks);
// the binary encoding runs on one goroutine per stream.
//
// Appends (and upserts) stay on one connection and one transaction: the
// rows of streams in separate transactions cannot be committed atomically,
// so a crash between their commits would leave part of the load in the
// target. Keeping all-or-nothing with several streams means staging them
// (written twice: no faster than one stream on a machine with few cores)
// or two-phase commit (PREPARE TRANSACTION needs max_prepared_transactions
// and leaves prepared transactions for an operator after a crash).
//
// # Atomic replace
//
// A replace loads a staging table named _dfstg_<hash of the target>_<random>
// with the target's keys, then swaps it in. On PostgreSQL and SQLite the
// staging table is created inside the load's transaction, so a failure, a
// cancelled context or a killed process leaves nothing; the swap (a rename;
// a rename that recreates the views with their options, owners, comments
// and grants when only plain views depend on the target; or DELETE +
// INSERT … SELECT from staging when materialized views, triggers, rules,
// foreign keys or CHECK constraints hang on the target, see
// internal/pgstage) runs at the end of that transaction, holding the
// target's lock only briefly. On MySQL, whose DDL commits implicitly, the
// staging table is real; a named lock (GET_LOCK) serialises replaces of one
// table, stale staging tables of killed loads are dropped by the next
// replace, and the swap is one atomic RENAME TABLE (views resolve by name
// and stay valid), or insert-from-staging when triggers or foreign keys hang
// on the target. On PostgreSQL a staging table that replaces an existing
// table is ANALYZEd before the swap, so the planner has its statistics at
// once, and before the target is locked, so its readers do not wait for
// it; a table the load creates is left to autovacuum.
//
// # PostgreSQL upserts
//
// An upsert into a plain table (owned by the connecting user; the primary
// key its only index; CHECK constraints allowed; no triggers, rules,
// policies, foreign keys, views or other dependent objects; no identity,
// generated or serial columns, inheritance, publication, storage options or
// table comment) writing every column is staged: each batch is COPYed into
// a staging table made LIKE the target, which refuses bad rows per batch as
// the target would (a key repeated in the input updates the staged row: the
// last one wins). At commit:
//
//   - when fewer than 100,000 rows were staged, or they take less than half
//     the target's size, one INSERT … ON CONFLICT DO UPDATE merges them in
//     place: readers and writers of other rows are never blocked.
//   - otherwise the target is rewritten, two to three times faster than
//     updating most of its rows in place, and left without dead rows: the
//     load locks it against writers (EXCLUSIVE; readers go on), copies the
//     rows the upsert does not touch into the staging table (an anti-join
//     of the target against the staged keys; when the key is one integer
//     column and the staged keys are every integer of one range, none
//     repeated, a scan of the primary key's index below and above it), and
//     swaps that in as replace does (DROP + RENAME, with the target's primary-key name,
//     column comments and privileges). Writers wait for the copy (about a
//     second per million rows here); readers wait only for the swap. Like
//     any table rewrite (and replace), a REPEATABLE READ or SERIALIZABLE
//     transaction that started before the commit and reads the table only
//     after it sees it empty, and the table's oid changes. The swapped-in
//     table is ANALYZEd first, so the planner has statistics at once.
//     [datastore.LoadOptions.SwapTimeout] bounds the wait for both locks.
//
// Staged upserts of the same table run one at a time (a transaction-level
// advisory lock). Upserts into other tables, or of some columns only, copy
// each batch into a temporary table and merge it with INSERT … ON
// CONFLICT DO UPDATE, batch by batch.
//
// # Reading
//
// ReadRows and snapshots read PostgreSQL through pgx's protocol layer
// rather than database/sql: one prepared SELECT in key order whose
// integers, floats, booleans, dates and timestamps come back in binary,
// every other column as text; one goroutine receives batches of raw rows
// while the caller's decodes them (a read of the employees shape runs at
// about 0.8× COPY TO here). A callback error or a cancelled context
// cancels the query instead of draining it. The text values of a batch of
// rows share one string: a value kept after its callback keeps that
// batch's text alive. MySQL and SQLite read through database/sql.
//
// A PostgreSQL snapshot also reads a table as stored
// ([datastore.Snapshot.ReadValuesAsStored]): the plain SELECT of its
// columns, a sequential scan (parallel workers and synchronized scans off
// for it, then set back), whose key must rise from row to row. A scan reads
// the heap in order through a small ring of buffers, where the index scan
// of a read in key order visits the heap page by page through the index and
// fills shared_buffers: on a 1M-row table not in shared_buffers the
// server's part took 0.14 s instead of 0.24 s on one machine here and 0.1 s
// instead of 0.4 s on another. It applies to a primary key of one smallint,
// integer, bigint, date, timestamp or timestamptz column (whose binary
// values compare as integers), and only when the statistics show no update
// of the table (an update stores the row's new version elsewhere) and no
// correlation of the key with the rows' places below 0.99. At the first key
// out of order it stops handing rows over, drains the rest of the result
// (cancelling the query would abort the snapshot's transaction) and returns
// ErrNotInKeyOrder; the snapshot then reads by the key. (A cursor would
// stop sooner, but PostgreSQL materialises each FETCH before sending it,
// which stalls the read.)
//
// # Types
//
//	Table Schema   PostgreSQL         MySQL/MariaDB                SQLite (declared)
//	string         text               LONGTEXT (VARCHAR(255) key)  TEXT
//	integer        bigint             BIGINT                       INTEGER
//	number         numeric            DECIMAL(65,30)               DECIMAL_TEXT
//	number (p,s)   numeric(p,s)       DECIMAL(p,s)                 DECIMAL_TEXT(p,s)
//	boolean        boolean            BOOLEAN                      BOOLEAN
//	date           date               DATE                         DATE
//	time           time (UTC)         TIME(6) (UTC)                TIME
//	datetime       timestamptz        DATETIME(6) (UTC)            DATETIME (UTC text)
//	year           integer *          INT *                        YEAR
//	yearmonth      date *             DATE *                       YEARMONTH
//	duration       text *             LONGTEXT *                   DURATION
//	object         jsonb              JSON *                       JSON
//	array          jsonb *            JSON *                       JSON_ARRAY
//	geojson        jsonb *            JSON *                       GEOJSON
//	geopoint       text *             LONGTEXT *                   GEOPOINT
//	any            text *             LONGTEXT *                   ANY_TEXT
//
// (* with a column comment frictionless:<type>.)
//
// # Numbers
//
// A Table Schema number is an exact decimal and is stored in an exact type:
// every digit comes back. PostgreSQL's numeric keeps the value as written,
// scale included ("1.10" stays "1.10"), NaN and ±Infinity too. SQLite
// stores the text in a TEXT-affinity column (DECIMAL_TEXT), NaN and INF
// included. MySQL and MariaDB have no unconstrained exact type: a number
// goes to DECIMAL(65,30), the widest there is (35 integer and 30
// fractional digits), and reads back without trailing fractional zeros
// ("1.10" → "1.1": MySQL keeps no per-value scale). A value that does not
// fit (more digits, NaN, INF) is refused as a row reject with the reason
// (a [driver.ValueError]), never rounded. Tables made before (double
// precision, DOUBLE, REAL) keep their type; their values read as float64.
//
// [datastore.Store.As] reaches the *sqlx.DB (or *sql.DB) for raw SQL.
package sqlstore
