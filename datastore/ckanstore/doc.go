// Package ckanstore is a client for the CKAN action API as a DataStore
// loader uses it: datastore_create, datastore_upsert, datastore_delete,
// datastore_records_delete, datastore_search (with [Client.SearchAll], an
// iterator over any number of rows), datastore_info, resource_show,
// resource_patch, package_show and ckanext-aircan's aircan_status_update.
//
// Requests and results are typed structs. Numbers are decoded as
// json.Number, so numeric columns keep every digit. The API token travels in
// the Authorization header, raw (the form CKAN 2.10 and 2.11 both accept);
// it is held as a [Secret], which prints, logs and marshals as
// "[redacted]".
//
// # Errors
//
// Every failed call returns an [*APIError] built from CKAN's answer: the
// HTTP status, the error's "__type" and "message", the per-key validation
// messages (Fields), the DataStore extras (records_row, info, data), or the
// bare string of a 400 "Bad request" answer. It matches [ErrNotFound] (404),
// [ErrNotAuthorized] (403; CKAN runs requests with a bad token as anonymous,
// so a wrong token shows up here), [ErrValidation] (409 Validation Error, 400
// Integrity Error), [ErrBadRequest] (bare-string 400) and [ErrServer] (5xx)
// through errors.Is.
//
// # Retries and limits
//
// Requests go through a retrying transport: network errors, 429 and 5xx are
// retried with exponential backoff, honouring Retry-After; 4xx answers are
// never retried, and a done context stops at once. Request bodies are
// bounded by [ClientOptions.MaxRequestBytes]; [ChunkRecords] and
// [Client.UpsertChunked] split records by rows and bytes (250 rows by
// default, as DataPusher, xloader and AirCan send). Search pages never ask
// for more than rows_max rows. A retried write after a 5xx that CKAN had in
// fact committed (a proxy timing out, say) can repeat an insert: loads that
// must be idempotent use the upsert method with a primary key.
//
// # Backend
//
// [Open] returns a datastore.Store whose tables are DataStore tables, so
// datastore.Load (validation, rejects, progress, drift) writes to CKAN. A
// table is either a resource's own table (StoreOptions.Resources, as AirCan
// loads an upload) or a DataStore-only resource created in
// StoreOptions.PackageID with the table name as its alias. Types map as
// described on [Open] and in backend_types.go: integer → int8, number →
// numeric, datetime → timestamptz (CKAN's int4, float8 and timestamp lose
// range, digits or the instant); the Table Schema field is kept in the
// column's Data Dictionary info, so DescribeTable returns it. Every write
// sends force=true. The action API has no cross-request transactions: the
// window each mode leaves is documented on [Open]; with
// StoreOptions.PostgresURL, replace writes to the DataStore's PostgreSQL
// directly (COPY, atomic swap, API refresh).
package ckanstore
