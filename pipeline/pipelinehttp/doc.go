// Package pipelinehttp serves pipeline runs over HTTP: the subset of
// Airflow's stable REST API (v1) that ckanext-aircan and similar
// connectors use, and a native JSON API. A [Handler] mounts on any
// [http.ServeMux].
//
// Runs execute in the handler's process through [pipeline.Run]; their
// state is read back from the status store that records them (trace id =
// job id = run id), never from process memory, so a restarted server
// still answers for the runs of the one before, and the same run id twice
// is refused with 409 across restarts.
//
// # Airflow routes
//
//	GET  /api/v1/dags
//	GET  /api/v1/dags/{dag_id}
//	POST /api/v1/dags/{dag_id}/dagRuns              {"dag_run_id", "conf", "logical_date"}
//	GET  /api/v1/dags/{dag_id}/dagRuns              ?limit=&offset=
//	GET  /api/v1/dags/{dag_id}/dagRuns/{run_id}
//	GET  /api/v1/dags/{dag_id}/dagRuns/{run_id}/taskInstances[/{task_id}]
//
// # Native routes
//
//	GET  /v1/pipelines
//	POST /v1/pipelines/{pipeline}/runs              {"run_id", "conf", "logical_date"}
//	GET  /v1/pipelines/{pipeline}/runs              ?limit=&offset=
//	GET  /v1/pipelines/{pipeline}/runs/{run_id}
//
// # Requests
//
// A trigger body is exactly one JSON object (trailing data is refused);
// its conf, when present, is a JSON object; a run id follows Airflow's
// rule ([ValidateRunID]). Every refusal is a 400 whose message names the
// problem. A conf's secrets ([SecretKey]: authorization, token, password,
// secret, api_key, *_key names, and URLs with a password) never reach the
// run or the status store: the run gets the conf without them, and the
// status store and answers hold it with their values replaced by
// "[redacted]". Pipelines take their secrets from the operator's
// connections instead. A body over 1 MiB is a 413.
//
// Lists are JSON arrays, [] when empty, with "total_entries".
package pipelinehttp
