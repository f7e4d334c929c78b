// Package aircan is AirCan's load pipeline, "ckan_load": when a file is
// uploaded to CKAN, ckanext-aircan's aircan_submit triggers it with a conf
// (see [Conf] and [ConfSchema]); it loads the file into the resource's
// DataStore table and tells CKAN, with aircan_status_update calls, whether
// it worked.
//
// # Tasks
//
// Each step is its own pipeline task, registered as a task type by
// [Register] ("aircan_" + task name) and assembled by [Spec] and [New], so
// an orchestrator can run each in its own process (pipeline.CreateRun,
// RunTask, FinishRun): tasks pass data only through the run's storage
// directory "ckan_load/<run id>/<task>/" and small outputs kept there.
//
//  1. fetch_resource: resource_show; the Table Schema (the conf's
//     resource.schema, an object or a JSON string, else the resource's
//     "schema"), with datastore_unique_keys as its primary key; then one
//     "progress" update to CKAN.
//  2. download: the data (resource.path, else the resource's url; an http(s)
//     URL, or a local file under [Config].FileRoot) streamed into
//     download/data.csv with its size and sha256.
//  3. validate: every row checked against the schema (streaming, constant
//     memory); valid rows as JSON lines in validate/data.jsonl, as AirCan's
//     CSV-to-JSON step writes them, rejected rows with their row, line,
//     field, value, reason and cells in validate/rejects.csv.
//  4. create_table: replace mode drops and recreates the table
//     (datastore_delete, then datastore_create with force, the fields and
//     the key); append and upsert (datastore_append_or_update) keep it,
//     creating it when missing and setting the unique key for upsert.
//  5. load: the JSON lines through datastore.Load on the ckanstore
//     backend: chunked datastore_upsert (insert, or upsert on the unique
//     keys; aircan_datastore_chunk_insert_rows_size records per request).
//     With aircan_load_with_postgres_copy a replace goes straight to the
//     DataStore's PostgreSQL instead: COPY into a staging table with the
//     DataStore layout, one atomic swap, an API call to refresh CKAN's
//     metadata; create_table then leaves the table alone (or drops it when
//     its columns changed). Append and upsert always use the API.
//  6. mark_active: resource_show; resource_patch datastore_active=true
//     only when it is not set (datastore_create sets it). resource_patch
//     goes through resource_update, whose ckanext-aircan hook submits the
//     resource again once its last status is 10 minutes old.
//  7. report (trigger rule all_done: it runs whatever happened): one
//     aircan_status_update "complete" with the rows loaded and rejected,
//     or "error" with the first failed task's message.
//
// A file with more rejected rows than the conf's max_reject_ratio allows
// (default half of them) fails in validate, before the table is touched,
// and CKAN hears "error" with the counts.
//
// CKAN hears one update per state: "progress" from fetch_resource (not
// before [Config].FirstUpdateDelay, so ckanext-aircan's own "pending",
// recorded after the trigger returns, comes first), then "complete" or
// "error" from report, sent again if CKAN's last status is then another
// state of the same run (a late "pending"); both remember in
// the run's outputs that they sent it, so a retried or re-run task does not
// send again. A run cancelled before report runs (its context ended)
// cannot send its own final update: [ReportCancelled], called after the
// run, sends "error" for it — datafactory's serve does so for runs it
// cancels at shutdown, and `datafactory run` for an interrupted run.
// Every task writes resource.json to its directory: a Frictionless Data
// Resource for its data (its file, or the table's dump URL) with the CKAN
// ids and the task's counts and outcome under "ckan" and "datafactory".
// The pipeline backend records a status event for every task, skipped
// ones included.
//
// # Secrets
//
// pipeline.CreateRun and Run store the conf with the run, so the conf
// carries no secrets: [ConfSchema] refuses a non-empty
// ckan_config.api_key and a ckan_datastore_postgres_url with a password
// (ckanext-aircan sends both: strip them before triggering, as
// datafactory serve's Airflow-compatible route does). The API key and the
// DataStore's database URL come from [Config], per site: SiteURL with
// APIKey and PostgresURL, and Sites for more. A conf naming a site without
// configured credentials is refused, so a key is only ever sent to its own
// site (and, for downloads, only to URLs on that site). Errors, status
// messages, outputs and resource.json are scrubbed of the configured
// secrets before they are stored or sent.
//
// # Errors
//
// A task returns its error with secrets scrubbed from the text; it
// unwraps to the cause (a *ckan.APIError, a *datastore.Error, …).
// CKAN's 4xx answers, a bad conf or schema and a file that does not match
// the schema's header are permanent (never retried).
package aircan
