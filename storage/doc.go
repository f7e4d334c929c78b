// Package storage is datafactory's blob storage: buckets of objects on the
// local disk, in memory, S3 or Google Cloud Storage, the run layout tasks use
// to pass data and metadata to each other, retention sweeps, and
// subscriptions to new files.
//
// It is a thin layer over [gocloud.dev/blob], which already is a portable
// bucket type with drivers; storage adds what pipelines need on top:
// validated keys, all-or-nothing writes, the "<dag>/<run>/<task>/" layout
// with JSON metadata, retention and subscriptions.
//
// # Buckets
//
// [Open] returns a [*Bucket]; [New] wraps a gocloud bucket opened by other
// means. Objects are streamed with [Bucket.NewReader] / [Bucket.NewWriter]
// (or [Bucket.Get] / [Bucket.Put]), listed in key order with [Bucket.List]
// and [Bucket.ListDirs], inspected with [Bucket.Attributes] (size,
// modification time, MD5, ETag) and removed with [Bucket.Delete].
//
// Writes are all-or-nothing: an object becomes visible only when
// [Writer.Close] succeeds. [Writer.Abort], cancelling the write's context, or
// a failing source in [Bucket.Put] leaves no object behind (an earlier
// version at the key stays whole), and readers never see a partial object.
//
// # Run layout
//
// bucket.Run(dag, run).Task(task) addresses "<dag>/<run>/<task>/". A task
// stores data files ([Task.Put], [Task.NewWriter]) and JSON metadata
// ([Task.PutJSON], [Task.GetJSON]) there; a downstream task, in the same
// process or another container, reads them through
// t.Run().Task("upstream"). [Run.Tasks] and [Run.Files] list a run.
//
// # Retention
//
// [Bucket.Sweep] deletes whole runs that a caller-given function reports
// finished, or whose newest object is older than a maximum age, and never a
// run reported active. It reports the objects and bytes deleted; DryRun only
// reports.
//
// # Subscriptions
//
// [Bucket.Subscribe] watches a prefix (optionally a key range and a name
// pattern). [Subscription.Poll] returns the objects a [Cursor] has not
// delivered yet: new keys, including keys that arrive out of order, and keys
// re-uploaded with new content (a different MD5, or size and modification
// time when no MD5 is known). The cursor is a small JSON value the caller
// persists: it remembers only the objects of the last Settle period (see
// [SubscriptionOptions.Settle]), so it does not grow with the bucket.
//
// A [Backlog] is dart's element state machine, the one in the module (the
// scheduler's files trigger uses it too): new objects are UNCONSUMED;
// [Backlog.Reserve] takes the smallest key-ordered run of them whose sizes
// reach a threshold and marks it RESERVED under a batch id;
// [Backlog.Assign] hands the batch to its consumer (ASSIGNED);
// [Backlog.Consume] and [Backlog.Release] finish the batch with CONSUMED
// or return it to UNCONSUMED; [Backlog.Stats] counts elements and bytes per
// state. A [Queue] is a Backlog with its subscription [Cursor].
//
// # URLs
//
// [Open] uses gocloud's URL syntax:
//
//	file:///var/data/bucket        an existing directory (file://./rel for a relative path)
//	file:///var/data/bucket?create_dir=1  the same, created (with parents) when missing
//	mem://                         a new, empty in-memory bucket
//	s3://my-bucket?region=eu-north-1
//	s3://my-bucket?endpoint=http://127.0.0.1:9000&use_path_style=true&region=us-east-1
//	gs://my-bucket
//
// file:// and mem:// are always available. s3:// and gs:// need their
// gocloud driver linked in, as the datafactory CLI does:
//
//	import _ "gocloud.dev/blob/s3blob"  // s3:// (credentials from the AWS SDK's usual sources)
//	import _ "gocloud.dev/blob/gcsblob" // gs://
//
// For S3-compatible servers, pass endpoint and use_path_style in the URL, or
// build an *s3.Client with BaseEndpoint and UsePathStyle and wrap
// s3blob.OpenBucket's result with [New]. For file:// buckets, temporary
// files are written in os.TempDir and renamed into place, which needs TMPDIR
// on the bucket's file system. A file:// directory that does not exist is
// an error unless the URL has create_dir (any non-empty value, even
// "false", creates it), so that an unmounted volume is noticed; do not use
// fileblob's no_tmp_dir option, which
// makes temporary files visible in listings. fileblob also refuses keys
// ending in ".attrs" (it keeps attributes in such side files).
//
// # Errors
//
// Every error from a missing object matches [ErrNotFound]
// (errors.Is(err, storage.ErrNotFound)), on every backend; the gocloud
// error stays reachable with errors.As. Keys are checked before any I/O:
// empty keys, absolute paths, "." / ".." and empty segments, backslashes,
// control characters, invalid UTF-8 and keys over 1024 bytes are refused
// with a [*KeyError] matching [ErrInvalidKey], and run-layout names cannot
// escape their directory. Aborted writes return errors matching
// [ErrAborted]. Errors name the operation and the key; URLs in errors have
// their query and credentials removed.
package storage
