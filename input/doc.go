// Package input opens the files users actually have — CSV, gzipped CSV,
// zipped CSV and XLSX workbooks, on local disk, over HTTP(S) or in S3 and
// Google Cloud Storage buckets — as one CSV byte stream that the existing
// readers consume (frictionless.NewReader, frictionless.Infer, and so
// datastore.Load):
//
//	in, err := input.Open(ctx, "https://portal.example/dataset/sales.xlsx", &input.Options{Sheet: "2024"})
//	if err != nil { … }
//	defer in.Close()
//	r, err := frictionless.NewReader(in, schema, nil)
//
// # Formats
//
// The format is detected from the content (its first bytes), never from
// the name: gzip (1f 8b) is decompressed as it streams; a zip archive
// (PK\x03\x04) is an XLSX workbook when it holds xl/workbook.xml, otherwise
// its CSV member is read (the only member, or [Options.Member]); anything
// else is read as CSV text. Legacy .xls files (OLE2) are refused with
// [ErrUnsupported]. Zip archives and workbooks need random access, so a
// remote one is first copied to a temporary file (removed by Close), never
// into memory.
//
// # XLSX
//
// A sheet ([Options.Sheet], default the first) is read with excelize's
// streaming row reader and written as CSV: its first row is the header.
// Cells formatted as dates become ISO dates ("2024-03-01"), date-times
// "2024-03-01 13:45:00" and times "13:45:00", so Table Schema date types
// and inference see them as such; numbers are written in full (their
// display format, such as "0.00" or "#,##0", is dropped); text stays text.
// Rows with no value are skipped and short rows are padded to the header's
// width. Formula cells give the value the spreadsheet program last computed
// and stored; a formula without a stored value, and a sheet with merged
// cells (whose value sits only in the first cell of the range), fail with a
// [*SheetError] that names the cell or range, rather than loading empty
// cells.
//
// # Locations
//
//	/data/sales.csv, ./sales.csv.gz       a local path
//	file:///data/sales.zip                 a local path as a URL
//	https://host/sales.xlsx                HTTP(S) GET (retried on 429/5xx)
//	s3://bucket/key?region=eu-north-1      through the storage package;
//	gs://bucket/key                        the program links gocloud's driver
//
// Which kinds of location are allowed is the caller's choice
// ([Options.Allow]): a location that comes from a request must not reach
// the local disk or an internal host unless the operator allowed it.
//
// # Limits
//
// [Options.MaxBytes] bounds both the bytes read from the location and the
// bytes the stream yields after decompression (a zip or gzip bomb stops
// there with [ErrTooLarge]).
package input
