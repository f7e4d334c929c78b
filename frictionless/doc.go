// Package frictionless implements the Frictionless Data specifications
// that datafactory stands on: Table Schema ([Schema], [Field]), CSV Dialect
// ([Dialect]), Data Resource ([Resource]) and Data Package ([Package])
// descriptors; a streaming, validating row reader ([Reader]); schema
// inference ([Infer]); and a CSV writer ([Writer]). It is a leaf package:
// it imports nothing else from datafactory.
//
// # Descriptors
//
// [ReadPackage], [ReadResource] and [ReadSchema] read descriptors from an
// io.Reader; [LoadPackage], [LoadResource] and [LoadSchema] from a local
// path or an http(s) URL. Descriptors round-trip: properties this package
// does not know (licenses, sources, rdfType, …) are kept in the Extra maps
// and written back unchanged by MarshalJSON and the Write methods. Field
// names, types and the JSON layout follow
// github.com/frictionlessdata/tableschema-go, whose geopoint parser is also
// used; this package owns its JSON (tableschema-go drops constraints
// without JSON tags, takes foreignKeys as an object, and compares enums by
// reflection).
//
// # Reading rows
//
// [NewReader] (or [Resource.Open]) streams a CSV source: any encoding
// x/text knows, a UTF-8 byte order mark stripped, LF, CRLF or CR line
// ends. Records are split with encoding/csv's quoting rules, errors and
// line numbers (a quoted cell keeps the line ends inside it as written),
// by a splitter of this package that takes a line without quotes apart in
// one pass and makes one string per record.
// With a header row, columns are matched to fields by name, in any order
// (an exact match first, then ignoring surrounding spaces and, unless
// Dialect.CaseSensitiveHeader, case); without one (Dialect.Header false),
// by position. Each [Row] holds the
// values in schema field order, typed as below, with the constraints
// checked: required, unique, minimum, maximum, minLength, maxLength,
// pattern, enum and the primary key's uniqueness. Memory does not grow
// with the number of rows, except for uniqueness: each unique field and
// the primary key keep every key seen: about 40 bytes per single integer
// key, about 56 bytes plus the key's length for other keys (8 bytes per
// integer or number, 12 per date or time, the text of a string).
// [ReadOptions].SkipUniqueCheck turns this off.
//
// Rows that do not come from CSV text (cells split elsewhere, JSON values
// from an API) get the same checks from a [RowCaster], which compiles the
// schema once; [Field.Cast] and [Field.CastValue] are for single values.
//
// Cell values by field type:
//
//	type            Go value
//	string, any     string
//	integer         int64 (out of range is a row error)
//	number          Decimal: exact, every digit and the scale as written, NaN and INF
//	boolean         bool
//	date            time.Time, UTC midnight
//	datetime        time.Time, zone as given (UTC when none), sub-second digits kept
//	time            time.Time on 0000-01-01, UTC when no zone
//	year            int64
//	yearmonth       time.Time, first day of the month, UTC
//	duration        string (ISO 8601, validated)
//	object, geojson map[string]any (numbers as json.Number)
//	array           []any (numbers as json.Number)
//	geopoint        string (validated, as given)
//	missing value   nil
//
// # Inference
//
// [Infer] scans the whole input by default (InferOptions.SampleSize limits
// it) and never narrows a type the data contradicts: a column of "007" is
// a string, an integer column with "3.5" in its last row is a number. Any
// field's type can be forced with InferOptions.Types. The result marshals
// to Table Schema JSON.
//
// # Errors
//
// A bad row never stops a [Reader]: Read returns a nil Row and a
// [*RowError] carrying the physical line where the row starts (as a human
// counts lines, header included), the 1-based data row number, the first
// failing field, its raw value and the reason, plus every failure of the
// row in Errors. Reasons include:
//
//	value is required
//	cannot cast "abc" to integer
//	cannot cast "99999999999999999999" to integer: out of range
//	value 5 is less than minimum 10
//	length 12 is more than maxLength 10
//	value "x" does not match pattern "[a-z]{3}"
//	value "x" is not one of the enum values
//	value "7" is not unique (same as row 3)
//	primary key (7, a) is not unique (same as row 3)
//	row has 4 cells, expected 5
//	invalid UTF-8 in column 2 (Field names the field)
//	NUL byte in column 2 (one rule for every database: PostgreSQL cannot store NUL in text)
//	malformed CSV at line 9, column 4: bare " in non-quoted-field
//
// Header problems (a field with no column, a column not in the schema, a
// repeated column) come first, as *RowError with Row == 0; they are not
// counted as rows. Any other error from Read is fatal and sticky.
//
// An invalid descriptor gives a [*DescriptorError] whose Path names the
// property, e.g. `resources[2].schema.fields[0].type: unknown type
// "integr"`; it matches [ErrInvalidDescriptor] with errors.Is. Dialect
// features the reader cannot read (a quote character other than `"`,
// doubleQuote false, a lone CR line terminator) also match
// errors.ErrUnsupported. Field.Cast and Field.CastValue return
// [*FieldError].
package frictionless
