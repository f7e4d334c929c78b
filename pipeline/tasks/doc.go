// Package tasks holds the built-in task types (load, backup, restore, sql,
// http_to_table, sleep, noop), registered into a [pipeline.Registry] with one call,
// [Register], together with AirCan's ckan_load types when a CKAN site is
// configured. [LoadPipeline] is the built-in "load" pipeline, whose conf is
// a load task's params.
//
// Params refer to the operator's connections by name (package connection):
// "target": "warehouse", "bucket": "runs", "source": "uploads:2024/data.csv".
// A raw URL, an env: reference or a path outside the file roots is refused
// when the task is built or before it reads or connects anything, so a run
// conf never chooses a host, a secret or a file the operator did not allow.
//
// http_to_table reads a paginated JSON API with package httpsource and
// loads the rows with datastore.Load (replace is a copy table and swap: a
// page failing mid-way leaves the target's rows as they were). Its auth
// names a credential the host configured in [Options.HTTPAuth], sent only
// to that credential's origin; a URL without auth must be on the
// connections' allow-list. Pages are read one after the other into one
// load: a page's next link or cursor is only known from the page before,
// and a replace swaps once, so there is no fan-out of page inserters.
//
// sql statements are Go text/templates executed with the run's [SQLDates]
// only (.LogicalDate, .DataIntervalStart, .DataIntervalEnd: the interval
// of the cron trigger that fired the run, else up to params.schedule's next
// activation after the logical date) and two functions, ident and
// literal, which quote a value as one identifier or one string literal of
// the database's dialect. Nothing from the run conf, the environment or
// files is reachable. Build names from dates through them:
//
//	CREATE VIEW {{ ident (printf "sales_%s" (.LogicalDate.Format "2006_01")) }} AS
//	SELECT * FROM sales WHERE day >= {{ literal (.DataIntervalStart.Format "2006-01-02") }}
//
// [OpenSources] opens a tabular source (a CSV file, a resource.json or a
// datapackage.json) for any caller; the tasks call it on paths the
// connection set resolved.
package tasks
