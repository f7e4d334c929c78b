// Package tasks holds the built-in task types (load, backup, restore, sql,
// sleep, noop), registered into a [pipeline.Registry] with one call,
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
// [OpenSources] opens a tabular source (a CSV file, a resource.json or a
// datapackage.json) for any caller; the tasks call it on paths the
// connection set resolved.
package tasks
