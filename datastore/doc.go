// Package datastore puts Frictionless tabular data into SQL tables (and the
// CKAN DataStore), fast, with nothing lost and no half-loaded table.
//
// A [Store] is a table store behind a backend driver; open one with a
// backend package, for example sqlstore.Open(ctx, "sqlite:///data.db", nil).
// [Load] streams rows from a frictionless reader into a table: each row is
// validated against the schema, valid rows are written in batches and
// invalid ones are kept as rejects. With 4 processors or more, a
// frictionless.Reader without unique checks is validated on half of them
// (one goroutine parses the CSV, the others cast; rows, lines and rejects
// as on one goroutine). Modes are append, upsert (on the primary
// key) and replace. Every load is atomic: on failure nothing is written. A
// replace loads a staging table and swaps it in with one short transaction,
// keeping views over the table valid; the target is unchanged when anything
// fails. [Ingest] writes request-sized inputs (1..1000 rows) with per-row
// results.
//
// # Backends
//
// datastore/sqlstore serves SQLite (the embedded default), PostgreSQL
// (binary COPY) and MySQL/MariaDB, opened by URL (sqlite:///file.db,
// postgres://…, mysql://…); datastore/ckanstore serves the CKAN DataStore.
// Backends implement datastore/driver and pass the conformance suite in
// datastore/datastoretest.
//
// # Reading
//
// [Store.ReadRows] streams a table back in primary-key order, typed by its
// described schema. [Store.Snapshot] opens a read-only, consistent view
// (sqlstore: one REPEATABLE READ transaction) in which DescribeTable,
// CountRows and ReadRows all see the same state, whatever is committed
// meanwhile; avrobak backs tables up through it. [Snapshot.ReadValues]
// reads the same values into a [ValueSink], one method call per value and
// none boxed into a row (PostgreSQL only; the others answer
// errors.ErrUnsupported), which spares a reader that re-encodes them (a
// backup) a conversion and an allocation per value.
// [Snapshot.ReadValuesAsStored] reads them in the order they are stored,
// checking that it is the key order, for a reader that can start over with
// ReadValues when it is not (PostgreSQL: a sequential scan instead of the
// key's index).
//
// # Rejects
//
// A row is rejected when it fails validation or when the database refuses
// it (a unique violation, a value out of range): a refused batch is split in
// halves until the bad rows are isolated, and the good ones are written.
// Every reject carries its row number, field, value, reason and raw cells
// and goes to the [LoadOptions.Rejects] sink ([NewCSVRejects],
// [NewTableRejects] for a `<table>__rejects` table). A [LoadReport] always
// has Read = Written + Rejected. [LoadOptions.MaxRejects] turns a dirty
// input into an error.
//
// # Schema drift
//
// When the target exists and differs from the schema, [LoadOptions.Drift]
// decides: [DriftFail] (default), [DriftEvolve] (add new nullable columns)
// or [DriftIgnoreExtra]. A column's type is never changed.
//
// # Identifiers
//
// Table names pass [ValidateTableName] (letters, digits, underscore); column
// names pass [ValidateColumnName] (printable text, stored verbatim). Both are
// always quoted by the backend; values are never spliced into SQL.
//
// # Errors
//
// Errors wrap the sentinels [ErrNotFound], [ErrExists], [ErrClosed],
// [ErrInvalidName], [ErrSchemaDrift], [ErrTooManyRejects] and
// [ErrInvalidOptions]; store operations return an [*Error] naming the
// operation and table, and [errors.As] reaches the backend's native error.
package datastore
