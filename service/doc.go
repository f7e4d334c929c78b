// Package service is `datafactory serve` as a library: one [Config] gives
// an [http.Handler] (the status API, the ingest API, the runs API and
// /healthz behind one authentication) and the background work (the
// scheduler, the status reaper, the bucket's retention sweep) with
// [Service.Start] and [Service.Stop]. A host mounts all of it with
// [Service.Handler], or any part with [Service.Runs], [Service.StatusAPI]
// and [Service.IngestAPI], in its own server.
//
// # Trust model
//
// Whoever builds the Config is the operator: the stores, bucket and
// connections it names are theirs, with their secrets. A request chooses
// none of them: it names pipelines, tables and run ids, never a URL, an
// environment variable or a local path (see SECURITY.md and package
// connection).
//
// # Authentication
//
// Bearer tokens (Config.Tokens) reach every API. The Airflow user
// (Config.AirflowUser, basic auth, as ckanext-aircan sends it) reaches the
// runs API only, and gets 403 elsewhere. Missing or invalid credentials get
// 401 with a WWW-Authenticate challenge; schemes are matched
// case-insensitively. Every response carries an X-Request-Id header, and
// every 5xx is logged with it.
//
// # Runs that die
//
// Runs heartbeat their status job every HeartbeatTimeout/4. The reaper
// fails a RUNNING job whose heartbeat is older than HeartbeatTimeout,
// checking every ReapInterval (at most HeartbeatTimeout), so a run whose
// worker died — in this process or another on the same status database —
// is FAILED with a reason within twice the heartbeat timeout.
package service
