// Package statushttp serves a status.Store over HTTP and is a client for
// that API, so a task in another container can report to a central status
// service with the same status.Store API.
//
// # Endpoints
//
// The status-api endpoints, with its JSON shapes and codes (legacy field
// names such as id, application, run_status, status, s3path and body are
// accepted):
//
//	POST /status                     start a trace          → 200 {"trace_id": "<dataset>-<uuid4>"}
//	GET  /status/{trace_id}          all events, oldest first → 200 [ … ]; 404
//	POST /status/{trace_id}          append an event        → 200 the stored event; 404 unknown trace
//	GET  /status-from-path/{base64}  trace of an S3 key     → 200 {"id": t, "trace_id": t}; 404 unless exactly one event matches
//
// and the jobs table:
//
//	GET  /jobs?dataset=&resource=&factory_id=&status=&limit=&offset=  → 200 {"jobs": [ … ], "limit": n, "offset": m}
//	GET  /jobs/{id}                  → 200 job; 404
//	POST /jobs                       create → 201 job
//	POST /jobs/{id}/transition       {"status": "DONE", "info": {…}} → 200 job; 409 illegal transition
//	POST /jobs/{id}/heartbeat        → 204; 409 when the job is not RUNNING
//	POST /jobs/reap                  {"older_than_ms": 600000} → 200 {"jobs": [ … ]}
//
// Differences from status-api: missing fields get the store's defaults
// instead of failing with 500; POST /status may name its trace_id, and
// either POST may name its trace_event_id (a retried request then gives
// 409 instead of a duplicate event).
//
// # Errors
//
// Every error is JSON {"message": "…", "code": "…"}; code is one of
// unauthorized (401), forbidden (403), not_found (404), invalid (400),
// too_large (413), exists, conflict, not_running, illegal_transition (409)
// and internal (500, details only in the server log).
//
// # Auth
//
// Requests need "Authorization: Bearer <token>" with one of
// HandlerOptions.Tokens, compared in constant time: no header gives 401,
// a wrong token 403.
package statushttp
