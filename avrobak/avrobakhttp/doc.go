// Package avrobakhttp serves Avro backup and restore of tables over HTTP:
//
//	POST /v1/tables/{table}/backup    back the table up
//	POST /v1/tables/{table}/restore   restore the table
//
// With a bucket, backups live under Options.Prefix ("backups/" by default),
// each table's in its own names: the "key" query parameter (default
// "<table>.avro") must be "<table>.avro", start with "<table>." or
// "<table>/", and be a valid relative key (no "..", no leading "/", no
// control character, no backslash, at most 1024 bytes). So a request can
// neither leave the prefix (run records, scheduler state) nor touch another
// table's backups. Invalid keys are 400, a missing backup 404. Without a
// bucket, backup answers with the Avro file and restore reads it from the
// request body (Content-Type application/avro).
//
// The handler does no authentication: mount it behind the service's. Every
// 5xx is logged with the request's method, path and X-Request-Id.
package avrobakhttp
