// Package ingesthttp is the HTTP adapter of datastore.Ingest: the batch
// ingest API of the data-architecture project, over any datastore.Store.
//
// # Endpoints
//
//	GET  /v1/tables                       the registered tables and their Table Schemas
//	GET  /v1/tables/{table}               one table's Table Schema (its data dictionary)
//	POST /v1/tables/{table}/rows          insert 1..1000 rows
//	GET  /v1/tables/{table}/rows/{id}     one row by its primary key
//
// POST rows takes a JSON array of objects (Content-Type application/json) or
// CSV (text/csv, with a header row; "text/csv; header=absent" for rows whose
// cells follow the schema's field order). Every row is validated against the
// table's registered Table Schema; the valid rows are inserted in one
// transaction, the invalid ones are written to the table "<table>__rejects"
// and returned with their row number, field and reason. The answer is 201
// when every row was inserted, 200 when some were rejected and 422 when all
// were.
//
// Backup and restore of tables over HTTP are in package
// avrobak/avrobakhttp (datastore never imports avrobak).
//
// # Errors
//
// Errors are JSON objects {"message": "..."}: 400 for a body that is not a
// JSON array of objects, malformed CSV or zero rows; 413 for more than 1000
// rows or a body over Options.MaxBodyBytes; 404 for an unknown table or row;
// 415 for other content types; 401 without and 403 with a wrong bearer token
// (compared in constant time).
package ingesthttp
