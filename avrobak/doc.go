// Package avrobak backs tables up to Avro object container files and
// restores them, exactly, in files that any Avro implementation reads.
//
// [Backup] streams a table of a [datastore.Store] to an io.Writer and
// [BackupToBucket] to a [storage.Bucket] key (the object appears only when
// the backup is complete). [Restore] and [RestoreFromBucket] recreate the
// table from the file and load it through the datastore's atomic replace
// (or, with RestoreOptions.Append, its atomic append). [Verify] checks a
// file end to end without restoring it. Underneath, [Writer]
// and [Reader] stream [frictionless.Row]s to and from container files and
// work without a database. The container format is written and read by
// this package's own code: the writer encodes rows straight into the block
// buffer and compresses with klauspost/compress (deflate about twice as
// fast as the standard library's), the reader checks every length, block
// and sync marker. github.com/hamba/avro/v2 parses and checks every Avro
// schema written or read; its ocf decoder and Apache Avro's Python library
// read our files in the tests.
//
// # File layout
//
// The header's metadata holds, next to Avro's "avro.schema" and
// "avro.codec":
//
//   - "datafactory.tableschema": the table's Table Schema JSON, primary key
//     included, so a restore recreates the exact table;
//   - "datafactory.rows": the number of rows in the file, in decimal
//     (zero-padded to 19 digits when written after the rows);
//   - "datafactory.table": the table's name, and "datafactory.format": "1".
//
// The row count must be in the header, which comes first (Avro has no
// trailer). Backup streams the blocks straight to w, memory staying at
// about one block and nothing written twice: into a file it can rewrite
// (a regular *os.File open for reading and writing) the header first
// holds a placeholder (19 nines, more than any count, so a file cut
// short is refused) that becomes the number of rows read once they are
// all written; into any other w it writes the count taken first from the
// same snapshot the rows are read from (see Consistency). A store without
// snapshots (the CKAN DataStore) gives the count only at the end of the
// read: into a file it can rewrite, Backup writes it there as above; into
// any other w it streams the rows into a temporary spool file (TempDir),
// then writes the final header with the count and the same sync marker to
// w and copies the spooled blocks after it (disk use: one extra copy of
// the file). A [Writer] given the count up front writes the header
// directly and checks the count on Close. A [Reader] checks the count at the end of the file,
// so a file cut at a block boundary (still valid Avro) is rejected.
//
// # Type mapping
//
// Each Table Schema field becomes one Avro record field, in order (datetime
// and time fields get a second one, see below). Avro names allow only
// [A-Za-z0-9_]: other characters become "_", a leading digit gets a "_"
// prefix, clashes get a "_2" suffix; the original names are kept in the
// Table Schema metadata. A field that is neither required nor part of the
// primary key is the union ["null", T] with default null.
//
//	Table Schema            Avro T                                  Go value read back
//	string                  string                                  string
//	string, format uuid     string, logicalType uuid                string
//	integer                 long                                    int64
//	number                  string, logicalType datafactory-number  frictionless.Decimal
//	number, precision p>0   bytes, logicalType decimal(p, scale)    frictionless.Decimal
//	boolean                 boolean                                 bool
//	date                    int, logicalType date                   time.Time, UTC midnight
//	datetime                long, logicalType timestamp-micros      time.Time with its offset
//	                        + int field <name>_utcoffset
//	time                    long, logicalType time-micros           time.Time on 0000-01-01
//	                        + int field <name>_utcoffset
//	year                    long                                    int64
//	yearmonth               int, logicalType date (first day)       time.Time, UTC
//	duration                string (ISO 8601, as given)             string
//	geopoint                string (as given)                       string
//	object, geojson         string (JSON text)                      map[string]any
//	array                   string (JSON text)                      []any
//	any                     string                                  string
//
// Numbers are exact. A number without precision is kept as its canonical
// plain text ("1.10", "12345678901234567890.123456789", "NaN", "INF",
// "-INF"): an Avro decimal fixes one scale for the whole column and holds
// no NaN or infinity, a double rounds; the text keeps every digit and the
// scale as written, and readers in other languages, which must ignore an
// unknown logical type, see a string they can parse. A precision (the
// datafactory extension) narrows the number to a real Avro decimal. Backups
// made before numbers were exact (number as double) still read, as
// float64.
//
// Time zones: Avro's timestamp-micros is an instant in UTC and time-micros a
// wall-clock time without a zone. So that the offset a value carries is not
// lost, each datetime and time field is followed by a companion int field
// named "<name>_utcoffset" holding the value's UTC offset in seconds (null
// when the value is null). The timestamp holds the UTC instant; the time
// holds the wall-clock time in the value's own offset. Readers in other
// languages see a correct UTC timestamp and can ignore the companion;
// [Reader] restores the value in a fixed zone with that offset. Values are
// kept to the microsecond (finer parts are truncated). Databases that store
// timestamps as instants give them back in UTC, so a table round trip keeps
// the instant; a file round trip keeps the offset too.
//
// Durations are kept as ISO 8601 text because Avro's duration (months,
// days, milliseconds) cannot hold years, fractions below a millisecond or
// negative parts exactly. JSON is kept as text because Avro has no type for
// arbitrary JSON; numbers inside come back as json.Number, exactly as
// written.
//
// # Files written by other tools
//
// A file without Table Schema metadata is mapped from its Avro schema: each
// field of the top-level record becomes a field (a non-record top-level
// schema becomes one field "value"); ["null", T] and [T, "null"] make it
// optional, any other type required. int and long → integer; float and
// double → number; boolean → boolean; string → string (format uuid with
// logicalType uuid); enum → string with an enum constraint; bytes and fixed
// → string with format binary (base64 text); decimal (bytes or fixed) →
// number with its precision and scale; date → date; time-millis and
// time-micros → time; timestamp-millis/micros and local-timestamp-millis/
// micros → datetime (UTC); fixed duration → duration; array → array; map and
// record → object (nested values as JSON-ready values); other unions → any
// (the value as text, JSON for non-strings). Such files carry no row count;
// they are checked block by block. Besides the four codecs this package
// writes (null, deflate, snappy, zstandard), it reads bzip2.
//
// # Consistency
//
// A backup reads the table's definition, its row count and its rows, in
// primary-key order, inside one [datastore.Snapshot]: a read-only
// REPEATABLE READ transaction on PostgreSQL and MySQL/MariaDB (InnoDB), a
// read transaction on SQLite. Rows committed by others during the backup
// are not in it, and the recorded count matches the rows by
// construction (the writer checks it again on Close). Without snapshots,
// the one SELECT of datastore's ReadRows is the snapshot and its rows are
// counted. From PostgreSQL the values are encoded as they are decoded,
// through [datastore.Snapshot.ReadValues], into the same bytes the row
// path writes. Into a file it can rewrite, a backup from PostgreSQL first
// reads the rows in the order they are stored
// ([datastore.Snapshot.ReadValuesAsStored]), a sequential scan that costs
// the server less than the key's index, checking that the keys rise: a
// table loaded in key order and not updated since is stored so. At the
// first key out of order the file is truncated back to where the backup
// started and the rows are read again by the key, in the same snapshot; the
// cost is one more reading of the table. A restore is one datastore load:
// the rows go to a staging table that replaces the target in one short
// transaction (or, in append mode, into the target in one transaction).
// Every failure, including one detected at the very end such as a count
// mismatch, happens before the commit, so the target is never changed by a
// failed restore.
//
// # Errors
//
// Damaged files give errors matching [ErrCorrupt] (bad magic, malformed
// header or block, wrong sync marker, a record that does not decode, bytes
// left over) or [ErrTruncated] (the file ends inside its header or a
// block), as a [*FormatError] with the byte offset and block number. A
// count that differs from the recorded one matches [ErrCountMismatch]
// ([*CountError]); a file whose Table Schema disagrees with its Avro schema,
// or whose columns do not fit an existing target table, matches
// [ErrSchemaMismatch] (and datastore.ErrSchemaDrift for the latter).
// Cells that cannot be written are [*ValueError]s. Unsupported codecs and
// types match [ErrUnsupported] and errors.ErrUnsupported.
package avrobak
