// Package cli implements the datafactory command-line tool as a library, so
// every command runs in-process in tests and in the examples:
//
//	code := cli.Run(ctx, []string{"load", "data.csv", "sqlite:data.db"}, os.Stdin, os.Stdout, os.Stderr)
//
// # Commands
//
//	load SOURCE TARGET       load a CSV, resource.json or datapackage.json into a database
//	                         (sqlite:, postgres://, mysql:// or ckan+https://site/?package_id=…)
//	validate SOURCE          report the rows that fail the Table Schema
//	infer FILE               print an inferred Table Schema
//	backup DB TABLE DEST     back a table up to an Avro file (or bucket key)
//	restore SRC DB TABLE     restore a table from an Avro file (or bucket key)
//	status TRACE_ID          a trace's summary (--history: every event)
//	jobs                     list jobs by dataset or resource
//	run PIPELINE             run a built-in pipeline or a spec file
//	task create|run|finish   drive a run one task per process (for orchestrators)
//	tasks                    list task types with their JSON Schemas
//	serve                    the HTTP service: status, ingest, Airflow-style runs, scheduler
//
// # Exit codes
//
// 0 success; 1 the data was refused (more rejects than --max-rejects, an
// invalid file for validate, a failed pipeline run); 2 any other error,
// including usage errors.
//
// # Secrets
//
// Passwords and tokens come from the environment only and are never printed.
// A database URL given on the command line must not contain a password:
// DATAFACTORY_DB_PASSWORD fills it in (PostgreSQL also reads PGPASSWORD), or
// the whole URL can be read from an environment variable with "env:NAME".
// DATAFACTORY_TOKEN is the bearer token of the HTTP service (and of
// status clients), DATAFACTORY_AIRFLOW_USER and DATAFACTORY_AIRFLOW_PASSWORD the
// basic-auth credentials of its Airflow-compatible routes,
// DATAFACTORY_CKAN_API_KEY the CKAN token of ckan+ targets and of the
// built-in ckan_load pipeline (AirCan), whose site is
// DATAFACTORY_CKAN_SITE_URL (the key is sent to no other site) and whose
// direct-PostgreSQL path reads DATAFACTORY_CKAN_DATASTORE_URL. Runs store
// their conf, so ckan_load refuses a conf carrying api_key, and serve's
// Airflow-compatible route drops secrets (api_key, tokens, passwords, URLs
// with a password) from a triggered run's conf before the run exists.
//
// # Environment
//
// DATAFACTORY_STATUS_URL (status store: database URL or a service's http(s)
// URL), DATAFACTORY_BUCKET_URL (run files and outputs), DATAFACTORY_DB_URL and
// DATAFACTORY_ADDR (serve's defaults) spare repeating flags;
// DATAFACTORY_CKAN_FILE_ROOT lets ckan_load read local files under it.
package cli
