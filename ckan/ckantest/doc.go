// Package ckantest is an in-process CKAN DataStore server for tests and
// demos, built from the CKAN 2.11 source facts in the project's contract
// (shared/contracts/ckan-datastore.md). It behaves; it does not replay.
//
// It serves /api/action/<name> and /api/3/action/<name> for
// datastore_create, datastore_upsert, datastore_delete,
// datastore_records_delete, datastore_search, datastore_info,
// resource_show, resource_patch, package_show, and ckanext-aircan's
// aircan_status_update and aircan_status, with CKAN's envelopes and status
// codes: 409 validation errors with CKAN's messages, 403/404 with "Access
// denied: …"/"Not found: …", bare-string 400s for unknown actions, bodies
// that are not JSON and GET on actions with side effects, "__junk" for
// unknown keys, 500 for a JSON number where a boolean is expected. GET
// /datastore/dump/<id> serves a table as csv, tsv or json, the URL that
// resource_show reports for DataStore-only resources. datastore_search on
// the reserved name _table_metadata lists tables and aliases.
//
// Users, tokens, datasets and resources are added with [Server.AddUser],
// [Server.AddDataset] and [Server.AddResource]; a sysadmin exists from the
// start ([Server.SysadminToken]). Tokens are read raw from the Authorization
// header; a missing or unknown token makes the request anonymous, which
// writes refuse with 403. Writes need resource_update rights (an editor of
// the dataset, or a sysadmin) and pass the read-only guard: only resources
// with url_type "datastore" may be written without force=true.
//
// # Storage
//
// Tables live in a real SQL database. By default a SQLite file in a
// temporary directory: columns are untyped and the PostgreSQL types are kept
// in a metadata table, values are checked and normalised in Go with
// PostgreSQL's error texts, and _full_text is lower-cased text kept by a
// trigger (q matches words by prefix, without stemming or ranking). With a
// postgres:// DSN each table is a real PostgreSQL table named by the
// resource id, with "_id serial", "_full_text tsvector" filled by the
// zfulltext trigger (populate_full_text_trigger), typed columns and JSON
// column comments, exactly the layout a direct COPY loader writes; column
// types are read back from the catalog. json columns are PostgreSQL json
// rather than CKAN's composite "nested" type; both report "json" in search
// and "nested" in datastore_info.
//
// Options.Version "2.10" reproduces the CKAN 2.10 differences the contract
// lists (token header, datastore_info by "id" only, no delete_fields or
// datastore_records_delete, "_records_row", "" passed through, falsy delete
// filters clearing datastore_active).
//
// Calls to aircan_status_update are kept and returned by
// [Server.StatusUpdates].
package ckantest
