// Package ckan is a client for the CKAN action API as a DataStore
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
// Requests go through github.com/hashicorp/go-retryablehttp (its
// RoundTripper under the client's http.Client), with this package's
// [DefaultRetryPolicy] and [DefaultBackoff]: network errors, 429 and 5xx
// are retried with exponential backoff, honouring Retry-After capped at
// [ClientOptions].RetryWaitMax; 4xx answers are never retried, and a done
// context stops at once, waits included. Request bodies are
// bounded by [ClientOptions.MaxRequestBytes]; [ChunkRecords] and
// [Client.UpsertChunked] split records by rows and bytes (250 rows by
// default, as DataPusher, xloader and AirCan send). Search pages never ask
// for more than rows_max rows. A retried write after a 5xx that CKAN had in
// fact committed (a proxy timing out, say) can repeat an insert: loads that
// must be idempotent use the upsert method with a primary key.
package ckan
