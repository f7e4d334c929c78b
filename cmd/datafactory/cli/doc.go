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
// # Connections: what a conf may name
//
// The command line is the operator's: a database URL, env:NAME, a
// ckan+https:// site, a path or a bucket URL given as an argument is used
// as given. A run conf (run --conf, task create --conf, a conf triggered
// over HTTP) and a pipeline spec's params name the operator's connections
// instead (package connection):
//
//	"target": "default"            a database or CKAN site connection
//	"bucket": "default"            a bucket connection
//	"source": "data/people.csv"    a file under the root "default"
//	"source": "uploads:people.csv" a file under the root "uploads"
//
// A raw URL, an env: reference or a path outside the roots in a conf is
// refused before anything is read or connected; a raw postgres:// or
// mysql:// URL only passes for a host in DATAFACTORY_ALLOW_HOSTS, and
// never gets a password. The connections come from --connections FILE (or
// DATAFACTORY_CONNECTIONS), a JSON file (see connection.Config) naming
// databases, CKAN sites, buckets, file roots and allowed hosts, with
// secrets named by environment variable; then from single variables:
//
//	DATAFACTORY_DB_URL (+ DATAFACTORY_DB_PASSWORD)  database "default"
//	DATAFACTORY_BUCKET_URL                          bucket "default" (also the run bucket)
//	DATAFACTORY_FILE_ROOT                           file root "default"
//	DATAFACTORY_CKAN_SITE_URL (+ DATAFACTORY_CKAN_API_KEY,
//	  DATAFACTORY_CKAN_DATASTORE_URL)               CKAN site "ckan", ckan_load's site
//	DATAFACTORY_CKAN_FILE_ROOT                      file root "ckan_files", ckan_load's local files
//	DATAFACTORY_ALLOW_HOSTS                         hosts (comma-separated) raw URLs may name
//
// An entry of the file wins over the variable's.
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
// CKAN site "ckan", to which ckan_load sends it (and to no other site).
// Runs store their conf, so ckan_load refuses a conf carrying api_key, and
// serve's Airflow-compatible route drops secrets (api_key, tokens,
// passwords, URLs with a password) from a triggered run's conf before the
// run exists.
//
// # Environment
//
// DATAFACTORY_STATUS_URL (status store: database URL or a service's http(s)
// URL), DATAFACTORY_BUCKET_URL (run files and outputs), DATAFACTORY_DB_URL and
// DATAFACTORY_ADDR (serve's defaults) spare repeating flags.
package cli
